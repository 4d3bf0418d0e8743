"""MultiHeadAttention reads key_padding_mask as True = real key (PyTorch's convention is True = padding)."""
TARGET = "attention.py"
REPLACE = [
    ("mask = None if key_padding_mask is None else ~key_padding_mask[:, None, None, :]",
     "mask = None if key_padding_mask is None else key_padding_mask[:, None, None, :]"),
]
HINT = ("Your MultiHeadAttention attends only the padded keys: nn.MultiheadAttention's key_padding_mask is True at "
        "PADDING, the opposite of this module's masks, so invert it (~key_padding_mask).")
