"""train_char_lm draws each pass's offset from torch's global generator, not from its seed."""
TARGET = "next_char.py"
REPLACE = [("offset = int(torch.randint(seq_len, (1,), generator=generator))",
            "offset = int(torch.randint(seq_len, (1,)))")]
HINT = ("Your offsets come from torch's global random state, so the same seed gives other offsets after any other "
        "random call: draw them with generator=generator, from torch.Generator().manual_seed(seed) made once.")
