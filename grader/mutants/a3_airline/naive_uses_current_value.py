"""naive_forecast returns the values being forecast themselves (look-ahead)."""
TARGET = "airline.py"
REPLACE = [
    ('return series[len(series) - n_test - 1:len(series) - 1].copy()',
     'return series[len(series) - n_test:].copy()'),
]
