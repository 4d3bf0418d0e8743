"""alphabet_examples stops one start position early (no prefix ends in Y)."""
TARGET = "next_char.py"
REPLACE = [
    ("for start in range(len(LETTERS) - length):", "for start in range(len(LETTERS) - length - 1):"),
]
HINT = ('Check the range of start positions: for each length the last prefix ends in Y (its next letter is '
        'Z), so start runs over range(26 - length).')
