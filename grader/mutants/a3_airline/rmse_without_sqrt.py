"""rmse returns the mean squared error (no square root)."""
TARGET = "airline.py"
REPLACE = [
    ('return float(np.sqrt(np.mean((y - yhat) ** 2)))',
     'return float(np.mean((y - yhat) ** 2))'),
]
HINT = 'That is the mean squared error: take its square root.'
