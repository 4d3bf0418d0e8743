"""sigmoid always returns float64, so float32 inputs come back in the wrong dtype."""
TARGET = "cells.py"
REPLACE = [("return np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(dtype, copy=False)",
            "return np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(np.float64)")]
HINT = ('sigmoid returns float64 for a float32 input: keep the dtype of the input (float32 in, float32 out), '
        'e.g. with .astype(x.dtype).')
