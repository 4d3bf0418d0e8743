"""make_windows shifts the targets with np.roll one step too far: y[i] is series[i + T + 1]."""
TARGET = "airline.py"
REPLACE = [
    ('y = series[window:].reshape(n, 1).copy()',
     'y = np.roll(series, -1)[window:].reshape(n, 1).copy()'),
]
HINT = 'y[i] should be series[i + T], the value right after the window; yours is one step further ahead.'
