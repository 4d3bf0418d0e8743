"""forecast_next's input window stops one month early, so the newest month of the history never reaches the model."""
TARGET = "airline.py"
REPLACE = [
    ('window = scaler.transform(growth[-WINDOW:])',
     'window = scaler.transform(growth[-WINDOW - 1:-1])'),
]
HINT = ('The input window must end with the last month of the history (growth[-T:], not growth[-T - 1:-1]): a'
        ' one-step forecast must use the newest value.')
