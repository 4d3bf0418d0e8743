"""GRU: the reset gate multiplies h_{t-1} before the matrix product (Cho et al.'s variant), not h_{t-1} W_hn^T + b_hn."""
TARGET = "bptt.py"
REPLACE = [
    ("act[:, 2 * H:] = np.tanh(x_proj[:, t, 2 * H:] + r * hns[:, t])",
     "act[:, 2 * H:] = np.tanh(x_proj[:, t, 2 * H:] + (r * h) @ W_hh[2 * H:].T + b_hh[2 * H:])"),
]
HINT = ("Your GRU applies the reset gate before the matrix product, n = tanh(x_n + (r * h_{t-1}) @ W_hn.T + b_hn) "
        "(the variant of Cho et al., 2014). torch.nn.GRU applies it after: n = tanh(x_n + r * (h_{t-1} @ W_hn.T + "
        "b_hn)).")
