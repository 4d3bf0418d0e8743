"""sigmoid keeps an integer input's dtype, so its values are cut to whole numbers."""
TARGET = "cells.py"
REPLACE = [("dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64", "dtype = x.dtype")]
HINT = ("sigmoid of an integer array came back as integers (its values cut to whole numbers): only a floating input "
        "keeps its dtype; an integer input gives float64, e.g. dtype = x.dtype if np.issubdtype(x.dtype, np.floating) "
        "else np.float64.")
