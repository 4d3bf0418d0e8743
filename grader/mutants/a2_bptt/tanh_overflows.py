"""rnn_forward writes tanh as (1 - exp(-2a)) / (1 + exp(-2a)), which overflows (NaN) for large negative a."""
TARGET = "bptt.py"
REPLACE = [
    ("h = np.tanh(a[:, t]) if nonlinearity == \"tanh\" else np.maximum(a[:, t], 0.0)",
     "h = (1 - np.exp(-2 * a[:, t])) / (1 + np.exp(-2 * a[:, t])) if nonlinearity == \"tanh\" "
     "else np.maximum(a[:, t], 0.0)"),
]
HINT = ("Your tanh overflows: (1 - exp(-2a)) / (1 + exp(-2a)) is inf / inf = NaN once exp(-2a) overflows "
        "(a < -355 in float64, a < -44 in float32). Use np.tanh, which saturates to -1 and 1.")
