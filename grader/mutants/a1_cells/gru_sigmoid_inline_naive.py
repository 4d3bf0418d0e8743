"""GRU computes its gates with the textbook 1 / (1 + exp(-a)) instead of the stable sigmoid: the values come out
right (exp(1000) = inf, 1 / inf = 0), but exp overflows and numpy warns, in float32 and float64 alike."""
TARGET = "cells.py"
REPLACE = [("r = sigmoid(gi_r + gh_r)\n    z = sigmoid(gi_z + gh_z)",
            "r = 1 / (1 + np.exp(-(gi_r + gh_r)))\n    z = 1 / (1 + np.exp(-(gi_z + gh_z)))")]
HINT = ("Your GRU gates use 1 / (1 + np.exp(-a)) directly: for a large negative pre-activation exp(-a) overflows "
        "(RuntimeWarning: overflow encountered in exp). Use the stable sigmoid you wrote above for r and z.")
