"""train_char_lm carries the state without detach(): the graph grows across batches."""
TARGET = "next_char.py"
REPLACE = [
    ("logits, state = model(x, detach_state(state))", "logits, state = model(x, state)"),
]
