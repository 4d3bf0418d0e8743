"""The records commands run on a bare Python with nothing installed: grade.yml's plan and collect jobs
have no environment (no torch, numpy, pytest or nbformat), only the repository and setup-python.

Each command runs as ``python -S -m grader ...``: ``-S`` leaves out site-packages, so any import of an
installed package fails, as it would on the bare runner."""

import json
import subprocess
import sys

from grader.records.results import SCHEMA_VERSION
from grader.records.version import grading_version
from tests.conftest import run_grader

A1 = "a1_cells"
COURSE = """\
[course]
name = "Bare"
roster = "roster.csv"
student_template = "org/template"

[assignments.a1_cells]
due = 2020-01-01T00:00:00Z
points = 20
"""


def bare(*args):
    return run_grader(*args, bare=True, timeout=120, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"})


def report(student, passed):
    tests = [{"name": f"test_{i}", "points": 1.0 if i < passed else 0.0, "max_points": 1.0, "passed": i < passed,
              "feedback": "" if i < passed else "wrong"} for i in range(4)]
    part = {"suite": {"tests": tests}, "notebook": {"skipped": True}, "grading_version": grading_version(A1),
            "lateness": {"status": "on-time", "note": "Submitted on time.", "penalty": 0.0}}
    return {"schema_version": SCHEMA_VERSION, "student": student, "assignments": {A1: part},
            "isolation": "bubblewrap"}


def test_site_packages_are_out_of_reach_under_dash_S():
    """Without this, the test below would prove nothing."""
    run = subprocess.run([sys.executable, "-S", "-c", "import numpy"], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "No module named 'numpy'" in run.stderr


def test_collect_export_feedback_summary_and_plan_on_a_bare_python(tmp_path):
    (tmp_path / "course.toml").write_text(COURSE)
    (tmp_path / "roster.csv").write_text("student,submission\nada,org/ada\nbo,org/bo\ncy,https://github.com/org/cy\n")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "ada.json").write_text(json.dumps(report("ada", 4)))
    (reports / "bo.json").write_text(json.dumps(report("bo", 1)))
    course, book = str(tmp_path / "course.toml"), str(tmp_path / "g.sqlite")

    run = bare("collect", *sorted(str(p) for p in reports.glob("*.json")), "--course", course, "--gradebook", book)
    assert run.returncode == 0, run.stderr
    assert "recorded ada: 4 / 4" in run.stdout and "recorded bo: 1 / 4" in run.stdout
    run = bare("export", "--csv", str(tmp_path / "grades.csv"), "--late", "--course", course, "--gradebook", book)
    assert run.returncode == 0, run.stderr
    rows = (tmp_path / "grades.csv").read_text().splitlines()
    assert rows[1].startswith("ada,graded,,4,4,4,20,") and rows[3].startswith("cy,no report,"), rows
    run = bare("feedback", "--out", str(tmp_path / "feedback"), "--course", course, "--gradebook", book)
    assert run.returncode == 0, run.stderr
    assert sorted(p.parent.name for p in (tmp_path / "feedback").glob("*/a1_cells.html")) == ["ada", "bo", "cy"]
    run = bare("summary", "--course", course, "--gradebook", book)
    assert run.returncode == 0, run.stderr
    assert "## a1_cells: 2 student(s)" in run.stdout and "- cy: no report in the gradebook" in run.stdout
    run = bare("plan", "--course", course, "--roster")
    assert run.returncode == 0, run.stderr
    assert "assignments=a1_cells" in run.stdout and '"students": "ada"' in run.stdout
