"""Parameter count returned as a float instead of an int."""
TARGET = "cells.py"
REPLACE = [("return int(G * H * (D + H + 2))", "return G * H * (D + H + 2.0)")]
