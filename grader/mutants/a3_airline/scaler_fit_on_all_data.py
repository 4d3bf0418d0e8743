"""The scaler in forecast is fitted on the whole series, test months included (leakage)."""
TARGET = "airline.py"
REPLACE = [
    ('scaler = MinMaxScaler().fit(growth[:n_train])',
     'scaler = MinMaxScaler().fit(growth)'),
]
