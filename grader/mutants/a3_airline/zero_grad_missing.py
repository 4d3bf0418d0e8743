"""train_loop never clears the gradients, so they accumulate across batches."""
TARGET = "airline.py"
REPLACE = [
    ('        optimizer.zero_grad()\n',
     ''),
]
HINT = ('The gradients of earlier batches were added to later ones: call optimizer.zero_grad() before '
        'loss.backward() in every batch.')
