"""Clipping always rescales to max_norm (no min(1, ...)), so small gradients are blown up."""
TARGET = "bptt.py"
REPLACE = [
    ("scale = min(1.0, max_norm / (total_norm + 1e-6))", "scale = max_norm / (total_norm + 1e-6)"),
]
HINT = ('Your gradients are rescaled although their norm is below max_norm: the factor is min(1, max_norm / '
        '(total_norm + 1e-6)), so small gradients come back unchanged.')
