"""LSTM updates the caller's cell state c in place (c *= f; c += i * g) and returns it as c_next."""
TARGET = "cells.py"
REPLACE = [("c_next = sigmoid(f) * c + sigmoid(i) * np.tanh(g)",
            "c *= sigmoid(f)\n    c += sigmoid(i) * np.tanh(g)\n    c_next = c")]
HINT = ("lstm_cell writes into the caller's c (c *= ..., c += ...), so the caller's previous cell state is "
        "lost. Compute a new array: c_next = f * c + i * g.")
