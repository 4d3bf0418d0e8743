"""Known-wrong versions of each solution module, and the check that the hidden suite catches them.

A mutant is ``grader/mutants/<assignment>/<bug>.py`` with a docstring (the bug, in one line),
``TARGET`` (the module it changes) and ``REPLACE`` (a list of ``(old, new)`` text replacements
in the reference module, each ``old`` occurring exactly once).
"""

import shutil
import tempfile
from pathlib import Path

from grader.paths import MUTANTS, SOLUTIONS
from grader.grading.suite import run_suite


class MutantError(ValueError):
    """A mutant file that cannot be applied to the current solution."""


def load_mutant(path):
    """Read a mutant file: returns (description, target, replacements)."""
    namespace = {}
    exec(compile(Path(path).read_text(), str(path), "exec"), namespace)
    description = (namespace.get("__doc__") or "").strip().splitlines()
    target, replacements = namespace.get("TARGET"), namespace.get("REPLACE")
    if not description or not isinstance(target, str) or not isinstance(replacements, list) or not replacements:
        raise MutantError(f"{path}: needs a docstring, TARGET (str) and REPLACE (non-empty list)")
    return description[0], target, replacements


def mutate(text, replacements, where):
    """Apply ``replacements`` to ``text``; every ``old`` must occur exactly once."""
    for old, new in replacements:
        count = text.count(old)
        if count != 1:
            raise MutantError(f"{where}: {old[:60]!r} occurs {count} times in the solution (expected once)")
        text = text.replace(old, new)
    return text


def build_mutant(assignment, mutant_path, out_root):
    """Write a submission folder ``out_root/<assignment>`` holding the mutated module."""
    _, target, replacements = load_mutant(mutant_path)
    folder = Path(out_root) / assignment
    shutil.copytree(SOLUTIONS / assignment, folder, ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
    module = folder / target
    module.write_text(mutate(module.read_text(), replacements, f"{mutant_path.name} -> {target}"))
    return folder


def mutant_paths(assignment):
    """The mutant files of one assignment, sorted by name."""
    return sorted(p for p in (MUTANTS / assignment).glob("*.py") if not p.name.startswith("_"))


def grade_mutant(assignment, mutant_path, exitfirst=False):
    """Grade one mutant with the hidden suite; return a result dict."""
    with tempfile.TemporaryDirectory(prefix="grader-mutant-") as tmp:
        folder = build_mutant(assignment, mutant_path, tmp)
        try:
            suite = run_suite(assignment, folder, exitfirst=exitfirst)
        except Exception as exc:  # noqa: BLE001 - a broken suite is reported per mutant
            return {"mutant": mutant_path.stem, "error": f"{type(exc).__name__}: {exc}"}
    caught = [t.name for t in suite.tests if not t.passed and t.feedback]
    return {"mutant": mutant_path.stem, "score": suite.score, "max_score": suite.max_score, "caught_by": caught}


def run_mutants(assignment, exitfirst=False):
    """Grade every mutant of an assignment, one after the other; return the result dicts."""
    return [grade_mutant(assignment, path, exitfirst) for path in mutant_paths(assignment)]


def survived(result):
    """True when a mutant was not caught (kept full marks) or could not be graded."""
    return "error" in result or result["score"] >= result["max_score"]
