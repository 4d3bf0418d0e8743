"""make_windows shifts each window one step later, so it ends on the value being forecast."""
TARGET = "airline.py"
REPLACE = [
    ('X = np.stack([series[i:i + window] for i in range(n)])',
     'X = np.stack([series[i + 1:i + 1 + window] for i in range(n)])'),
]
HINT = ('X[i] should be series[i:i+T]; yours is shifted one step later, so the window ends on the value it '
        'should forecast (look-ahead).')
