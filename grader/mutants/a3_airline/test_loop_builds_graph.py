"""test_loop evaluates with gradients enabled (no torch.no_grad())."""
TARGET = "airline.py"
REPLACE = [
    ('with torch.no_grad():\n        for X, y in dataloader:',
     'with torch.enable_grad():\n        for X, y in dataloader:'),
]
