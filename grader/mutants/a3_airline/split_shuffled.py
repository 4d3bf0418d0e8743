"""chronological_split shuffles the series before splitting (a random split, not a chronological one)."""
TARGET = "airline.py"
REPLACE = [
    ('    series = np.asarray(series)\n    n_train = int(',
     '    series = np.random.default_rng(0).permutation(np.asarray(series))\n    n_train = int('),
]
