"""Truncated BPTT keeps the weight gradients of the last chunk only instead of summing over chunks."""
TARGET = "bptt.py"
REPLACE = [
    ("grads[name] = grads[name] + g[name]", "grads[name] = g[name]"),
]
