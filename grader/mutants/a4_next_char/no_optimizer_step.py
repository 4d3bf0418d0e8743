"""train_char_lm computes gradients but never updates the weights."""
TARGET = "next_char.py"
REPLACE = [
    ("        nn.utils.clip_grad_norm_(model.parameters(), clip)\n        optimizer.step()\n",
     "        nn.utils.clip_grad_norm_(model.parameters(), clip)\n"),
]
HINT = ('Your training loss does not fall: after loss.backward() and the clipping, call optimizer.step() at '
        'every step, or the weights never change.')
