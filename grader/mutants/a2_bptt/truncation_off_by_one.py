"""Truncated BPTT starts each chunk from its own first state hs[:, start] instead of hs[:, start - 1]."""
TARGET = "bptt.py"
REPLACE = [
    ('h_start = cache["h0"] if start == 0 else hs[:, start - 1]', 'h_start = cache["h0"] if start == 0 else hs[:, start]'),
]
HINT = ('Each chunk starts from the last state of the chunk before, hs[:, start - 1] (h0 for the first '
        'chunk), not from hs[:, start]: dW_hh pairs da_t with h_{t-1}.')
