"""Gates split along axis 1, which breaks unbatched inputs of shape (D,)."""
TARGET = "cells.py"
REPLACE = [("i, f, g, o = np.split(gates, 4, axis=-1)", "i, f, g, o = np.split(gates, 4, axis=1)")]
HINT = ('Split the gates along the last axis (np.split(gates, 4, axis=-1)): an unbatched input of shape (D,) '
        'gives gates with one axis only.')
