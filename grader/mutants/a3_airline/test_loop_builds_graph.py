"""test_loop evaluates with gradients enabled (no torch.no_grad())."""
TARGET = "airline.py"
REPLACE = [
    ('with torch.no_grad():\n        for X, y in dataloader:',
     'with torch.enable_grad():\n        for X, y in dataloader:'),
]
HINT = ('test_loop ran the model with gradients enabled: wrap the loop in `with torch.no_grad():` so no graph'
        ' is built (faster, less memory, and nothing can leak into training).')
