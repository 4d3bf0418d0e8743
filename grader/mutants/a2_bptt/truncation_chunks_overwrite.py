"""Truncated BPTT keeps the weight gradients of the last chunk only instead of summing over chunks."""
TARGET = "bptt.py"
REPLACE = [
    ("grads[name] = grads[name] + g[name]", "grads[name] = g[name]"),
]
HINT = ('dx and dh0 are right but the weight gradients are not: add up the weight gradients of ALL chunks (do'
        " not replace the running sum by one chunk's gradients).")
