"""softmax_cross_entropy divides the gradient by N instead of N * T."""
TARGET = "bptt.py"
REPLACE = [
    ("return loss, dlogits / (N * T)", "return loss, dlogits / N"),
]
HINT = 'dlogits is T times too large: the loss is a mean over N*T positions, so divide the gradient by N*T, not N.'
