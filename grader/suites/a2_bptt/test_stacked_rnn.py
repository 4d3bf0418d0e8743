"""Hidden tests of stacked_rnn_forward and stacked_rnn_backward against torch.nn.RNN(num_layers=L) and autograd."""

import pytest

from grader.suites.a2_bptt import reference as ref
from grader.suites.a2_bptt.checks import check_stacked


@pytest.mark.points(2)
def test_stacked_two_layers_as_torch(student):
    # two layers of one size, as torch.nn.RNN(num_layers=2): the loss reaches layer 0 only through layer 1.
    check_stacked(student, ref.stacked_case(N=3, T=4, D=2, sizes=(4, 4), seed=160))
    check_stacked(student, ref.stacked_case(N=1, T=1, D=3, sizes=(2, 2), seed=161))


@pytest.mark.points(1)
def test_stacked_layers_of_other_sizes_and_counts(student):
    # layers of different sizes, one layer (rnn_forward itself) and three layers.
    check_stacked(student, ref.stacked_case(N=2, T=3, D=3, sizes=(5, 2), seed=162))
    check_stacked(student, ref.stacked_case(N=2, T=3, D=2, sizes=(3,), seed=163))
    check_stacked(student, ref.stacked_case(N=2, T=3, D=2, sizes=(3, 3, 3), seed=164))
