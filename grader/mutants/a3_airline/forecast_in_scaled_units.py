"""forecast_next never undoes the scaling: the model's output, still in scaled units, is used as the growth."""
TARGET = "airline.py"
REPLACE = [
    ('growth_hat = scaler.inverse_transform(scaled_hat).reshape(-1)',
     'growth_hat = scaled_hat.reshape(-1)'),
]
HINT = ('Undo the scaling before the differencing: the model predicts scaled values, so pass its output '
        "through the fitted scaler's inverse_transform first.")
DIAGNOSIS = False
REASON = 'its forecasts come from a network trained in the worker, which the grader cannot reproduce bit for bit'
