"""W_hh transposed on the way back: da @ W_hh.T instead of da @ W_hh."""
TARGET = "bptt.py"
REPLACE = [
    ("dh_next = das[:, t] @ W_hh", "dh_next = das[:, t] @ W_hh.T"),
]
