"""test_loop returns the mean of the batch losses, not the mean per sample."""
TARGET = "airline.py"
REPLACE = [
    ('total += loss_fn(model(X), y).item() * len(X)\n            count += len(X)',
     'total += loss_fn(model(X), y).item()\n            count += 1'),
]
HINT = ('test_loop returned the mean of the batch means; with an unequal last batch that is not the mean per '
        "sample: weight each batch's loss by its size.")
