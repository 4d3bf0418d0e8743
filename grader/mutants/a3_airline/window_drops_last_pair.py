"""make_windows stops one window early: N = L - T - 1 pairs instead of L - T."""
TARGET = "airline.py"
REPLACE = [
    ('n = len(series) - window\n',
     'n = len(series) - window - 1\n'),
    ('y = series[window:].reshape(n, 1).copy()',
     'y = series[window:window + n].reshape(n, 1).copy()'),
]
