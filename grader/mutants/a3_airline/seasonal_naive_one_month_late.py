"""seasonal_naive_forecast takes the month after the one a period before (one month too late)."""
TARGET = "airline.py"
REPLACE = [
    ('series[len(series) - n_test - period:len(series) - period].copy()',
     'series[len(series) - n_test - period + 1:len(series) - period + 1].copy()'),
]
HINT = 'Forecast j must be series[L - n_test + j - period]; yours is one month too late.'
