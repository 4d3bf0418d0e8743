"""The input and forget gates swap roles in the cell update: c' = i * c + f * g."""
TARGET = "cells.py"
REPLACE = [("c_next = sigmoid(f) * c + sigmoid(i) * np.tanh(g)", "c_next = sigmoid(i) * c + sigmoid(f) * np.tanh(g)")]
