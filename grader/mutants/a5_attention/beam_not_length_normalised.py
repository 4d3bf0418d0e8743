"""beam_search picks its answer by total log-probability, not by total / len ** alpha."""
TARGET = "attention.py"
REPLACE = [
    ("tokens, total, _ = max(finished, key=lambda c: c[1] / len(c[0]) ** alpha)",
     "tokens, total, _ = max(finished, key=lambda c: c[1])"),
]
HINT = ("Your beam search prefers short hypotheses: choose the finished hypothesis with the highest total / "
        "len ** alpha (length normalisation), not the highest total.")
