"""The student template repository: what students clone, built from this repository.

It holds the release ``assignments/``, ``lectures/``, ``rnnutils/``, the environment files, and the
student's own Makefile, check script and workflow (from ``grader/student_template/``). Never: ``solutions/``,
``grader/``, hidden tests, or this repository's workflows. ``tools/released.json`` holds a fingerprint of
each assignment's module and notebook as released, so the student's check can tell an assignment not started
yet (the check script's own ``release_fingerprints`` makes them, the template carries them).
``push_template`` replaces the contents of a clone of the template repository with a build and pushes one commit.
"""

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

from grader.errors import GraderError
from grader.paths import ASSIGNMENTS, REPO

TEMPLATES = REPO / "grader" / "student_template"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".pytest_cache", "build", "*.egg-info")
COPIED = ["requirements.txt", "environment.yml", "pyproject.toml"]
FROM_TEMPLATES = {
    "student-Makefile": "Makefile",
    "student-README.md": "README.md",
    "student-gitignore": ".gitignore",
    "check_submission.py": "tools/check_submission.py",
    "student-workflow.yml": ".github/workflows/check.yml",
}
RELEASED = "tools/released.json"


class TemplateError(GraderError, RuntimeError):
    """The template cannot be built or pushed; one line."""


def build_student_template(out):
    """Write the student template into the empty or missing folder ``out``; return the files written."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise TemplateError(f"{out} is not empty: the student template is built into a new folder")
    if not ASSIGNMENTS.is_dir():
        raise TemplateError("assignments/ is missing: run `make release` first")
    out.mkdir(parents=True, exist_ok=True)
    for folder in ("assignments", "lectures", "rnnutils"):
        shutil.copytree(REPO / folder, out / folder, ignore=IGNORED)
    for name in COPIED:
        shutil.copy(REPO / name, out / name)
    for source, target in FROM_TEMPLATES.items():
        (out / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(TEMPLATES / source, out / target)
    fingerprints = check_script().release_fingerprints(out / "assignments")
    (out / RELEASED).write_text(json.dumps(fingerprints, indent=1, sort_keys=True) + "\n")
    return sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())


def check_script():
    """The student's check script (grader/student_template/check_submission.py), loaded as a module."""
    spec = importlib.util.spec_from_file_location("check_submission", TEMPLATES / "check_submission.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _git(checkout, *args):
    identity = ["-c", "user.name=course release", "-c", "user.email=course-release@users.noreply.github.com"]
    run = subprocess.run(["git", *identity, "-C", str(checkout), *args], capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        last = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else f"exit status {run.returncode}"
        raise TemplateError(f"git {args[0]} failed in {checkout}: {last}")
    return run.stdout


def push_template(build, checkout, message="Update the student release", push=True):
    """Make the clone ``checkout`` hold exactly ``build``, commit and push; return the new commit or None."""
    build, checkout = Path(build), Path(checkout)
    if not (checkout / ".git").exists():
        raise TemplateError(f"{checkout} is not a clone of the student template repository")
    if not build.is_dir():
        raise TemplateError(f"{build}: no such build (run `python -m grader student-template` first)")
    for path in checkout.iterdir():
        if path.name == ".git":
            continue
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    shutil.copytree(build, checkout, dirs_exist_ok=True)
    _git(checkout, "add", "--all")
    if not _git(checkout, "status", "--porcelain").strip():
        return None
    _git(checkout, "commit", "--quiet", "-m", message)
    if push:
        _git(checkout, "push", "--quiet", "origin", "HEAD")
    return _git(checkout, "rev-parse", "HEAD").strip()
