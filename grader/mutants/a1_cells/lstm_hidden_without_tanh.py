"""h' = o * c' instead of o * tanh(c')."""
TARGET = "cells.py"
REPLACE = [("h_next = sigmoid(o) * np.tanh(c_next)", "h_next = sigmoid(o) * c_next")]
HINT = "h' must be o * tanh(c'), not o * c'."
