"""chronological_split shuffles the series before splitting (a random split, not a chronological one)."""
TARGET = "airline.py"
REPLACE = [
    ('    series = np.asarray(series)\n    n_train = int(',
     '    series = np.random.default_rng(0).permutation(np.asarray(series))\n    n_train = int('),
]
HINT = ('train must be the first int(fraction * L) values and test the rest, both in their original order: '
        'never shuffle (or sort) a time series before splitting it.')
