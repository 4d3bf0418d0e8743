"""train_char_lm computes gradients but never updates the weights."""
TARGET = "next_char.py"
REPLACE = [
    ("        nn.utils.clip_grad_norm_(model.parameters(), clip)\n        optimizer.step()\n",
     "        nn.utils.clip_grad_norm_(model.parameters(), clip)\n"),
]
