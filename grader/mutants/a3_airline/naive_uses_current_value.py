"""naive_forecast returns the values being forecast themselves (look-ahead)."""
TARGET = "airline.py"
REPLACE = [
    ('return series[len(series) - n_test - 1:len(series) - 1].copy()',
     'return series[len(series) - n_test:].copy()'),
]
HINT = 'Forecast j must be the value one month BEFORE month L - n_test + j; yours is the value itself (look-ahead).'
