"""GRU: z and 1 - z swapped in the update, h_t = z * n + (1 - z) * h_{t-1} (and so in the backward pass)."""
TARGET = "bptt.py"
REPLACE = [
    ("h = hs[:, t] = (1.0 - z) * n + z * h", "h = hs[:, t] = z * n + (1.0 - z) * h"),
    ("dn_pre = dh * (1.0 - z) * (1.0 - n ** 2)", "dn_pre = dh * z * (1.0 - n ** 2)"),
    ("dz_pre = dh * (h_prev - n) * z * (1.0 - z)", "dz_pre = dh * (n - h_prev) * z * (1.0 - z)"),
    ("dh_next = dh * z + d_hid[:, t] @ W_hh", "dh_next = dh * (1.0 - z) + d_hid[:, t] @ W_hh"),
]
HINT = ("Your GRU mixes the states the other way round: in torch.nn.GRU z weights the OLD state, "
        "h_t = (1 - z) * n + z * h_{t-1}.")
