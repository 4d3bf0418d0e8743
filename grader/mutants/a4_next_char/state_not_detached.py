"""train_char_lm carries the state without detach(): the graph grows across batches."""
TARGET = "next_char.py"
REPLACE = [
    ("logits, state = model(x, detach_state(state))", "logits, state = model(x, state)"),
]
HINT = ('detach() the state between batches (detach_state): otherwise backpropagation runs through the whole '
        'history and the graph grows.')
