"""Grading one submission: a pure function from a directory to a ``Report``."""

import dataclasses
import datetime
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grader.errors import GraderError
from grader.grading.notebook import grade_notebooks
from grader.paths import known_assignments
from grader.records.results import AssignmentResult, NotebookResult, Report
from grader.sandbox import content_hash, copy_submission, isolation, isolation_detail
from grader.grading.suite import run_suite, secret_seed_from_env
from grader.records.version import grader_version, grading_version


class GradingError(GraderError, RuntimeError):
    """The submission could not be graded at all (missing folder, unknown assignment)."""


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


def reusable(previous, submission_hash, assignment, notebooks):
    """Whether ``previous`` (an ``AssignmentResult`` of an earlier run) stands for grading this again:
    graded, same content hash, same grading version, notebooks graded the same way."""
    return (previous is not None and previous.graded and previous.submission_hash == submission_hash
            and previous.grading_version == grading_version(assignment) and previous.notebook.skipped == (not notebooks))


def grade_assignment(submission, assignment, notebooks=True, secret_seed=None, previous=None):
    """Grade one assignment folder of a submission: hidden suite and notebook side by side; an ``AssignmentResult``.

    The folder is copied once, within bounds (``grader.sandbox.copy_submission``); the suite's and
    the notebook's workers start from that copy, and the result's hash is taken over it. A
    missing folder is graded as an empty one, so the result still shows every test and the full
    maximum score. ``previous``: the result of an earlier run with the same secret seed; when it is
    ``reusable`` for this copy, it is returned (without lateness) instead of grading again.
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
        digest = content_hash(staging)
        if reusable(previous, digest, assignment, notebooks):
            return dataclasses.replace(previous, lateness=None)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"notebook-{assignment}") as side:
            # The notebook's worker runs beside the suite's: two processes, one per core of a small runner.
            notebook = side.submit(grade_notebooks, assignment, staging, secret_seed, staged=True) if notebooks else None
            suite = run_suite(assignment, staging, secret_seed, staged=True, left_out=copied)
            part = AssignmentResult(suite=suite, submission_hash=digest, grading_version=grading_version(assignment),
                                    notebook=notebook.result() if notebook else NotebookResult(skipped=True))
    if missing:
        part.feedback = f"The folder {assignment}/ is missing from the submission; it was graded as empty."
    elif copied.notes():
        part.feedback = copied.notes()
    return part


def new_report(student, seed):
    """An empty ``Report`` for ``student``, stamped with the time, the grader and the isolation."""
    return Report(student=student, graded_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                  grader_version=grader_version(), secret_seed=seed, isolation=isolation(),
                  isolation_detail=isolation_detail())


def grade_submission(submission, student, assignments=None, notebooks=True, secret_seed=None):
    """Grade every assignment present in ``submission`` (or the requested ones); return the ``Report``."""
    names = assignments_to_grade(submission, assignments)
    seed = secret_seed_from_env() if secret_seed is None else secret_seed
    report = new_report(student, seed)
    for name in names:
        report.assignments[name] = grade_assignment(submission, name, notebooks, seed)
    return report
