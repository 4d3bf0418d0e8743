"""AirlineRNN's recurrent layer is built without batch_first=True, so it reads (N, T, 1) as time first."""
TARGET = "airline.py"
REPLACE = [
    ('num_layers=num_layers,\n                                batch_first=True)',
     'num_layers=num_layers)'),
]
