"""Seeding every random number generator the course uses, in one call.

Introduced in lecture 01 (its set-up cell); every lecture starts with it.
"""

import random

import numpy as np

__all__ = ["seed_everything"]


def seed_everything(seed):
    """Seed Python's, NumPy's and (if installed) PyTorch's global generators.

    Introduced in lecture 01 (set-up cell): ``rng = seed_everything(0)`` makes a lecture's numbers
    the same on every run.

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
