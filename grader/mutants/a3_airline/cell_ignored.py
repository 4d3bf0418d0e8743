"""AirlineRNN always builds an LSTM whatever the cell argument says."""
TARGET = "airline.py"
REPLACE = [
    ('self.rnn = layers[cell](',
     'self.rnn = nn.LSTM('),
]
HINT = ("AirlineRNN must build the layer its cell argument names: nn.RNN for 'rnn', nn.LSTM for 'lstm', "
        "nn.GRU for 'gru'.")
