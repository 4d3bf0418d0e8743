"""The gradient from step t+1 is not carried back: each step sees only dhs[:, t]."""
TARGET = "bptt.py"
REPLACE = [
    ("dh = dhs[:, t] + dh_next\n        h = hs[:, t]", "dh = dhs[:, t]\n        h = hs[:, t]"),
]
