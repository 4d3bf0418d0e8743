"""Adagrad moves along the gradient (p + lr * ...) instead of against it."""
TARGET = "bptt.py"
REPLACE = [
    ("params[name] - lr * grads[name]", "params[name] + lr * grads[name]"),
]
