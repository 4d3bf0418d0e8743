"""CharVocab numbers the characters in the order they first appear instead of sorted order."""
TARGET = "next_char.py"
REPLACE = [
    ("self.chars = sorted(set(text))", "self.chars = list(dict.fromkeys(text))"),
]
HINT = ("Your ids follow the order in which characters first appear in the text; CharVocab promises sorted "
        "order: self.chars = sorted(set(text)), so that the same characters always get the same ids.")
