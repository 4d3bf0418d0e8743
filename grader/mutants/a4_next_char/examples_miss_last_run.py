"""alphabet_examples stops one start position early (no prefix ends in Y)."""
TARGET = "next_char.py"
REPLACE = [
    ("for start in range(len(LETTERS) - length):", "for start in range(len(LETTERS) - length - 1):"),
]
