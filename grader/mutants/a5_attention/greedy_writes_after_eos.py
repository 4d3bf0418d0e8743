"""greedy_decode keeps writing tokens in a row after its EOS instead of PAD."""
TARGET = "attention.py"
REPLACE = [
    ("prev = torch.where(done, torch.full_like(prev, PAD), logits.argmax(dim=-1))", "prev = logits.argmax(dim=-1)"),
]
HINT = ("Rows that have written EOS go on writing tokens: once a row is done, write PAD in it (keep a done mask and "
        "use torch.where).")
