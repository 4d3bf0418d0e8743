"""Parameter count returned as a float instead of an int."""
TARGET = "cells.py"
REPLACE = [("return int(G * H * (D + H + 2))", "return G * H * (D + H + 2.0)")]
HINT = ('count_parameters must return an int: keep the arithmetic in integers (no 2.0, no /), or convert the '
        'result with int(...).')
