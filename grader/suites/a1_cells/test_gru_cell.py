"""Hidden tests of gru_cell: known values, PyTorch's nn.GRUCell, properties."""

import numpy as np
import pytest

from grader.suites.a1_cells import reference as ref
from grader.suites.a1_cells.checks import check_cell, check_inputs_untouched, likely_bugs, linspace_case
from grader.grading.testing import assert_close_or_diagnose


@pytest.mark.points(2)
def test_gru_cell_known_values(student):
    case = linspace_case("gru")
    out = student.module("cells").gru_cell(*ref.arguments("gru", case))
    expected = np.array([[-0.5820166594, -0.5703902245], [0.4293435105, 0.6457074472]])
    assert_close_or_diagnose(out, expected, rtol=1e-8, atol=1e-9, what="gru_cell on the np.linspace case",
                             candidates=likely_bugs("gru", case))


@pytest.mark.points(3)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gru_cell_matches_torch(student, dtype):
    cells = student.module("cells")
    for index, (N, D, H) in enumerate(ref.SHAPES):
        check_cell(cells.gru_cell, "gru", ref.random_case("gru", N, D, H, dtype, seed=200 + index))


@pytest.mark.points(1)
def test_gru_cell_leaves_inputs_untouched(student):
    check_inputs_untouched(student, "gru_cell", "gru")
