"""train_char_lm records each step's loss in nats (F.cross_entropy's unit) instead of bits per character."""
TARGET = "next_char.py"
REPLACE = [
    ("history.append(loss.item() / math.log(2))", "history.append(loss.item())"),
]
HINT = ("Your training history is in nats: F.cross_entropy's loss is in nats, and train_char_lm promises bits per "
        "character, so append loss.item() / math.log(2).")
