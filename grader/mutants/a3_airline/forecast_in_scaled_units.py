"""forecast_next never undoes the scaling: the model's output, still in scaled units, is used as the growth."""
TARGET = "airline.py"
REPLACE = [
    ('growth_hat = scaler.inverse_transform(scaled_hat).reshape(-1)',
     'growth_hat = scaled_hat.reshape(-1)'),
]
