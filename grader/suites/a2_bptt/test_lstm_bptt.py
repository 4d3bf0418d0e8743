"""Hidden tests of lstm_forward and lstm_backward: torch.autograd, finite differences."""

import numpy as np
import pytest

from grader.suites.a2_bptt import reference as ref
from grader.suites.a2_bptt.checks import check_lstm


@pytest.mark.points(2)
def test_lstm_single_step(student):
    for index, (N, D, H) in enumerate([(1, 1, 1), (3, 4, 2)]):
        check_lstm(student, ref.random_case("lstm", N, 1, D, H, seed=70 + index))


@pytest.mark.points(3)
def test_lstm_backward_through_time(student):
    for index, (N, T, D, H) in enumerate(ref.SHAPES):
        if T > 1:
            check_lstm(student, ref.random_case("lstm", N, T, D, H, seed=80 + index))


@pytest.mark.points(1)
def test_lstm_saturated_gates(student):
    # pre-activations of order 50: sigmoid and tanh saturate; results must stay finite and exact.
    case = ref.random_case("lstm", 2, 4, 3, 2, seed=90)
    case["b_ih"] = case["b_ih"] * 150
    check_lstm(student, case, numeric=False)


@pytest.mark.points(1)
def test_lstm_random_seeded_shapes(student, secret_seed):
    rng = np.random.default_rng(secret_seed + 1)
    N, T, D, H = (int(v) for v in rng.integers(1, 6, size=4))
    check_lstm(student, ref.random_case("lstm", N, T, D, H, seed=secret_seed + 7))


@pytest.mark.points(2)
def test_lstm_backward_with_dc_T(student):
    # an upstream gradient into the last cell state (CS231n's dnext_c): alone (dhs = 0), with dhs, and at T = 1.
    for index, (N, T, D, H, only_c) in enumerate([(2, 4, 3, 2, True), (3, 3, 2, 4, False), (1, 1, 2, 3, False)]):
        case = ref.random_case("lstm", N, T, D, H, seed=190 + index)
        case["dc_T"] = np.random.default_rng(195 + index).standard_normal((N, H))
        if only_c:
            case["dhs"][:] = 0.0
        check_lstm(student, case, numeric=False)
