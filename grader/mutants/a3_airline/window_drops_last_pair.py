"""make_windows stops one window early: N = L - T - 1 pairs instead of L - T."""
TARGET = "airline.py"
REPLACE = [
    ('n = len(series) - window\n',
     'n = len(series) - window - 1\n'),
    ('y = series[window:].reshape(n, 1).copy()',
     'y = series[window:window + n].reshape(n, 1).copy()'),
]
HINT = ('N = L - T: one pair for every window that has a next value (range(L - T)); your last window, the one'
        ' followed by the last value, is missing.')
