"""dW_hh built from h_t instead of h_{t-1} (the state that actually multiplied W_hh)."""
TARGET = "bptt.py"
REPLACE = [
    ("h_prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)  # (N, T, H), h_{t-1}", "h_prev = hs"),
]
