"""tanh' computed as 1 - a**2 on the pre-activation a instead of 1 - h**2 on the output."""
TARGET = "bptt.py"
REPLACE = [
    ("das[:, t] = dh * (1.0 - h ** 2)", "das[:, t] = dh * (1.0 - a[:, t] ** 2)"),
]
HINT = ("Your gradients match taking tanh' on the pre-activation (1 - a**2). The derivative of tanh(a) is 1 -"
        ' tanh(a)**2 = 1 - h**2, with h the OUTPUT of tanh.')
