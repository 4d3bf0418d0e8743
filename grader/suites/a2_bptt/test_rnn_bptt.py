"""Hidden tests of rnn_forward and rnn_backward: torch.autograd, finite differences, known bugs."""

import numpy as np
import pytest

from grader.suites.a2_bptt import reference as ref
from grader.suites.a2_bptt.checks import check_rnn, check_rnn_exact, single_step_is_right


@pytest.mark.points(2)
def test_rnn_forward_and_backward_single_step(student):
    # T = 1: no gradient flows through time yet; checks the step itself (tanh', shapes, biases).
    for index, (N, D, H) in enumerate([(1, 1, 1), (3, 4, 5), (2, 3, 1)]):
        check_rnn(student, ref.random_case("rnn", N, 1, D, H, seed=10 + index))


@pytest.mark.points(3)
def test_rnn_backward_loss_on_last_step_only(student):
    # dhs is zero except at the last step: the gradient must travel back through every step.
    single_step_ok = single_step_is_right(student)
    for index, (N, T, D, H) in enumerate([(2, 5, 3, 4), (1, 6, 2, 1), (3, 3, 4, 2)]):
        case = ref.random_case("rnn", N, T, D, H, seed=20 + index)
        case["dhs"][:, :-1] = 0.0
        check_rnn(student, case, single_step_ok=single_step_ok)


@pytest.mark.points(3)
def test_rnn_backward_loss_on_every_step(student):
    # the general case: the loss depends on every hidden state (includes N = 1 and H = 1).
    single_step_ok = single_step_is_right(student)
    for index, (N, T, D, H) in enumerate(ref.SHAPES):
        if T > 1:
            check_rnn(student, ref.random_case("rnn", N, T, D, H, seed=30 + index), single_step_ok=single_step_ok)


@pytest.mark.points(1)
def test_rnn_backward_strong_recurrence(student):
    # large W_hh: tanh saturates, gradients vanish or grow; still exact.
    check_rnn(student, ref.random_case("rnn", 3, 8, 3, 4, seed=40, scale=2.5))


@pytest.mark.points(1)
def test_rnn_relu_nonlinearity(student):
    # nonlinearity="relu" as in torch.nn.RNN (the IRNN remedy of the notebook).
    for index, (N, T, D, H) in enumerate([(2, 5, 3, 4), (1, 1, 2, 3)]):
        case = ref.random_case("rnn", N, T, D, H, seed=50 + index)
        check_rnn(student, case, nonlinearity="relu", numeric=False)


@pytest.mark.points(1)
def test_rnn_backward_random_seeded_shapes(student, secret_seed):
    # shapes and values chosen at grading time.
    rng = np.random.default_rng(secret_seed)
    for index in range(3):
        N, T, D, H = (int(v) for v in rng.integers(1, 6, size=4))
        check_rnn(student, ref.random_case("rnn", N, T, D, H, seed=secret_seed + index))


@pytest.mark.points(1)
def test_rnn_backward_is_analytic(student):
    # exact to rounding in float64, where centred finite differences are off by about 1e-8.
    check_rnn_exact(student, ref.random_case("rnn", 3, 6, 4, 5, seed=45))
