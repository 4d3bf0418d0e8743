"""LSTM gates unpacked as i, f, o, g instead of PyTorch's i, f, g, o."""
TARGET = "cells.py"
REPLACE = [("i, f, g, o = np.split(gates, 4, axis=-1)", "i, f, o, g = np.split(gates, 4, axis=-1)")]
HINT = "Your gates look stacked as i, f, o, g; PyTorch's order is i, f, g, o."
