"""Hidden tests of lstm_cell: known values, PyTorch's nn.LSTMCell, properties."""

import numpy as np
import pytest

from grader.suites.a1_cells import reference as ref
from grader.suites.a1_cells.checks import check_cell, check_inputs_untouched, check_saturated, linspace_case


@pytest.mark.points(2)
def test_lstm_cell_known_values(student):
    h_expected = np.array([[-0.1690388794, -0.1061835024], [0.0447364005, 0.3132731575]])
    c_expected = np.array([[-0.8722382749, -0.6936767828], [0.0603176173, 0.4081698959]])
    check_cell(student.module("cells").lstm_cell, "lstm", linspace_case("lstm"), expected=(h_expected, c_expected),
               tolerance=dict(rtol=1e-8, atol=1e-9), name="lstm_cell on the np.linspace case")


@pytest.mark.points(3)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lstm_cell_matches_torch(student, dtype):
    cells = student.module("cells")
    for index, (N, D, H) in enumerate(ref.SHAPES):
        check_cell(cells.lstm_cell, "lstm", ref.random_case("lstm", N, D, H, dtype, seed=100 + index))


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lstm_cell_saturated_gates_stay_finite(student, dtype):
    check_saturated(student, "lstm", dtype)


@pytest.mark.points(1)
def test_lstm_cell_leaves_inputs_untouched(student):
    check_inputs_untouched(student, "lstm_cell", "lstm")
