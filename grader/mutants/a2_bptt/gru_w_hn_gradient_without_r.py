"""GRU backward: the gradient of the hidden-side n block (W_hn, b_hn, and h_{t-1} through it) leaves out the factor r."""
TARGET = "bptt.py"
REPLACE = [
    ("d_hid[:, t, 2 * H:] = dn_pre * r", "d_hid[:, t, 2 * H:] = dn_pre"),
]
HINT = ("Your gradients of W_hn and b_hn (the n block of W_hh and b_hh) and of h_{t-1} miss the reset gate: "
        "since n = tanh(x_n + r * (h_{t-1} @ W_hn.T + b_hn)), the gradient reaching h_{t-1} @ W_hn.T + b_hn is "
        "d_n * r.")
