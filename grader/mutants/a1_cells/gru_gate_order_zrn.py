"""GRU gates read in the order z, r, n instead of r, z, n."""
TARGET = "cells.py"
REPLACE = [("r = sigmoid(gi_r + gh_r)\n    z = sigmoid(gi_z + gh_z)", "z = sigmoid(gi_r + gh_r)\n    r = sigmoid(gi_z + gh_z)")]
HINT = ("Your gates look stacked as z, r, n; PyTorch's order is r, z, n: the first block of H rows of W_ih, "
        'W_hh, b_ih and b_hh belongs to the reset gate r.')
