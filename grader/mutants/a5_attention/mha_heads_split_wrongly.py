"""MultiHeadAttention splits heads with view(N, h, L, d) instead of view(N, L, h, d).transpose(1, 2)."""
TARGET = "attention.py"
REPLACE = [
    ("return F.linear(x, weight, bias).view(x.shape[0], x.shape[1], heads, d).transpose(1, 2)",
     "return F.linear(x, weight, bias).view(x.shape[0], heads, x.shape[1], d)"),
]
HINT = ("Your heads mix time steps: .view(N, h, L, d) on an (N, L, E) tensor does not split the features into heads. "
        "Use .view(N, L, h, d).transpose(1, 2), so head i gets features i*d .. (i+1)*d - 1 of every position.")
