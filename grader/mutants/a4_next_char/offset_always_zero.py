"""train_char_lm starts every pass at offset 0: the seed changes nothing and every pass sees the same batches."""
TARGET = "next_char.py"
REPLACE = [("offset = int(torch.randint(seq_len, (1,), generator=generator))", "offset = 0")]
HINT = ("Every pass starts at offset 0, so every pass cuts the same batches and the seed changes nothing: start each "
        "pass at a random offset below seq_len, torch.randint(seq_len, (1,), generator=generator).")
