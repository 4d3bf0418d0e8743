"""MultiHeadAttention forgets the output projection."""
TARGET = "attention.py"
REPLACE = [
    ("return self.out_proj(output), weights.mean(dim=1)", "return output, weights.mean(dim=1)"),
]
HINT = "Your output skips out_proj: the heads' outputs, put side by side, go through self.out_proj last."
