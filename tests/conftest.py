"""What the tests share: the grader's command line, git with a fixed identity, report dicts, folders shared
by the xdist workers of one run, and the `slow` mark.

Test modules import these helpers (``from tests.conftest import run_grader``); pytest loads this file as
well. `make test-fast` runs every test not marked slow; a test is slow when it grades submissions,
executes notebooks or takes more than a few seconds otherwise.
"""

import functools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.benches.load import cpu_burners  # noqa: F401 - tests import it from here
from grader.paths import REPO

# A course with a1_cells only, due 2027-03-01 12:00 UTC: "last-before-due", 15 minutes' grace,
# 10 % per started day, at most 7 days late. Its roster is roster.csv beside it.
A1_COURSE = """\
[course]
name = "One assignment"
roster = "roster.csv"
student_template = "course/template"

[late]
policy = "last-before-due"
grace_minutes = 15
penalty_per_day = 0.1
max_late_days = 7

[assignments.a1_cells]
due = 2027-03-01T12:00:00Z
points = 20
"""
GIT_ENV = {"GIT_AUTHOR_NAME": "A Student", "GIT_AUTHOR_EMAIL": "student@example.org",
           "GIT_COMMITTER_NAME": "A Student", "GIT_COMMITTER_EMAIL": "student@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo, *args, when=None, env=None):
    """``git -C repo ARGS`` with a fixed identity and no user configuration; its output, stripped.

    when: the author and committer date (a string or an aware datetime); env: more variables.
    """
    full = dict(os.environ, **GIT_ENV, **(env or {}))
    if when is not None:
        stamp = when if isinstance(when, str) else when.isoformat().replace("+00:00", "Z")
        full.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    run = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=full, timeout=120,
                         text=True)
    return run.stdout.strip()


def run_grader(*args, timeout=900, env=None, bare=False, dry_run=True):
    """``python -m grader ARGS`` from the repository, as a user runs it.

    bare: with ``-S`` (no site-packages), as on a runner with nothing installed. dry_run: grade-roster
    gets ``--allow-unisolated`` where this machine cannot isolate student code (the tests that need
    isolation check it themselves).
    """
    if dry_run and args and args[0] == "grade-roster" and "--allow-unisolated" not in args:
        from grader.sandbox import isolation

        if isolation() != "bubblewrap":
            args = (*args, "--allow-unisolated")
    command = [sys.executable, *(["-S"] if bare else []), "-m", "grader", *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout, env=env)


def fake_report(student, scores, stamp="2026-11-22T00:00:00+00:00", tests=10, points=1.0):
    """A report dict as grading writes it: per assignment, ``tests`` hidden tests of ``points`` each, the
    first ``scores[assignment] / points`` of them passed (collect recomputes every total from them)."""
    assignments = {}
    for assignment, score in scores.items():
        passed = round(score / points)
        results = [{"name": f"test_{k}", "points": points if k < passed else 0.0, "max_points": points,
                    "passed": k < passed, "feedback": "" if k < passed else "wrong"} for k in range(tests)]
        assignments[assignment] = {"score": score, "max_score": tests * points, "submission_hash": "0" * 64,
                                   "suite": {"tests": results}, "notebook": {"score": 0.0, "max_score": 0.0}}
    return {"student": student, "score": sum(scores.values()), "max_score": tests * points * len(scores),
            "assignments": assignments, "graded_at": stamp, "grader_version": "test", "secret_seed": 1}


@pytest.fixture
def hostile_folder():
    """A folder outside pytest's own temporary folders, for trees built to break a recursive clean-up.

    pytest deletes the temporary folders of older runs with a recursive ``shutil.rmtree``: a 1,500-deep
    tree left there by a killed run would end a later run with a RecursionError after every test passed
    (seen on CI). Here such a tree is removed by ``rm -rf``, and a run killed before that leaves it where
    no pytest looks. Searchable by others (0755), so the unprivileged grader can enter it.
    """
    folder = Path(tempfile.mkdtemp(prefix="grader-hostile-tree-"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def shared_folder(tmp_path_factory, name):
    """A folder shared by the xdist workers of this run (each run has its own)."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name


@functools.lru_cache(maxsize=None)
def hidden_suite_max(assignment):
    """The maximum score of ``assignment``'s hidden suite, as grading the released stub lists it."""
    from grader.grading.suite import run_suite
    from grader.paths import ASSIGNMENTS

    return run_suite(assignment, ASSIGNMENTS / assignment).max_score
