"""The student release: stubs, freshness of assignments/, and the leak check."""

import subprocess
import sys

import pytest

from grader.authoring.leaks import find_leaks, secret_lines
from grader.paths import ASSIGNMENTS, REPO, SOLUTIONS, known_assignments
from grader.authoring.release import ReleaseError, stub_module

SOURCE = '''def f(x):
    """Docstring stays."""
    ### BEGIN SOLUTION
    y = x + 1
    return y
    ### END SOLUTION


class A:
    def g(self):
        ### BEGIN SOLUTION
        return 2
        ### END SOLUTION
'''


def test_stub_replaces_each_block_at_its_indentation():
    out = stub_module(SOURCE)
    assert "y = x + 1" not in out and "return 2" not in out
    assert '    """Docstring stays."""\n    # YOUR CODE HERE\n    raise NotImplementedError()\n' in out
    assert "        # YOUR CODE HERE\n        raise NotImplementedError()\n" in out
    namespace = {}
    exec(out, namespace)
    with pytest.raises(NotImplementedError):
        namespace["f"](1)


@pytest.mark.parametrize("broken, problem", [
    ("### BEGIN SOLUTION\nx = 1\n", "never closed"),
    ("x = 1\n### END SOLUTION\n", "without BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "inside another"),
])
def test_malformed_blocks_are_reported_with_their_line(broken, problem):
    with pytest.raises(ReleaseError, match=problem):
        stub_module(broken, where="m.py")


@pytest.mark.parametrize("assignment", known_assignments())
def test_release_leaks_no_solution_line_and_no_hidden_test(assignment):
    assert secret_lines(assignment), "the leak check found no secret lines at all: is it reading the sources?"
    leaks = find_leaks(assignment)
    assert not leaks, f"lines from solution blocks or hidden tests in the release: {leaks[:5]}"


def test_leak_check_catches_a_planted_leak(tmp_path):
    assignment = known_assignments()[0]
    released = tmp_path / assignment
    released.mkdir()
    secret = sorted(secret_lines(assignment))[0]
    (released / "notes.py").write_text(f"# harmless\n    {secret}\n")
    assert find_leaks(assignment, tmp_path) == [(f"{assignment}/notes.py", secret)]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", known_assignments())
def test_released_modules_import_and_every_function_is_a_stub(assignment):
    modules = [p for p in (SOLUTIONS / assignment).glob("*.py") if "### BEGIN SOLUTION" in p.read_text()]
    assert modules, f"{assignment} has no module with solution blocks"
    for module in modules:
        released = ASSIGNMENTS / assignment / module.name
        assert "### BEGIN SOLUTION" not in released.read_text()
        run = subprocess.run([sys.executable, "-c", f"import {module.stem}"], cwd=released.parent,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, f"the released {module.name} does not import: {run.stderr[-500:]}"


@pytest.mark.slow
def test_assignments_folder_is_a_fresh_release():
    # `release --check` regenerates the release in a temporary folder and compares it file by file.
    run = subprocess.run([sys.executable, "-m", "grader", "release", "--check"], cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"assignments/ is stale or leaks (run `make release`):\n{run.stdout}{run.stderr}"
