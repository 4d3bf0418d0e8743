"""seasonal_naive_forecast reaches one month further back than one period."""
TARGET = "airline.py"
REPLACE = [
    ('series[len(series) - n_test - period:len(series) - period].copy()',
     'series[len(series) - n_test - period - 1:len(series) - period - 1].copy()'),
]
HINT = 'Forecast j must be series[L - n_test + j - period]; yours is one more month back.'
