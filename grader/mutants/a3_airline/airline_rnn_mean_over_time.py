"""AirlineRNN averages the hidden states over time instead of reading the last one."""
TARGET = "airline.py"
REPLACE = [
    ('return self.head(outputs[:, -1, :])',
     'return self.head(outputs.mean(dim=1))'),
]
HINT = 'The output averages over time steps; use the hidden state at the last step only, outputs[:, -1, :].'
