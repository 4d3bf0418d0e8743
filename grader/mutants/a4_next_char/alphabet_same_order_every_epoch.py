"""train_alphabet makes a new generator from the same seed in every epoch, so every epoch has the same order."""
TARGET = "next_char.py"
REPLACE = [
    ("order = torch.randperm(len(examples), generator=generator).tolist()",
     "order = torch.randperm(len(examples), generator=torch.Generator().manual_seed(seed)).tolist()"),
]
HINT = ('Every epoch sees the examples in the same order: you make a new generator from the same seed in each '
        'epoch. Create one generator before the epoch loop, torch.Generator().manual_seed(seed), and draw '
        'torch.randperm(len(examples), generator=generator) from it at the start of every epoch.')
