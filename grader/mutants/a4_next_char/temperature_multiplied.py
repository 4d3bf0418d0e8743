"""sample multiplies the logits by the temperature instead of dividing."""
TARGET = "next_char.py"
REPLACE = [
    ("probs = F.softmax(last / temperature, dim=-1)", "probs = F.softmax(last * temperature, dim=-1)"),
]
HINT = 'Divide the logits by the temperature (do not multiply): probs = softmax(logits / temperature).'
