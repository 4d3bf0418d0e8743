"""masked_softmax computes exp(scores) without subtracting the row maximum: large scores overflow."""
TARGET = "attention.py"
REPLACE = [
    ("    return torch.softmax(filled, dim=-1) * mask\n",
     "    e = torch.exp(scores) * mask\n    return e / e.sum(dim=-1, keepdim=True)\n"),
]
HINT = ("Large scores (1e4) gave inf or NaN: exp(1e4) overflows. Subtract each row's maximum before exp, or use "
        "torch.softmax, which does it for you; and a row with nothing allowed must be zeros, not 0/0.")
