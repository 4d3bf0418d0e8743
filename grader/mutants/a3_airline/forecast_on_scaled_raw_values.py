"""The forecaster trains on min-max scaled raw passengers (the tutorials' pipeline), which cannot follow the trend."""
TARGET = "airline.py"
REPLACE = [
    ('growth = log_series[PERIOD:] - log_series[:-PERIOD]',
     'growth = series[PERIOD:]'),
    ('growth = log_history[PERIOD:] - log_history[:-PERIOD]',
     'growth = history[PERIOD:]'),
    ('return float(history[-PERIOD] * np.exp(growth_hat[0]))',
     'return float(growth_hat[0])'),
]
