"""Gates split along axis 1, which breaks unbatched inputs of shape (D,)."""
TARGET = "cells.py"
REPLACE = [("i, f, g, o = np.split(gates, 4, axis=-1)", "i, f, g, o = np.split(gates, 4, axis=1)")]
