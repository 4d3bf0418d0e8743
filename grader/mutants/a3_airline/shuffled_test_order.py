"""forecast_next gives the model its window newest month first, the reverse of the time order it was trained on."""
TARGET = "airline.py"
REPLACE = [
    ('window = scaler.transform(growth[-WINDOW:])',
     'window = scaler.transform(growth[-WINDOW:][::-1])'),
]
HINT = ('The input window must be in time order, oldest month first, exactly as the training windows were: do'
        ' not reverse or reorder growth[-T:].')
