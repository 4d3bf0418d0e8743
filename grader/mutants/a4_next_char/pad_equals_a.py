"""Letters coded 0..25, so "A" shares code 0 with PAD."""
TARGET = "next_char.py"
REPLACE = [
    ("codes.append(LETTERS.index(ch) + 1)", "codes.append(LETTERS.index(ch))"),
    ('return "".join(LETTERS[int(i) - 1] for i in ids if int(i) != PAD)',
     'return "".join(LETTERS[int(i)] for i in ids)'),
    ("return LETTERS[int(logits[1:].argmax())]", "return LETTERS[int(logits[:26].argmax())]"),
]
HINT = 'Letters are coded 1..26 so that code 0 stays free for PAD: "A" must not share the padding code.'
