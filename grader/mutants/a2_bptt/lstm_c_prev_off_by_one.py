"""LSTM: df uses the current cell state c_t instead of c_{t-1}."""
TARGET = "bptt.py"
REPLACE = [
    ("c_prev = c0 if t == 0 else cs[:, t - 1]", "c_prev = cs[:, t]"),
]
HINT = ('df_t uses the new cell state c_t; the forget gate multiplied c_{t-1} (c0 at the first step), so the '
        "forget gate's gradient is dc_t * c_{t-1} * f_t * (1 - f_t).")
