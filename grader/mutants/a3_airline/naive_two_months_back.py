"""naive_forecast repeats the value two months before each month instead of one."""
TARGET = "airline.py"
REPLACE = [
    ('return series[len(series) - n_test - 1:len(series) - 1].copy()',
     'return series[len(series) - n_test - 2:len(series) - 2].copy()'),
]
HINT = 'Forecast j must be series[L - n_test + j - 1]; yours is one more month back.'
