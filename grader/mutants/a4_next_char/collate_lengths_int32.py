"""collate_alphabet returns the lengths as int32 instead of the long tensor its docstring promises."""
TARGET = "next_char.py"
REPLACE = [("lengths = torch.tensor([len(prefix) for prefix, _ in examples], dtype=torch.long)",
            "lengths = torch.tensor([len(prefix) for prefix, _ in examples], dtype=torch.int32)")]
HINT = ("collate_alphabet's lengths came back as int32: like padded and targets they must be a long tensor, "
        "torch.tensor([...], dtype=torch.long).")
