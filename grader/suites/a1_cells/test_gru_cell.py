"""Hidden tests of gru_cell: known values, PyTorch's nn.GRUCell, properties."""

import numpy as np
import pytest

from grader.suites.a1_cells import reference as ref
from grader.suites.a1_cells.checks import check_cell, check_inputs_untouched, check_saturated, linspace_case


@pytest.mark.points(2)
def test_gru_cell_known_values(student):
    expected = np.array([[-0.5820166594, -0.5703902245], [0.4293435105, 0.6457074472]])
    check_cell(student.module("cells").gru_cell, "gru", linspace_case("gru"), expected=expected,
               tolerance=dict(rtol=1e-8, atol=1e-9), name="gru_cell on the np.linspace case")


@pytest.mark.points(3)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gru_cell_matches_torch(student, dtype):
    cells = student.module("cells")
    for index, (N, D, H) in enumerate(ref.SHAPES):
        check_cell(cells.gru_cell, "gru", ref.random_case("gru", N, D, H, dtype, seed=200 + index))


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gru_cell_saturated_preactivations_stay_finite(student, dtype):
    check_saturated(student, "gru", dtype)


@pytest.mark.points(1)
def test_gru_cell_leaves_inputs_untouched(student):
    check_inputs_untouched(student, "gru_cell", "gru")
