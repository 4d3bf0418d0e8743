"""GRU writes its result into the caller's h array in place."""
TARGET = "cells.py"
REPLACE = [("return (1 - z) * n + z * h", "h *= z\n    h += (1 - z) * n\n    return h")]
HINT = ("gru_cell writes into the caller's h (h *= ..., h += ...). Never change an input: compute a new "
        'array, e.g. return (1 - z) * n + z * h.')
