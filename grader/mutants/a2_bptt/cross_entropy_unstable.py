"""softmax_cross_entropy exponentiates the raw logits (no max subtraction): overflow at 1e3."""
TARGET = "bptt.py"
REPLACE = [
    ("shifted = logits - logits.max(axis=-1, keepdims=True)", "shifted = logits"),
]
HINT = ('exp of logits of size 1e3 overflows: subtract the maximum of each row before exp (the softmax does '
        'not change) and take log-probabilities as shifted - log(sum(exp(shifted))).')
