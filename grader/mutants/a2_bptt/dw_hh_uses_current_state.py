"""dW_hh built from h_t instead of h_{t-1} (the state that actually multiplied W_hh)."""
TARGET = "bptt.py"
REPLACE = [
    ("h_prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)  # (N, T, H), h_{t-1}", "h_prev = hs"),
]
HINT = ('dW_hh pairs da_t with h_t; the state that multiplied W_hh at step t is h_{t-1} (h0 at the first '
        'step): dW_hh = sum over t of da_t^T @ h_{t-1}.')
