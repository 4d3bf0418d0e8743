"""AirlineRNN reads the final state of the FIRST layer (h_n[0]): right with one layer, wrong with num_layers > 1."""
TARGET = "airline.py"
REPLACE = [("        outputs, _ = self.rnn(x)\n        return self.head(outputs[:, -1, :])",
            "        _, state = self.rnn(x)\n        h_n = state[0] if isinstance(state, tuple) else state\n"
            "        return self.head(h_n[0])")]
HINT = ("with num_layers=2 your forecast reads the FIRST layer's final state (h_n[0]); the linear layer must read the "
        "last layer's: h_n[-1], or outputs[:, -1, :], which torch fills from the last layer.")
