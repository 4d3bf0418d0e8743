"""Hidden tests of count_parameters against the parameters of PyTorch's modules."""

import pytest

from grader.suites.a1_cells.reference import TORCH_CELLS
from grader.grading.testing import expect_raises


@pytest.mark.points(2)
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_count_parameters_matches_torch(student, cell):
    cells = student.module("cells")
    for D, H in [(1, 3), (1, 1), (10, 20), (64, 128), (7, 2)]:
        expected = sum(p.numel() for p in TORCH_CELLS[cell](D, H).parameters())
        got = cells.count_parameters(cell, D, H)
        assert type(got) is int, f"count_parameters must return an int, got {type(got).__name__} ({got!r})"
        hint = ""
        if got == expected - {"rnn": 1, "lstm": 4, "gru": 3}[cell] * H:
            hint = " You count one bias vector; PyTorch has two (b_ih and b_hh)."
        assert got == expected, f"count_parameters({cell!r}, {D}, {H}) returned {got}, PyTorch has {expected}.{hint}"


@pytest.mark.points(1)
def test_count_parameters_rejects_unknown_cell(student):
    expect_raises(ValueError, student.module("cells").count_parameters, "transformer", 3, 4,
                  what="count_parameters('transformer', 3, 4)",
                  hint="raise ValueError for any cell other than 'rnn', 'lstm' or 'gru'.")
