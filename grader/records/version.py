"""What graded a report: the grader's commit, and per assignment a hash of everything that decides
its grades besides the submission (the grading version). Standard library only."""

import functools
import hashlib
import subprocess

from grader.paths import ASSIGNMENTS, REPO, SOLUTIONS, SUITES, known_assignments


def grader_version():
    """The git commit of the grader (with '+dirty' when the work tree has changes)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "grader"], cwd=REPO, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    version = commit.stdout.strip() or "unknown"
    return version + ("+dirty" if dirty.stdout.strip() else "")


# What decides a grade besides the submission: the grading pipeline, the library students may import,
# and, per assignment, its hidden suite and its notebooks (the source with points and grade ids, the
# release with the locked cells).
GRADING_CODE = ("grader/grading", "grader/records/results.py", "grader/sandbox", "grader/suites/pytest.ini", "rnnutils")


def _files(path):
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and not p.name.endswith(".pyc"))


@functools.lru_cache(maxsize=None)
def grading_version(assignment):
    """A hash of everything that decides ``assignment``'s grade besides the submission (16 hex digits).

    Two reports of one assignment with the same version were graded by the same hidden suite, notebook
    checks, notebooks and grading code; a changed version means the scores may not be comparable.
    """
    digest = hashlib.sha256()
    paths = [REPO / p for p in GRADING_CODE] + [SUITES / assignment]
    paths += sorted((SOLUTIONS / assignment).glob("*.ipynb")) + sorted((ASSIGNMENTS / assignment).glob("*.ipynb"))
    for path in paths:
        for file in _files(path) if path.exists() else []:
            digest.update(str(file.relative_to(REPO)).encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()[:16]




def current_versions():
    """``{assignment: grading version}`` of every assignment of this checkout."""
    return {name: grading_version(name) for name in known_assignments()}
