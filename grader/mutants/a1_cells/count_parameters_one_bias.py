"""Parameter count with one bias vector per gate, as Keras does, instead of PyTorch's two."""
TARGET = "cells.py"
REPLACE = [("return int(G * H * (D + H + 2))", "return int(G * H * (D + H + 1))")]
HINT = ("You count one bias vector per gate block; PyTorch's cells keep two (b_ih and b_hh), so a cell has "
        'G*H*(D + H + 2) parameters.')
