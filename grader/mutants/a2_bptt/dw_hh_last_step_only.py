"""dW_hh taken from one time step (overwritten in the loop) instead of summed over all steps."""
TARGET = "bptt.py"
REPLACE = [
    ("dW_hh = das_flat.T @ h_prev.reshape(N * T, H)", "dW_hh = das[:, 0].T @ h_prev[:, 0]"),
]
HINT = ('Your dW_hh matches the gradient of a single time step. W_hh is shared by all steps: add up (+=) '
        'da_t^T @ h_{t-1} over every step.')
