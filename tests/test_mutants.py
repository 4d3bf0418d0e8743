"""Every known-wrong mutant loses points on its assignment's hidden suite, and the suite names it.

A mutant is named (diagnosed) when a failure message carries its HINT: the suite ran the mutants
on the student's inputs and found this one (``grader.grading.testing.Diagnosis``), or it observed
the bug (``hint_of``). A mutant whose output cannot be matched says so: ``DIAGNOSIS = False`` and a
one-line ``REASON``.
"""

import numpy as np
import pytest

from grader.authoring.mutants import (MutantError, grade_mutant, mutant_paths, mutate, read_mutant, survived,
                                      undiagnosed)
from grader.grading.diagnose import Raised, diagnose, find_mutant, mutants_of, same, solution_module
from grader.paths import SOLUTIONS, known_assignments


@pytest.mark.parametrize("assignment", known_assignments())
def test_assignment_has_at_least_ten_mutants_that_apply(assignment):
    paths = mutant_paths(assignment)
    assert len(paths) >= 10, f"{assignment} has {len(paths)} mutants; at least 10 are required"
    for path in paths:
        mutant = read_mutant(path)          # a docstring, TARGET, REPLACE and a HINT, or MutantError
        original = (SOLUTIONS / assignment / mutant.target).read_text()
        assert mutate(original, mutant.replacements, path.name) != original, f"{path.name} changes nothing"


@pytest.mark.parametrize("assignment, path", [pytest.param(a, p, id=f"{a}-{p.stem}")
                                               for a in known_assignments() for p in mutant_paths(a)])
def test_every_mutant_is_caught_and_diagnosed(assignment, path):
    # One test per mutant (the two test workers share them out evenly). Each is graded until a failure message
    # carries its HINT (until its first failure when it declares DIAGNOSIS = False), so caught_by lists only
    # the tests run so far.
    result = grade_mutant(assignment, path, until_diagnosed=True)
    assert not survived(result), f"{path.name} keeps full marks or could not be graded: {result}"
    assert not undiagnosed(result), (
        f"{path.name} is caught by {result['caught_by'][:3]}, but no failure message carries its HINT: give the "
        "failing check a Diagnosis (or hint_of when the bug is observed rather than reproduced), or declare "
        "DIAGNOSIS = False with a REASON in the mutant")


def test_a_stale_mutant_is_reported():
    with pytest.raises(MutantError, match="occurs 0 times"):
        mutate("x = 1\n", [("y = 2", "y = 3")], "stale.py")


def test_a_mutant_without_hint_or_reason_is_refused(tmp_path):
    head = '"""A bug."""\nTARGET = "cells.py"\nREPLACE = [("a", "b")]\n'
    cases = {"no_hint.py": (head, "needs HINT"),
             "no_reason.py": (head + 'HINT = "Do it right."\nDIAGNOSIS = False\n', "needs REASON")}
    for name, (text, problem) in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(MutantError, match=problem):
            read_mutant(tmp_path / name)
    (tmp_path / "fine.py").write_text(head + 'HINT = "Do it right."\nDIAGNOSIS = False\nREASON = "it raises."\n')
    mutant = read_mutant(tmp_path / "fine.py")
    assert (mutant.hint, mutant.diagnosable, mutant.reason) == ("Do it right.", False, "it raises.")


def test_every_hint_is_its_own():
    # A diagnosis is shown by its HINT, so two mutants of an assignment never share one.
    for assignment in known_assignments():
        hints = [m.hint for m in mutants_of(assignment)]
        assert len(hints) == len(set(hints)), f"{assignment}: two mutants share a HINT"


def rnn_case():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((3, 4)), rng.standard_normal((3, 5)), rng.standard_normal((5, 4)),
            rng.standard_normal((5, 5)), rng.standard_normal(5), rng.standard_normal(5))


def test_diagnose_names_the_mutant_an_answer_reproduces():
    args = rnn_case()
    bugs = {m.name: m for m in mutants_of("a1_cells")}
    wrong = solution_module("a1_cells", "cells.py", bugs["rnn_missing_second_bias"]).rnn_cell(*args)
    tolerance = dict(rtol=1e-7, atol=1e-9)
    assert diagnose("a1_cells", "cells.rnn_cell", args, got=wrong, **tolerance) == bugs["rnn_missing_second_bias"].hint
    # the right answer, and a wrong answer no mutant gives, name nothing
    right = solution_module("a1_cells", "cells.py").rnn_cell(*args)
    assert diagnose("a1_cells", "cells.rnn_cell", args, got=right, **tolerance) is None
    assert diagnose("a1_cells", "cells.rnn_cell", args, got=right + 0.5, **tolerance) is None
    # a value of another dtype or shape is not the mutant's
    assert diagnose("a1_cells", "cells.rnn_cell", args, got=wrong.astype(np.float32), **tolerance) is None


def test_diagnose_matches_an_exception_by_its_class():
    bugs = {m.name: m for m in mutants_of("a1_cells")}
    rng = np.random.default_rng(1)
    args = (rng.standard_normal(3), rng.standard_normal(2), rng.standard_normal(2), rng.standard_normal((8, 3)),
            rng.standard_normal((8, 2)), rng.standard_normal(8), rng.standard_normal(8))   # unbatched
    with pytest.raises(Exception) as caught:
        solution_module("a1_cells", "cells.py", bugs["lstm_split_on_axis_one"]).lstm_cell(*args)
    kind = type(caught.value)
    got = Raised(f"{kind.__module__}.{kind.__qualname__}")
    assert find_mutant("a1_cells", "cells.lstm_cell", args, got=got).name == "lstm_split_on_axis_one"
    assert find_mutant("a1_cells", "cells.lstm_cell", args, got=Raised("builtins.KeyError")) is None


def test_same_compares_types_shapes_and_values():
    assert same((1.0, {"a": np.zeros(2)}), (1.0 + 1e-12, {"a": np.full(2, 1e-12)}), rtol=1e-9, atol=1e-9)
    assert not same(1, 1.0)
    assert not same(np.zeros(2), np.zeros(2, dtype=np.float32))
    assert not same(np.zeros(2), np.zeros((2, 1)))
    assert same(float("nan"), float("nan")) and same(np.array([np.inf]), np.array([np.inf]))
    assert not same([1, 2], (1, 2))
