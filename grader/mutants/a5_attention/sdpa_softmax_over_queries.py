"""scaled_dot_product_attention normalises over the queries (axis -2) instead of over the keys."""
TARGET = "attention.py"
REPLACE = [
    ("    weights = masked_softmax(scores, allowed)\n    return weights @ v, weights\n",
     "    weights = masked_softmax(scores.transpose(-2, -1), allowed.transpose(-2, -1)).transpose(-2, -1)\n"
     "    return weights @ v, weights\n"),
]
HINT = ("Your weights sum to 1 over the queries (axis -2) instead of over the keys: each query's weights over the "
        "keys (the last axis) must sum to 1.")
