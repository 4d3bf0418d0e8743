"""clip_grad_norm rescales the arrays it was given in place and returns the same dict."""
TARGET = "bptt.py"
REPLACE = [
    ("clipped = {name: g * scale for name, g in grads.items()}",
     "for g in grads.values():\n        g *= scale\n    clipped = grads"),
]
HINT = ("Your clip_grad_norm rescales the caller's arrays in place (g *= scale) and returns the same dict: build a "
        "new dict of new arrays, {name: g * scale for ...}.")
