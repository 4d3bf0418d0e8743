"""MultiHeadAttention returns the weights of head 0 instead of their mean over the heads."""
TARGET = "attention.py"
REPLACE = [
    ("return self.out_proj(output), weights.mean(dim=1)", "return self.out_proj(output), weights[:, 0]"),
]
HINT = "Your weights are those of the first head only; nn.MultiheadAttention returns their mean over the heads."
