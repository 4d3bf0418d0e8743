"""The causal mask hides the diagonal too: a query cannot attend its own position."""
TARGET = "attention.py"
REPLACE = [
    ("        allowed = torch.tril(allowed)\n", "        allowed = torch.tril(allowed, diagonal=-1)\n"),
]
HINT = ("Your causal mask is off by one: query i must attend keys j <= i, its own position included "
        "(torch.tril(ones(L, S)), diagonal 0).")
