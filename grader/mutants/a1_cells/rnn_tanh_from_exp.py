"""tanh written out with exp, (1 - exp(-2a)) / (1 + exp(-2a)): inf / inf = NaN once a < -355 (float64) or a < -45
(float32)."""
TARGET = "cells.py"
REPLACE = [('return np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)',
            'return (1 - np.exp(-2 * a)) / (1 + np.exp(-2 * a)) if nonlinearity == "tanh" else np.maximum(a, 0)')]
HINT = ("Your tanh is written with exp, (1 - exp(-2a)) / (1 + exp(-2a)): for a large negative pre-activation "
        "exp(-2a) overflows to inf and inf / inf gives NaN. Use np.tanh, which saturates at -1 and 1.")
