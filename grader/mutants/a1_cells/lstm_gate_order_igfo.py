"""LSTM gates unpacked as i, g, f, o instead of PyTorch's i, f, g, o."""
TARGET = "cells.py"
REPLACE = [("i, f, g, o = np.split(gates, 4, axis=-1)", "i, g, f, o = np.split(gates, 4, axis=-1)")]
HINT = "Your gates look stacked as i, g, f, o; PyTorch's order is i, f, g, o."
