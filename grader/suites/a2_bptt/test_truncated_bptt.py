"""Hidden tests of rnn_backward_truncated against PyTorch with h.detach() every k steps."""

import pytest

from grader.suites.a2_bptt import reference as ref
from grader.suites.a2_bptt.checks import check_rnn


def truncated_case(seed, N=2, T=7, D=3, H=4):
    return ref.random_case("rnn", N, T, D, H, seed=seed)


@pytest.mark.points(1)
def test_truncated_k_equal_one(student):
    # k = 1: every step is its own chunk; only "h0" gets gradient from step 0.
    check_rnn(student, truncated_case(60), k=1, numeric=False)


@pytest.mark.points(1)
def test_truncated_k_equal_T(student):
    # k = T: one chunk, the same as full BPTT.
    check_rnn(student, truncated_case(61), k=7, numeric=False)


@pytest.mark.points(1)
def test_truncated_k_larger_than_T(student):
    check_rnn(student, truncated_case(62), k=10, numeric=False)


@pytest.mark.points(2)
def test_truncated_k_not_dividing_T(student):
    # T = 7 with k = 3 (chunks 0-2, 3-5, 6) and k = 2 (last chunk of length 1); N = 1, H = 1 too.
    check_rnn(student, truncated_case(63), k=3, numeric=False)
    check_rnn(student, truncated_case(64), k=2, numeric=False)
    check_rnn(student, truncated_case(65, N=1, T=5, D=2, H=1), k=3, numeric=False)
