"""greedy_decode feeds BOS at every step instead of the token it just predicted."""
TARGET = "attention.py"
REPLACE = [
    ("        logits, state, _ = step(prev, state, memory, src_mask)\n        prev = torch.where",
     "        logits, state, _ = step(torch.full_like(prev, BOS), state, memory, src_mask)\n        prev = torch.where"),
]
HINT = ("Your greedy decoder does not feed back its predictions: after the first step (BOS), each step must read the "
        "token predicted at the step before.")
