"""prepare_texts builds the vocabulary from the held-out text."""
TARGET = "next_char.py"
REPLACE = [
    ("vocab = CharVocab(train_text)\n", "vocab = CharVocab(heldout_text)\n"),
]
HINT = ('Build the vocabulary from the training text only, never from the held-out text: the held-out text '
        'must not shape the model, and it may lack characters of the training text.')
