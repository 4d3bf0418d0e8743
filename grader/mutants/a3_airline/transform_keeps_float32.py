"""MinMaxScaler.transform computes in the input's dtype: a float32 array comes back as float32."""
TARGET = "airline.py"
REPLACE = [
    ("x = np.asarray(x, dtype=np.float64)\n        return (x - self.data_min_) / (self.data_max_ - self.data_min_)",
     "x = np.asarray(x)\n        return (x - self.data_min_) / (self.data_max_ - self.data_min_)"),
]
HINT = ("transform returns float32 for a float32 input (numpy keeps the array's dtype when it meets a Python float): "
        "it promises float64, so convert first with x = np.asarray(x, dtype=np.float64).")
