"""RNN adds only b_ih and forgets PyTorch's second bias b_hh."""
TARGET = "cells.py"
REPLACE = [("a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh", "a = x @ W_ih.T + b_ih + h @ W_hh.T")]
HINT = 'Your result matches a cell without the second bias: PyTorch adds both b_ih and b_hh.'
