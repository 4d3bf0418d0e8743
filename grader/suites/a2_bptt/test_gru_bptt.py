"""Hidden tests of gru_forward and gru_backward against torch.nn.GRU's equations and torch.autograd."""

import numpy as np
import pytest

from grader.suites.a2_bptt import reference as ref
from grader.suites.a2_bptt.checks import check_gru


@pytest.mark.points(2)
def test_gru_single_step(student):
    # T = 1: the gate equations and their derivatives, nothing carried through time yet.
    for index, (N, D, H) in enumerate([(1, 1, 1), (3, 4, 2)]):
        check_gru(student, ref.random_case("gru", N, 1, D, H, seed=140 + index))


@pytest.mark.points(3)
def test_gru_backward_through_time(student):
    # the state fed back over T steps, with the loss on every state (N = 1 and H = 1 included).
    for index, (N, T, D, H) in enumerate([(1, 6, 3, 4), (4, 5, 2, 1), (2, 4, 5, 6)]):
        check_gru(student, ref.random_case("gru", N, T, D, H, seed=150 + index))


@pytest.mark.points(1)
def test_gru_random_seeded_shapes(student, secret_seed):
    rng = np.random.default_rng(secret_seed + 2)
    N, T, D, H = (int(v) for v in rng.integers(1, 6, size=4))
    check_gru(student, ref.random_case("gru", N, T, D, H, seed=secret_seed + 11))
