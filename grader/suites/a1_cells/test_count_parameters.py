"""Hidden tests of count_parameters against the parameters of PyTorch's modules."""

import pytest

from grader.grading.testing import Diagnosis, assert_equal, describe, expect_raises, fail
from grader.suites.a1_cells.checks import ASSIGNMENT
from grader.suites.a1_cells.reference import TORCH_CELLS


@pytest.mark.points(2)
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_count_parameters_matches_torch(student, cell):
    cells = student.module("cells")
    for D, H in [(1, 3), (1, 1), (10, 20), (64, 128), (7, 2)]:
        expected = sum(p.numel() for p in TORCH_CELLS[cell](D, H).parameters())
        got = cells.count_parameters(cell, D, H)
        what = f"count_parameters({cell!r}, {D}, {H})"
        diagnosis = Diagnosis(ASSIGNMENT, "cells.count_parameters", (cell, D, H), got=got)
        if type(got) is not int:
            fail(what, f"must return an int, got {describe(got)}.", diagnosis=diagnosis)
        assert_equal(got, expected, what=f"{what} (the number of parameters of PyTorch's cell)", diagnosis=diagnosis)


@pytest.mark.points(1)
def test_count_parameters_rejects_unknown_cell(student):
    expect_raises(ValueError, student.module("cells").count_parameters, "transformer", 3, 4,
                  what="count_parameters('transformer', 3, 4)",
                  hint="raise ValueError for any cell other than 'rnn', 'lstm' or 'gru'.",
                  diagnose=lambda got: Diagnosis(ASSIGNMENT, "cells.count_parameters", ("transformer", 3, 4), got=got))
