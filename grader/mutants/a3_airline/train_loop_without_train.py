"""train_loop never calls model.train(), so a model left in evaluation mode trains without dropout."""
TARGET = "airline.py"
REPLACE = [
    ('    model.train()\n    total, count = 0.0, 0\n',
     '    total, count = 0.0, 0\n'),
]
HINT = ('After train_loop the model is still in evaluation mode: call model.train() at the start, so that '
        'dropout (and similar layers) behave as in training.')
