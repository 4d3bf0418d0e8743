"""AirlineRNN reads the hidden state of the first time step instead of the last."""
TARGET = "airline.py"
REPLACE = [
    ('return self.head(outputs[:, -1, :])',
     'return self.head(outputs[:, 0, :])'),
]
HINT = 'The output is computed from the FIRST time step; use the hidden state at the last step, outputs[:, -1, :].'
