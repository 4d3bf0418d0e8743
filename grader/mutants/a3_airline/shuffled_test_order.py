"""forecast_next gives the model its window newest month first, the reverse of the time order it was trained on."""
TARGET = "airline.py"
REPLACE = [
    ('window = scaler.transform(growth[-WINDOW:])',
     'window = scaler.transform(growth[-WINDOW:][::-1])'),
]
