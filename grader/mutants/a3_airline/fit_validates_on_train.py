"""fit computes val_loss on the training loader instead of the validation loader."""
TARGET = "airline.py"
REPLACE = [
    ('history["val_loss"].append(test_loop(val_loader, model, loss_fn))',
     'history["val_loss"].append(test_loop(train_loader, model, loss_fn))'),
]
