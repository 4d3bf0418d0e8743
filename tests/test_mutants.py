"""Every known-wrong mutant loses points on its assignment's hidden suite."""

import pytest

from grader.authoring.mutants import load_mutant, mutant_paths, mutate, run_mutants, survived
from grader.paths import SOLUTIONS, known_assignments

pytestmark = pytest.mark.slow  # grades every mutant


@pytest.mark.parametrize("assignment", known_assignments())
def test_assignment_has_at_least_ten_mutants_that_apply(assignment):
    paths = mutant_paths(assignment)
    assert len(paths) >= 10, f"{assignment} has {len(paths)} mutants; at least 10 are required"
    for path in paths:
        description, target, replacements = load_mutant(path)
        original = (SOLUTIONS / assignment / target).read_text()
        assert mutate(original, replacements, path.name) != original, f"{path.name} changes nothing"


@pytest.mark.parametrize("assignment", known_assignments())
def test_every_mutant_is_caught(assignment):
    results = run_mutants(assignment, exitfirst=True)
    escaped = [r for r in results if survived(r)]
    assert not escaped, f"mutants that keep full marks or could not be graded: {escaped}"


def test_a_stale_mutant_is_reported():
    from grader.authoring.mutants import MutantError

    with pytest.raises(MutantError, match="occurs 0 times"):
        mutate("x = 1\n", [("y = 2", "y = 3")], "stale.py")
