"""forecast trains on min-max scaled raw passengers (the tutorials' pipeline), which cannot follow the trend."""
TARGET = "airline.py"
REPLACE = [
    ('growth = log_series[period:] - log_series[:-period]',
     'growth = series[period:]'),
    ('return series[len(series) - n_test - period:len(series) - period] * np.exp(growth_hat)',
     'return growth_hat'),
]
