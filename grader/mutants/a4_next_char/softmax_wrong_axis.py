"""sample takes the softmax over the time axis instead of the vocabulary axis."""
TARGET = "next_char.py"
REPLACE = [
    ("probs = F.softmax(last / temperature, dim=-1)",
     "probs = F.softmax(logits[0] / temperature, dim=0)[-1]"),
]
HINT = ("Take the softmax of the LAST time step's scores over the vocabulary axis: F.softmax(logits[0, -1] / "
        'temperature, dim=-1).')
