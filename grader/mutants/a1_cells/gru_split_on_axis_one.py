"""GRU projections split along axis 1, which breaks unbatched inputs of shape (D,)."""
TARGET = "cells.py"
REPLACE = [("gi_r, gi_z, gi_n = np.split(x @ W_ih.T + b_ih, 3, axis=-1)",
            "gi_r, gi_z, gi_n = np.split(x @ W_ih.T + b_ih, 3, axis=1)"),
           ("gh_r, gh_z, gh_n = np.split(h @ W_hh.T + b_hh, 3, axis=-1)",
            "gh_r, gh_z, gh_n = np.split(h @ W_hh.T + b_hh, 3, axis=1)")]
HINT = ("gru_cell fails on an unbatched input x of shape (D,): split the projections along the last axis "
        "(np.split(..., 3, axis=-1)), which is axis 0 when there is no batch axis.")
