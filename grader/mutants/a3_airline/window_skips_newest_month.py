"""forecast_next's input window stops one month early, so the newest month of the history never reaches the model."""
TARGET = "airline.py"
REPLACE = [
    ('window = scaler.transform(growth[-WINDOW:])',
     'window = scaler.transform(growth[-WINDOW - 1:-1])'),
]
