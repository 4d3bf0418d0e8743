"""forecast_next fits a new scaler on the whole history (test months included) instead of reusing the training one."""
TARGET = "airline.py"
REPLACE = [
    ('scaler = forecaster["scaler"]',
     'scaler = MinMaxScaler().fit(growth)'),
]
