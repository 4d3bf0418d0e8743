"""AirlineRNN's recurrent layer is built without batch_first=True, so it reads (N, T, 1) as time first."""
TARGET = "airline.py"
REPLACE = [
    ('num_layers=num_layers,\n                                batch_first=True)',
     'num_layers=num_layers)'),
]
HINT = ('The recurrent layer must be built with batch_first=True: inputs are (N, T, 1), and without it the '
        'layer reads them as (T, N, 1).')
