"""predict_next_letter takes the argmax over all 27 scores and maps code k to LETTERS[k]."""
TARGET = "next_char.py"
REPLACE = [
    ("return LETTERS[int(logits[1:].argmax())]", "return LETTERS[int(logits.argmax()) % 26]"),
]
HINT = ('Skip the PAD score when taking the argmax: code k is LETTERS[k - 1], so take the argmax j of '
        'logits[1:] (the 26 letters) and return LETTERS[j].')
