"""count_parameters looks the cell up in a dict without checking it first: an unknown cell raises KeyError, not ValueError."""
TARGET = "cells.py"
REPLACE = [("    if cell not in gates:\n        raise ValueError(f\"cell must be 'rnn', 'lstm' or 'gru', got {cell!r}\")\n",
            "")]
HINT = ("An unknown cell reaches the dict lookup gates[cell] and raises KeyError; the docstring promises "
        "ValueError: check `if cell not in (...)` first and `raise ValueError(...)`.")
