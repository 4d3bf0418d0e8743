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
HINT = ('A network trained on min-max scaled raw passengers cannot follow the trend out of the training '
        'range: train on the seasonal log-differences d[t] = log x[t] - log x[t - 12] and forecast x[t - 12] '
        '* exp(d).')
DIAGNOSIS = False
REASON = 'its forecasts come from a network trained in the worker, which the grader cannot reproduce bit for bit'
