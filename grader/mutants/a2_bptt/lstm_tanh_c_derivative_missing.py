"""LSTM: the path h_t -> c_t uses o instead of o * (1 - tanh(c_t)**2)."""
TARGET = "bptt.py"
REPLACE = [
    ("dc = dc_next + dh * o * (1.0 - tanh_c ** 2)", "dc = dc_next + dh * o"),
]
