"""Hidden tests of every a2 sequence model at saturation: input pre-activations up to +-1e3, in float32 and float64.

The forward and backward passes run with numpy's floating-point errors raised in the worker: an exp that
overflows (a hand-written tanh or sigmoid) fails with its own message instead of a NaN, and so does any other
numpy warning. The results keep the dtype of the inputs and match torch.autograd.
"""

import numpy as np
import pytest

from grader.suites.a2_bptt.checks import check_saturation


@pytest.mark.points(1)
def test_rnn_saturated_float32_and_float64(student):
    for index, dtype in enumerate((np.float64, np.float32)):
        check_saturation(student, "rnn", dtype, seed=170 + index)
    check_saturation(student, "rnn", np.float32, seed=172, nonlinearity="relu")


@pytest.mark.points(1)
def test_lstm_saturated_float32_and_float64(student):
    for index, dtype in enumerate((np.float64, np.float32)):
        check_saturation(student, "lstm", dtype, seed=175 + index)


@pytest.mark.points(1)
def test_gru_saturated_float32_and_float64(student):
    for index, dtype in enumerate((np.float64, np.float32)):
        check_saturation(student, "gru", dtype, seed=178 + index)
