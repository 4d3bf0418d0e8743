"""encode_letters raises ValueError with a message that does not say which character is wrong."""
TARGET = "next_char.py"
REPLACE = [
    ('raise ValueError(f"{ch!r} is not one of the capital letters A-Z")',
     'raise ValueError("only the capital letters A-Z can be encoded")'),
]
HINT = ("Name the first character that is not a capital letter in the ValueError's message, e.g. "
        "raise ValueError(f\"{ch!r} is not one of the capital letters A-Z\").")
