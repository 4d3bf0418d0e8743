"""train_loop never clears the gradients, so they accumulate across batches."""
TARGET = "airline.py"
REPLACE = [
    ('        optimizer.zero_grad()\n',
     ''),
]
