"""CharLM always builds an LSTM, whatever the cell argument says."""
TARGET = "next_char.py"
REPLACE = [
    ("self.rnn = layers[cell](embed_dim, hidden_size, num_layers=num_layers, batch_first=True)",
     "self.rnn = nn.LSTM(embed_dim, hidden_size, num_layers=num_layers, batch_first=True)"),
]
HINT = ('Your CharLM builds the same recurrent layer whatever `cell` says: use nn.RNN for "rnn", nn.LSTM for '
        '"lstm" and nn.GRU for "gru" (e.g. a dict from the name to the class).')
