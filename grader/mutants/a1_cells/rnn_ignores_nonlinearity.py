"""RNN always uses tanh, whatever the nonlinearity argument says."""
TARGET = "cells.py"
REPLACE = [('return np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)', "return np.tanh(a)")]
HINT = ("Your result is tanh's although nonlinearity='relu' was asked for: honour the nonlinearity argument "
        "(np.maximum(a, 0) for 'relu').")
