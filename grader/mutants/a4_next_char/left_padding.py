"""collate_alphabet pads on the left, so packing with lengths reads the wrong steps."""
TARGET = "next_char.py"
REPLACE = [
    ("padded[n, :len(prefix)] = encode_letters(prefix)", "padded[n, -len(prefix):] = encode_letters(prefix)"),
]
HINT = ('Pad on the right: the codes of each prefix first, then PAD (0) up to the longest prefix; '
        'pack_padded_sequence reads the first lengths[n] steps of each row.')
