"""LSTM: the path h_t -> c_t uses o instead of o * (1 - tanh(c_t)**2)."""
TARGET = "bptt.py"
REPLACE = [
    ("dc = dc_next + dh * o * (1.0 - tanh_c ** 2)", "dc = dc_next + dh * o"),
]
HINT = ("The path h_t = o * tanh(c_t) back to c_t needs tanh's derivative: dc_t gets dh_t * o * (1 - "
        'tanh(c_t)**2), not dh_t * o.')
