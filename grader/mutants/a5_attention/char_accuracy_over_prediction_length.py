"""sequence_accuracy divides the matched characters by the predictions' length instead of the targets'."""
TARGET = "attention.py"
REPLACE = [
    ("return float(exact), right / sum(len(t) for t in targets)", "return float(exact), right / sum(len(p) for p in predictions)"),
]
HINT = ("Your char_accuracy divides by the number of PREDICTED characters; divide by the number of target characters, "
        "so a prediction that is too short is not rewarded.")
