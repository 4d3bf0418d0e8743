"""fit computes val_loss on the training loader instead of the validation loader."""
TARGET = "airline.py"
REPLACE = [
    ('history["val_loss"].append(test_loop(val_loader, model, loss_fn))',
     'history["val_loss"].append(test_loop(train_loader, model, loss_fn))'),
]
HINT = "history['val_loss'] must come from test_loop on val_loader; yours matches test_loop on train_loader."
