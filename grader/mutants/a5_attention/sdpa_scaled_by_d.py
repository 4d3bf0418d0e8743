"""scaled_dot_product_attention divides the scores by d instead of sqrt(d)."""
TARGET = "attention.py"
REPLACE = [
    ("scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])", "scores = q @ k.transpose(-2, -1) / q.shape[-1]"),
]
HINT = "Your scores look divided by d, the size of a query; scaled dot-product attention divides by sqrt(d)."
