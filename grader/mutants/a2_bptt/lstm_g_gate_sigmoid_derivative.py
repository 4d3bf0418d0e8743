"""LSTM: the candidate g gets the sigmoid derivative g * (1 - g) instead of tanh's 1 - g**2."""
TARGET = "bptt.py"
REPLACE = [
    ("dc * i * (1.0 - g ** 2)", "dc * i * g * (1.0 - g)"),
]
HINT = "The candidate g comes from tanh, so its derivative is 1 - g**2, not the sigmoid's g * (1 - g)."
