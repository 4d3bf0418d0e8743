"""Character model: db_y averaged over positions instead of summed."""
TARGET = "bptt.py"
REPLACE = [
    ('"b_y": dlogits_flat.sum(axis=0)', '"b_y": dlogits_flat.mean(axis=0)'),
]
