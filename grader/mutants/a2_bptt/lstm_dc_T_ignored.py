"""lstm_backward accepts dc_T but starts the cell-state gradient from zeros anyway."""
TARGET = "bptt.py"
REPLACE = [
    ("dc_next = np.zeros_like(c0) if dc_T is None else dc_T", "dc_next = np.zeros_like(c0)"),
]
HINT = ("Your lstm_backward ignores dc_T: the gradient reaching the last cell state c_T from after the last step "
        "is dc_T (zeros only when it is None), so start the carried cell gradient from it.")
