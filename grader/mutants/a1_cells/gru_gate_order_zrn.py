"""GRU gates read in the order z, r, n instead of r, z, n."""
TARGET = "cells.py"
REPLACE = [("r = sigmoid(gi_r + gh_r)\n    z = sigmoid(gi_z + gh_z)", "z = sigmoid(gi_r + gh_r)\n    r = sigmoid(gi_z + gh_z)")]
