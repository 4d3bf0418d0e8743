"""Gradient clipping by each array's own norm instead of the global norm."""
TARGET = "bptt.py"
REPLACE = [
    ("clipped = {name: g * scale for name, g in grads.items()}",
     "clipped = {name: g * min(1.0, max_norm / (np.sqrt(np.sum(g ** 2)) + 1e-6)) for name, g in grads.items()}"),
]
HINT = 'You clip every array by its own norm; torch clips by the global norm over all arrays together.'
