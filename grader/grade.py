"""Grading one submission: a pure function from a directory to a report (a dict)."""

import datetime
import os
import subprocess
import tempfile
from pathlib import Path

from grader.notebook import grade_notebooks
from grader.paths import REPO, known_assignments
from grader.sandbox import content_hash, copy_submission, isolation, isolation_detail
from grader.suite import run_suite, secret_seed_from_env


class GradingError(RuntimeError):
    """The submission could not be graded at all (missing folder, unknown assignment)."""


def grader_version():
    """The git commit of the grader (with '+dirty' when the work tree has changes)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "grader"], cwd=REPO, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    version = commit.stdout.strip() or "unknown"
    return version + ("+dirty" if dirty.stdout.strip() else "")


def assignments_to_grade(submission, requested=None):
    """The assignments present in ``submission`` (or the requested ones), checked."""
    submission = Path(submission)
    if not submission.is_dir():
        raise GradingError(f"no such submission directory: {submission}")
    known = known_assignments()
    if requested:
        unknown = [a for a in requested if a not in known]
        if unknown:
            raise GradingError(f"unknown assignment {unknown[0]!r} (known: {', '.join(known)})")
        return list(requested)
    present = [a for a in known if (submission / a).is_dir()]
    if not present:
        raise GradingError(f"{submission} holds no assignment folder (expected one of: {', '.join(known)})")
    return present


def grade_assignment(submission, assignment, notebooks=True, secret_seed=None):
    """Grade one assignment folder of a submission: hidden suite, then notebook.

    The folder is copied once, within bounds (``grader.sandbox.copy_submission``); the suite's and
    the notebook's workers start from that copy, and the report's hash is taken over it. A
    missing folder is graded as an empty one, so the report still shows every test and the full
    maximum score.
    """
    folder = Path(submission) / assignment
    with tempfile.TemporaryDirectory(prefix="grader-grade-") as tmp:
        os.chmod(tmp, 0o755)
        staging = Path(tmp) / "submission"
        missing = not folder.is_dir()
        if missing:
            staging.mkdir(mode=0o755)
            copied = None
        else:
            copied = copy_submission(folder, staging)
        part = {"suite": run_suite(assignment, staging, secret_seed, staged=True, left_out=copied),
                "submission_hash": content_hash(staging)}
        if notebooks:
            part["notebook"] = grade_notebooks(assignment, staging, secret_seed, staged=True)
        else:
            part["notebook"] = {"score": 0.0, "max_score": 0.0, "skipped": True}
    if missing:
        part["feedback"] = f"The folder {assignment}/ is missing from the submission; it was graded as empty."
    elif copied.notes():
        part["feedback"] = copied.notes()
    part["score"] = part["suite"]["score"] + part["notebook"]["score"]
    part["max_score"] = part["suite"]["max_score"] + part["notebook"]["max_score"]
    return part


def grade_submission(submission, student, assignments=None, notebooks=True, secret_seed=None):
    """Grade every assignment present in ``submission``; return the report dict."""
    names = assignments_to_grade(submission, assignments)
    seed = secret_seed_from_env() if secret_seed is None else secret_seed
    report = {
        "student": student,
        "score": 0.0,
        "max_score": 0.0,
        "assignments": {},
        "graded_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "grader_version": grader_version(),
        "secret_seed": seed,
        "isolation": isolation(),
        "isolation_detail": isolation_detail(),
    }
    for name in names:
        part = grade_assignment(submission, name, notebooks, seed)
        report["assignments"][name] = part
        report["score"] += part["score"]
        report["max_score"] += part["max_score"]
    return report
