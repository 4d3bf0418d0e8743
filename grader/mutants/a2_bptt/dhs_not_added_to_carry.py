"""dhs[:, t] is used at the last step only; earlier steps get the carried gradient alone."""
TARGET = "bptt.py"
REPLACE = [
    ("dh = dhs[:, t] + dh_next\n        h = hs[:, t]", "dh = dhs[:, t] if t == T - 1 else dh_next\n        h = hs[:, t]"),
]
HINT = ('Your gradients match using dhs only at the last step. The loss depends on every hidden state: at '
        'each step add dhs[:, t] to the gradient carried back from step t+1.')
