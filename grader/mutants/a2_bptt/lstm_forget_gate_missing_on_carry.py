"""LSTM: the cell gradient is carried back as dc instead of dc * f (forget gate left out)."""
TARGET = "bptt.py"
REPLACE = [
    ("dc_next = dc * f", "dc_next = dc"),
]
