"""GRU reset gate applied to h before W_hn (n = tanh(W_in x + b_in + W_hn (r * h) + b_hn))."""
TARGET = "cells.py"
REPLACE = [("n = np.tanh(gi_n + r * gh_n)",
            "n = np.tanh(gi_n + (r * h) @ np.split(W_hh, 3)[2].T + np.split(b_hh, 3)[2])")]
HINT = ('Your GRU applies the reset gate to h before W_hn; PyTorch computes n = tanh(W_in x + b_in + r * '
        '(W_hn h + b_hn)), r scaling the whole hidden projection, its bias included.')
