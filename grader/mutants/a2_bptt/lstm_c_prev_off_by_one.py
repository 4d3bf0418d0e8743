"""LSTM: df uses the current cell state c_t instead of c_{t-1}."""
TARGET = "bptt.py"
REPLACE = [
    ("c_prev = c0 if t == 0 else cs[:, t - 1]", "c_prev = cs[:, t]"),
]
