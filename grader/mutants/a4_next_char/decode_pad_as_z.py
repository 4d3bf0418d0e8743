"""decode_letters maps every code k to LETTERS[k - 1] without skipping PAD, so PAD (0) comes out as "Z"."""
TARGET = "next_char.py"
REPLACE = [('return "".join(LETTERS[int(i) - 1] for i in ids if int(i) != PAD)',
            'return "".join(LETTERS[int(i) - 1] for i in ids)')]
HINT = ('decode_letters turns PAD into "Z" (LETTERS[0 - 1] is the last letter): skip the codes equal to PAD '
        "before looking letters up.")
