"""beam_search extends every hypothesis from the first state instead of its own."""
TARGET = "attention.py"
REPLACE = [
    ("logits, next_state, _ = step(prev, hyp_state, memory, src_mask)",
     "logits, next_state, _ = step(prev, state, memory, src_mask)"),
]
HINT = ("Each hypothesis must be extended from the state returned by ITS OWN last step (keep it with the hypothesis), "
        "not from the initial state.")
