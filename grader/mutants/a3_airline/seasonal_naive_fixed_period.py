"""seasonal_naive_forecast ignores its period argument and always uses 12."""
TARGET = "airline.py"
REPLACE = [
    ('series[len(series) - n_test - period:len(series) - period].copy()',
     'series[len(series) - n_test - 12:len(series) - 12].copy()'),
]
HINT = 'Use the period argument, not a fixed 12: forecast j is series[L - n_test + j - period].'
