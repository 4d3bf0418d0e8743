"""CharLM.forward always starts from zeros, ignoring the state it is given."""
TARGET = "next_char.py"
REPLACE = [
    ("outputs, state = self.rnn(self.embed(x), state)", "outputs, state = self.rnn(self.embed(x))"),
]
HINT = ('forward(x, state) must start from the given state: pass it to the recurrent layer, '
        'self.rnn(self.embed(x), state), and return the state after the last step.')
