"""The input and forget gates swap roles in the cell update: c' = i * c + f * g."""
TARGET = "cells.py"
REPLACE = [("c_next = sigmoid(f) * c + sigmoid(i) * np.tanh(g)", "c_next = sigmoid(i) * c + sigmoid(f) * np.tanh(g)")]
HINT = ("Your input and forget gates swap roles: c' = f * c + i * g, where the forget gate f (the second "
        'block of H rows) scales the old cell state and the input gate i (the first block) the candidate g.')
