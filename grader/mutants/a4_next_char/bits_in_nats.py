"""bits_per_char returns nats (no division by ln 2)."""
TARGET = "next_char.py"
REPLACE = [
    ("return total / (len(ids) - 1) / math.log(2)", "return total / (len(ids) - 1)"),
]
HINT = 'This is the value in nats: divide by ln 2 for bits.'
