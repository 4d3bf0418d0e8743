"""Seeding every random number generator the course uses, in one call."""

import random

import numpy as np


def seed_everything(seed):
    """Seed Python's, NumPy's and (if installed) PyTorch's global generators.

    Inputs:
    - seed: int, the seed.

    Returns:
    - rng: a fresh ``np.random.Generator`` seeded with ``seed``, for code that prefers
      an explicit generator to the global one.
    """
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch
    except ImportError:
        pass
    else:
        torch.manual_seed(seed)
    return np.random.default_rng(seed)
