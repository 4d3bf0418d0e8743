"""train_char_lm starts every batch from a zero state instead of carrying it."""
TARGET = "next_char.py"
REPLACE = [
    ("logits, state = model(x, detach_state(state))", "logits, state = model(x)"),
]
HINT = ('Carry the state returned by the previous batch into the next one (row b continues row b); start from'
        ' None only at the start of a pass.')
