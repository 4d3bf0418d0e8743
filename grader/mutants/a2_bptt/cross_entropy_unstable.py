"""softmax_cross_entropy exponentiates the raw logits (no max subtraction): overflow at 1e3."""
TARGET = "bptt.py"
REPLACE = [
    ("shifted = logits - logits.max(axis=-1, keepdims=True)", "shifted = logits"),
]
