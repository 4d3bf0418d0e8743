"""MinMaxScaler.transform re-fits on the data it is given (test range leaks in)."""
TARGET = "airline.py"
REPLACE = [
    ('        x = np.asarray(x, dtype=np.float64)\n        return (x - self.data_min_)',
     '        x = np.asarray(x, dtype=np.float64)\n        self.fit(x)\n        return (x - self.data_min_)'),
]
HINT = ("transform re-fitted the scaler on the data it was given. That leaks the test range into the model's "
        'inputs; transform must only use data_min_ and data_max_ from fit.')
