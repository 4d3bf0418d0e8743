"""masked_softmax fills masked scores with -inf: a row with nothing allowed becomes NaN."""
TARGET = "attention.py"
REPLACE = [
    ("filled = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)", "filled = scores.masked_fill(~mask, float(\"-inf\"))"),
]
HINT = ("A row in which every position is masked came back as NaN: the softmax of a row of -inf is 0/0. Fill masked "
        "scores with torch.finfo(dtype).min instead and multiply the result by the mask, so such a row is all zeros.")
