"""forecast never undoes the scaling, so its predictions (and any RMSE on them) are in scaled units."""
TARGET = "airline.py"
REPLACE = [
    ('growth_hat = scaler.inverse_transform(scaled_hat).reshape(-1)',
     'growth_hat = scaled_hat.reshape(-1)'),
]
