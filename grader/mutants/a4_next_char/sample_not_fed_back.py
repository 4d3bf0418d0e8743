"""sample feeds the last prime character again at every step instead of the sampled one."""
TARGET = "next_char.py"
REPLACE = [
    ("logits, state = model(torch.tensor([[next_id]]), state)",
     "logits, state = model(vocab.encode(prime[-1]).unsqueeze(0), state)"),
]
HINT = ('Each sampled id must be the next input, as torch.tensor([[next_id]]): your model was fed something '
        'else than the character it had just sampled.')
