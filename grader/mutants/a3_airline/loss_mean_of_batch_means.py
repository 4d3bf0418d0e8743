"""train_loop returns the mean of the batch losses, not the mean per sample."""
TARGET = "airline.py"
REPLACE = [
    ('total += loss.item() * len(X)\n        count += len(X)',
     'total += loss.item()\n        count += 1'),
]
