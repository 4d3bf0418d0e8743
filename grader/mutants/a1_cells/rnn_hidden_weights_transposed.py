"""RNN multiplies by W_hh instead of W_hh.T (no error, since W_hh is square)."""
TARGET = "cells.py"
REPLACE = [("a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh", "a = x @ W_ih.T + b_ih + h @ W_hh + b_hh")]
HINT = ('Your result matches h @ W_hh instead of h @ W_hh.T: W_hh has shape (H, H) with one row per output '
        'unit, so use W_hh.T.')
