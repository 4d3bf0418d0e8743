"""GRU output with z and 1 - z swapped: h' = z * n + (1 - z) * h."""
TARGET = "cells.py"
REPLACE = [("return (1 - z) * n + z * h", "return z * n + (1 - z) * h")]
HINT = "Your GRU swaps z and 1 - z: PyTorch's h' = (1 - z) * n + z * h, so z close to 1 keeps the old state."
