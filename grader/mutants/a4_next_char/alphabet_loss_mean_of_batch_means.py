"""train_alphabet reports the mean of the batch losses, which over-weights the small last batch."""
TARGET = "next_char.py"
REPLACE = [
    ("total += loss.item() * len(batch)", "total += loss.item()"),
    ("history.append(total / len(examples))", "history.append(total / math.ceil(len(examples) / 16))"),
]
HINT = ('Your epoch loss is the mean of the batch means; the last mini-batch is smaller, so weight each batch '
        "loss by its size: add loss.item() * len(batch) and divide by len(examples).")
