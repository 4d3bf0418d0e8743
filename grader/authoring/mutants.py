"""Known-wrong versions of each solution module, and the check that the hidden suite catches them.

A mutant is ``grader/mutants/<assignment>/<bug>.py`` with a docstring (the bug, in one line),
``TARGET`` (the module it changes), ``REPLACE`` (a list of ``(old, new)`` text replacements in the
reference module, each ``old`` occurring exactly once) and ``HINT`` (what a student with that bug
should read); ``DIAGNOSIS = False`` with ``REASON`` marks a bug whose output cannot be matched.
Reading and applying mutants is shared with grading (``grader.grading.diagnose``), where failed
checks run them to name the bug a student's output reproduces.

Each graded mutant gives a result dict: ``mutant``, ``score``, ``max_score``, ``caught_by`` (the
tests it failed) and ``diagnosed_as`` (those of them whose failure message carried its HINT).
"""

import shutil
import tempfile
from pathlib import Path

from grader.grading.diagnose import MutantError, mutant_paths, mutate, read_mutant
from grader.grading.suite import run_suite
from grader.paths import SOLUTIONS

__all__ = ["MutantError", "build_mutant", "grade_mutant", "load_mutant", "mutant_paths", "mutate", "read_mutant",
           "run_mutants", "survived", "undiagnosed"]


def load_mutant(path):
    """Read a mutant file: returns (description, target, replacements)."""
    mutant = read_mutant(path)
    return mutant.description, mutant.target, list(mutant.replacements)


def build_mutant(assignment, mutant_path, out_root):
    """Write a submission folder ``out_root/<assignment>`` holding the mutated module."""
    _, target, replacements = load_mutant(mutant_path)
    folder = Path(out_root) / assignment
    shutil.copytree(SOLUTIONS / assignment, folder, ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
    module = folder / target
    module.write_text(mutate(module.read_text(), replacements, f"{mutant_path.name} -> {target}"))
    return folder


def grade_mutant(assignment, mutant_path, exitfirst=False, until_diagnosed=False):
    """Grade one mutant with the hidden suite; return a result dict.

    ``exitfirst`` stops at the first failed test; ``until_diagnosed`` at the first failed test whose
    message carries the mutant's HINT (at the first failed test for a mutant without diagnosis).
    """
    mutant = read_mutant(mutant_path, assignment)

    def diagnosed(feedback):
        return mutant.hint in feedback

    stop = None
    if exitfirst or (until_diagnosed and not mutant.diagnosable):
        stop = lambda test: not test.passed  # noqa: E731
    elif until_diagnosed:
        stop = lambda test: not test.passed and diagnosed(test.feedback)  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="grader-mutant-") as tmp:
        folder = build_mutant(assignment, mutant_path, tmp)
        try:
            suite = run_suite(assignment, folder, stop_after=stop)
        except Exception as exc:  # noqa: BLE001 - a broken suite is reported per mutant
            return {"mutant": mutant_path.stem, "error": f"{type(exc).__name__}: {exc}"}
    failed = [t for t in suite.tests if not t.passed and t.feedback]
    return {"mutant": mutant_path.stem, "score": suite.score, "max_score": suite.max_score,
            "caught_by": [t.name for t in failed],
            "diagnosed_as": [t.name for t in failed if diagnosed(t.feedback)],
            "diagnosis": True if mutant.diagnosable else f"none: {mutant.reason}"}


def run_mutants(assignment, exitfirst=False, until_diagnosed=False):
    """Grade every mutant of an assignment, one after the other; return the result dicts."""
    return [grade_mutant(assignment, path, exitfirst, until_diagnosed) for path in mutant_paths(assignment)]


def survived(result):
    """True when a mutant was not caught (kept full marks) or could not be graded."""
    return "error" in result or result["score"] >= result["max_score"]


def undiagnosed(result):
    """True when a caught mutant that declares a diagnosis was named in no failure message."""
    return not survived(result) and result["diagnosis"] is True and not result["diagnosed_as"]
