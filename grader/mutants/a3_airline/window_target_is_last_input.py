"""make_windows pairs each window with its own last value instead of the next one."""
TARGET = "airline.py"
REPLACE = [
    ('y = series[window:].reshape(n, 1).copy()',
     'y = series[window - 1:-1].reshape(n, 1).copy()'),
]
HINT = 'y[i] should be series[i + T], the value right AFTER the window, not its last value.'
