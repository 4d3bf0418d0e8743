"""sample draws from the global generator, ignoring the one it is given."""
TARGET = "next_char.py"
REPLACE = [
    ("next_id = int(torch.multinomial(probs, 1, generator=generator))",
     "next_id = int(torch.multinomial(probs, 1))"),
]
HINT = ("Draw with torch.multinomial(probs, 1, generator=generator) so the caller's generator decides; "
        'without it the global generator does.')
