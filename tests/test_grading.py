"""End to end: the reference gets full marks, the released stub gets zero on every hidden test."""

import json
import subprocess
import sys

import pytest

from grader.benches.load import cpu_burners
from grader.paths import REPO, known_assignments

pytestmark = pytest.mark.slow  # grades the reference and the stub of every assignment


def grade(submission, student, assignment, tmp_path, *extra):
    report = tmp_path / f"{student}.json"
    run = subprocess.run(
        [sys.executable, "-m", "grader", "grade", submission, "--student", student, "--assignment", assignment,
         "--report", str(report), "--gradebook", str(tmp_path / "gradebook.sqlite"), *extra],
        cwd=REPO, capture_output=True, text=True, timeout=1200,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(report.read_text()), run.stdout


@pytest.mark.parametrize("assignment", known_assignments())
def test_reference_gets_full_marks(assignment, tmp_path):
    report, summary = grade("solutions", "reference", assignment, tmp_path)
    part = report["assignments"][assignment]
    failed = [(t["name"], t["feedback"][:300]) for t in part["suite"]["tests"] if not t["passed"]]
    assert not failed, f"the reference fails hidden tests: {failed}"
    assert part["suite"]["max_score"] > 0 and part["suite"]["score"] == part["suite"]["max_score"]
    notebook = part["notebook"]
    assert notebook["max_score"] > 0, "the notebook has no autograded cell"
    assert notebook["score"] == notebook["max_score"], f"reference notebook: {notebook}"
    assert report["score"] == report["max_score"]
    assert f"| {assignment} |" in summary


def test_reference_gets_full_marks_on_a_busy_machine(tmp_path):
    """Time limits count CPU time: with two CPU burners per core, the reference still gets every point of
    a1 and a2, suites and notebooks (all four, ten times in a row, under 4 burners: ``make bench-steady``)."""
    with cpu_burners():
        report, _ = grade("solutions", "reference", "a1_cells,a2_bptt", tmp_path)
    for name, part in report["assignments"].items():
        lost = [(t["name"], t["feedback"][:300]) for t in part["suite"]["tests"] if not t["passed"]]
        lost += [(c["name"], c["feedback"][:300]) for c in part["notebook"]["cells"] if c["points"] < c["max_points"]]
        assert not lost, f"{name}: the reference lost points on a busy machine: {lost}"
    assert sorted(report["assignments"]) == ["a1_cells", "a2_bptt"]
    assert report["score"] == report["max_score"] > 0


@pytest.mark.parametrize("assignment", known_assignments())
def test_stub_fails_every_hidden_test(assignment, tmp_path):
    report, _ = grade("assignments", "stub", assignment, tmp_path)
    part = report["assignments"][assignment]
    passed = [t["name"] for t in part["suite"]["tests"] if t["passed"]]
    assert not passed, f"hidden tests that the released stub passes (they test nothing the student writes): {passed}"
    assert all(t["feedback"] for t in part["suite"]["tests"]), "every failed test must say why"
    assert part["notebook"]["score"] == 0
    assert report["score"] == 0
