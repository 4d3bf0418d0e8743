"""tanh' computed as 1 - a**2 on the pre-activation a instead of 1 - h**2 on the output."""
TARGET = "bptt.py"
REPLACE = [
    ("das[:, t] = dh * (1.0 - h ** 2)", "das[:, t] = dh * (1.0 - a[:, t] ** 2)"),
]
