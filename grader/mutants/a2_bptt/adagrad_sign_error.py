"""Adagrad moves along the gradient (p + lr * ...) instead of against it."""
TARGET = "bptt.py"
REPLACE = [
    ("params[name] - lr * grads[name]", "params[name] + lr * grads[name]"),
]
HINT = 'Your parameters move along the gradient: Adagrad steps against it, p <- p - lr * g / (sqrt(s) + eps).'
