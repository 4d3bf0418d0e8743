"""masked_softmax takes the softmax over every position and zeroes the masked ones afterwards (rows no longer sum to 1)."""
TARGET = "attention.py"
REPLACE = [
    ("    return torch.softmax(filled, dim=-1) * mask\n", "    return torch.softmax(scores, dim=-1) * mask\n"),
]
HINT = ("Your weights look like a softmax over ALL positions with the masked ones set to 0 afterwards, so a row no "
        "longer sums to 1. Mask the scores BEFORE the softmax (fill them with torch.finfo(dtype).min).")
