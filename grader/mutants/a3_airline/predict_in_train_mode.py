"""predict leaves the model in training mode (dropout stays on)."""
TARGET = "airline.py"
REPLACE = [
    ('    model.eval()\n    with torch.no_grad():\n        return model(',
     '    model.train()\n    with torch.no_grad():\n        return model('),
]
HINT = 'predict ran the model in training mode (dropout on): call model.eval() first.'
