"""forecast_next fits a new scaler on the whole history (test months included) instead of reusing the training one."""
TARGET = "airline.py"
REPLACE = [
    ('scaler = forecaster["scaler"]',
     'scaler = MinMaxScaler().fit(growth)'),
]
HINT = ('forecast_next seems to learn from the history again: fit the scaler (and every other statistic) '
        'once, in fit_forecaster, on the training months; forecast_next only applies it (transform, '
        'inverse_transform), it never calls fit.')
