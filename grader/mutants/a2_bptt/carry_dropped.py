"""The gradient from step t+1 is not carried back: each step sees only dhs[:, t]."""
TARGET = "bptt.py"
REPLACE = [
    ("dh = dhs[:, t] + dh_next\n        h = hs[:, t]", "dh = dhs[:, t]\n        h = hs[:, t]"),
]
HINT = ('Your gradients match dropping the gradient carried back from step t+1. At each step the gradient '
        'reaching h_t is dhs[:, t] PLUS (da_{t+1} @ W_hh).')
