"""collate_alphabet pads on the left, so packing with lengths reads the wrong steps."""
TARGET = "next_char.py"
REPLACE = [
    ("padded[n, :len(prefix)] = encode_letters(prefix)", "padded[n, -len(prefix):] = encode_letters(prefix)"),
]
