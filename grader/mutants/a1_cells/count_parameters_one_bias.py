"""Parameter count with one bias vector per gate, as Keras does, instead of PyTorch's two."""
TARGET = "cells.py"
REPLACE = [("return int(G * H * (D + H + 2))", "return int(G * H * (D + H + 1))")]
