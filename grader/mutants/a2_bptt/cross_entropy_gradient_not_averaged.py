"""softmax_cross_entropy returns the gradient of the summed loss (no division by N * T)."""
TARGET = "bptt.py"
REPLACE = [
    ('return loss, dlogits / (N * T)',
     'return loss, dlogits'),
]
HINT = 'dlogits is N*T times too large: the loss is a mean over N*T positions, so divide the gradient by N*T.'
