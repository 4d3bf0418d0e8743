"""rmse subtracts without flattening, so (N,) minus (N, 1) broadcasts to (N, N)."""
TARGET = "airline.py"
REPLACE = [
    ('y = np.asarray(y, dtype=np.float64).reshape(-1)\n    yhat = np.asarray(yhat, dtype=np.float64).reshape(-1)',
     'y = np.asarray(y, dtype=np.float64)\n    yhat = np.asarray(yhat, dtype=np.float64)'),
]
HINT = ('y of shape (N,) minus yhat of shape (N, 1) broadcasts to (N, N): flatten both (reshape(-1)) before '
        'subtracting.')
