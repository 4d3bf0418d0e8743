"""AirlineRNN always builds an LSTM whatever the cell argument says."""
TARGET = "airline.py"
REPLACE = [
    ('self.rnn = layers[cell](',
     'self.rnn = nn.LSTM('),
]
