"""Hidden tests of rnn_cell: known values, PyTorch's nn.RNNCell, properties."""

import numpy as np
import pytest

from grader.grading.testing import Diagnosis, expect_raises
from grader.suites.a1_cells import reference as ref
from grader.suites.a1_cells.checks import ASSIGNMENT, check_cell, check_inputs_untouched, check_saturated, linspace_case


@pytest.mark.points(2)
@pytest.mark.parametrize("nonlinearity, expected", [
    ("tanh", [[0.7352222529, -0.7110642963], [-0.5529819872, 0.8356768049]]),
    ("relu", [[0.94, 0.0], [0.0, 1.2066666667]]),
])
def test_rnn_cell_known_values(student, nonlinearity, expected):
    check_cell(student.module("cells").rnn_cell, "rnn", linspace_case("rnn"), nonlinearity, expected=np.array(expected),
               tolerance=dict(rtol=1e-8, atol=1e-9),
               name=f"rnn_cell on the np.linspace case, nonlinearity={nonlinearity!r}")


@pytest.mark.points(3)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rnn_cell_matches_torch(student, dtype):
    cells = student.module("cells")
    for index, (N, D, H) in enumerate(ref.SHAPES):
        for nonlinearity in ("tanh", "relu"):
            check_cell(cells.rnn_cell, "rnn", ref.random_case("rnn", N, D, H, dtype, seed=index), nonlinearity)


@pytest.mark.points(1)
def test_rnn_cell_square_weights_not_transposed(student):
    case = ref.random_case("rnn", 3, 4, 4, np.float64, seed=7)
    check_cell(student.module("cells").rnn_cell, "rnn", case)


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rnn_cell_saturated_preactivations_stay_finite(student, dtype):
    for nonlinearity in ("tanh", "relu"):
        check_saturated(student, "rnn", dtype, nonlinearity)


@pytest.mark.points(1)
def test_rnn_cell_leaves_inputs_untouched(student):
    check_inputs_untouched(student, "rnn_cell", "rnn")


@pytest.mark.points(1)
def test_rnn_cell_rejects_unknown_nonlinearity(student):
    case = ref.random_case("rnn", 2, 3, 4, np.float64, seed=1)
    expect_raises(ValueError, student.module("cells").rnn_cell, *ref.arguments("rnn", case), nonlinearity="sigmoid",
                  what="rnn_cell(..., nonlinearity='sigmoid')",
                  hint="check the argument and `raise ValueError(...)` for anything but 'tanh' or 'relu'.",
                  diagnose=lambda got: Diagnosis(ASSIGNMENT, "cells.rnn_cell", ref.arguments("rnn", case),
                                                 {"nonlinearity": "sigmoid"}, got=got))
