"""Character model: db_y averaged over positions instead of summed."""
TARGET = "bptt.py"
REPLACE = [
    ('"b_y": dlogits_flat.sum(axis=0)', '"b_y": dlogits_flat.mean(axis=0)'),
]
HINT = ('db_y is dlogits SUMMED over all N*T positions (the 1/(N*T) of the mean loss is already in dlogits), '
        'not averaged.')
