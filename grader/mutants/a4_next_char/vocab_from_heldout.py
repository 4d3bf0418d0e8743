"""prepare_texts builds the vocabulary from the held-out text."""
TARGET = "next_char.py"
REPLACE = [
    ("vocab = CharVocab(train_text)\n", "vocab = CharVocab(heldout_text)\n"),
]
