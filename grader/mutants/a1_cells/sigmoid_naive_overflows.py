"""The textbook sigmoid 1 / (1 + exp(-x)), which overflows and warns for large negative x."""
TARGET = "cells.py"
REPLACE = [("return np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(dtype, copy=False)",
            "return (1 / (1 + np.exp(-x))).astype(dtype, copy=False)")]
HINT = ('exp(-x) overflows for large negative x. Use exp(-|x|): 1/(1+exp(-|x|)) for x >= 0 and '
        'exp(-|x|)/(1+exp(-|x|)) for x < 0.')
