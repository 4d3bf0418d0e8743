"""train_loop returns the mean of the batch losses, not the mean per sample."""
TARGET = "airline.py"
REPLACE = [
    ('total += loss.item() * len(X)\n        count += len(X)',
     'total += loss.item()\n        count += 1'),
]
HINT = ('You returned the mean of the batch means; with an unequal last batch that is not the mean per '
        "sample: weight each batch's loss by its size and divide by the number of samples.")
