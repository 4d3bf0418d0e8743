"""AdditiveAttention takes a plain softmax: padded source positions get weight."""
TARGET = "attention.py"
REPLACE = [
    ("        weights = masked_softmax(scores, mask)\n        context = torch.bmm",
     "        weights = torch.softmax(scores, dim=-1)\n        context = torch.bmm"),
]
HINT = ("Your attention gives weight to padded source positions: use masked_softmax(scores, mask) so that padding "
        "gets exactly 0.")
