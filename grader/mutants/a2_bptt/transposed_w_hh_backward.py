"""W_hh transposed on the way back: da @ W_hh.T instead of da @ W_hh."""
TARGET = "bptt.py"
REPLACE = [
    ("dh_next = das[:, t] @ W_hh", "dh_next = das[:, t] @ W_hh.T"),
]
HINT = ('Your gradients match using W_hh.T on the way back. Forward is h_prev @ W_hh.T, so the gradient with '
        'respect to h_prev is da @ W_hh.')
