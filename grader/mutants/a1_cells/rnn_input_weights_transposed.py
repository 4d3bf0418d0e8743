"""RNN multiplies x by W_ih instead of W_ih.T (no error only when D == H)."""
TARGET = "cells.py"
REPLACE = [("a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh", "a = x @ W_ih + b_ih + h @ W_hh.T + b_hh")]
HINT = "Your result matches x @ W_ih instead of x @ W_ih.T: W_ih has shape (H, D), so use W_ih.T."
