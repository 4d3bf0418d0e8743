"""LSTM: the cell gradient is carried back as dc instead of dc * f (forget gate left out)."""
TARGET = "bptt.py"
REPLACE = [
    ("dc_next = dc * f", "dc_next = dc"),
]
HINT = ('Your gradients match leaving out the forget gate on the path c_{t-1} -> c_t: since c_t = f_t * '
        'c_{t-1} + ..., the gradient carried back to c_{t-1} is dc_t * f_t.')
