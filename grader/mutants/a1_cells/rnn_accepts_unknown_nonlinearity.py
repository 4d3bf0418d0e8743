"""rnn_cell never checks its nonlinearity argument: anything but "tanh" silently gives ReLU."""
TARGET = "cells.py"
REPLACE = [("    if nonlinearity not in (\"tanh\", \"relu\"):\n"
            "        raise ValueError(f\"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}\")\n", "")]
HINT = ("rnn_cell(..., nonlinearity='sigmoid') returned ReLU's result: an unknown nonlinearity must raise "
        "ValueError (check the argument first), not fall through to the 'relu' branch.")
