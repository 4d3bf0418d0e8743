"""train_loop computes the gradients but never takes an optimizer step."""
TARGET = "airline.py"
REPLACE = [
    ('        loss.backward()\n        optimizer.step()\n',
     '        loss.backward()\n'),
]
HINT = 'The parameters did not change: call loss.backward() and optimizer.step() for every batch.'
