"""bits_per_char charges nothing for the first prediction (of ids[1]) and averages over the L - 2 others."""
TARGET = "next_char.py"
REPLACE = [
    ('total += F.cross_entropy(logits[0], y[0], reduction="sum").item()\n    return total / (len(ids) - 1) / math.log(2)',
     'total += F.cross_entropy(logits[0, int(start == 0):], y[0, int(start == 0):], reduction="sum").item()\n    return total / (len(ids) - 2) / math.log(2)'),
]
HINT = 'The first prediction (of ids[1]) is missing: charge -log2 p(ids[t+1]) for every t from 0, and divide by L - 1.'
