"""Generate the student release ``assignments/`` from the instructor source ``solutions/``.

- modules: each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` block becomes
  ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` at the block's indentation;
- notebooks: ``nbgrader generate_assignment`` in a temporary course folder;
- everything else (public tests, data files) is copied as it is.
"""

import filecmp
import re
import shutil
import tempfile
from pathlib import Path

from grader.authoring.nbcourse import generate, make_course
from grader.paths import ASSIGNMENTS, SOLUTIONS, known_assignments

BEGIN = re.compile(r"^(\s*)### BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*### END SOLUTION\s*$")
IGNORED = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", ".pytest_cache", "*.pyc")


class ReleaseError(RuntimeError):
    """The instructor source cannot be released as it is."""


def solution_blocks(lines, where):
    """Yield ``(begin, end, indent)`` line indices of the solution blocks in ``lines``."""
    begin = indent = None
    for number, line in enumerate(lines):
        if match := BEGIN.match(line):
            if begin is not None:
                raise ReleaseError(f"{where}:{number + 1}: BEGIN SOLUTION inside another solution block")
            begin, indent = number, match.group(1)
        elif END.match(line):
            if begin is None:
                raise ReleaseError(f"{where}:{number + 1}: END SOLUTION without BEGIN SOLUTION")
            yield begin, number, indent
            begin = None
    if begin is not None:
        raise ReleaseError(f"{where}:{begin + 1}: BEGIN SOLUTION is never closed")


def stub_module(text, where="module"):
    """The student version of a module: every solution block replaced by a stub."""
    lines = text.splitlines(keepends=True)
    out, last = [], 0
    for begin, end, indent in solution_blocks(lines, where):
        out += lines[last:begin]
        out += [f"{indent}# YOUR CODE HERE\n", f"{indent}raise NotImplementedError()\n"]
        last = end + 1
    return "".join(out + lines[last:])


def release_notebooks(assignment, source_dir, out_dir):
    """Run ``nbgrader generate_assignment`` on the assignment's notebooks into ``out_dir``."""
    notebooks = sorted(source_dir.glob("*.ipynb"))
    if not notebooks:
        return
    with tempfile.TemporaryDirectory(prefix="grader-release-") as tmp:
        course = Path(tmp)
        success, log = generate(course, assignment, make_course(course, assignment, notebooks))
        if not success:
            raise ReleaseError(f"nbgrader could not generate {assignment}: {log}")
        for notebook in notebooks:
            shutil.copy(course / "release" / assignment / notebook.name, out_dir / notebook.name)


def release_assignment(assignment, out_root):
    """Write the student release of one assignment into ``out_root/<assignment>``."""
    source_dir = SOLUTIONS / assignment
    out_dir = Path(out_root) / assignment
    if out_dir.exists():
        shutil.rmtree(out_dir)
    shutil.copytree(source_dir, out_dir, ignore=IGNORED)
    for module in out_dir.rglob("*.py"):
        text = module.read_text()
        if "### BEGIN SOLUTION" in text:
            module.write_text(stub_module(text, where=str(module.relative_to(out_root))))
    for notebook in out_dir.glob("*.ipynb"):
        notebook.unlink()
    release_notebooks(assignment, source_dir, out_dir)
    return out_dir


def release(out_root=ASSIGNMENTS, assignments=None):
    """Regenerate the release of every assignment (or the given ones) into ``out_root``."""
    out_root = Path(out_root)
    out_root.mkdir(parents=True, exist_ok=True)
    return [release_assignment(a, out_root) for a in assignments or known_assignments()]


def stale_files(assignments=None):
    """Paths under assignments/ that differ from a fresh release (missing, extra or changed)."""
    names = assignments or known_assignments()
    with tempfile.TemporaryDirectory(prefix="grader-fresh-") as tmp:
        release(tmp, names)
        stale = []
        for name in names:
            stale += _differences(Path(tmp) / name, ASSIGNMENTS / name, Path(name))
        extra = {p.name for p in ASSIGNMENTS.iterdir() if p.is_dir()} - set(names) if ASSIGNMENTS.exists() else set()
        if assignments is None:
            stale += sorted(Path(e) for e in extra)
        return stale


def _differences(fresh, current, prefix):
    if not current.exists():
        return [prefix]
    comparison = filecmp.dircmp(fresh, current, ignore=["__pycache__", ".ipynb_checkpoints", ".pytest_cache"])
    return _walk(comparison, prefix)


def _walk(comparison, prefix):
    out = [prefix / n for n in comparison.left_only + comparison.right_only + comparison.funny_files]
    _, mismatch, errors = filecmp.cmpfiles(comparison.left, comparison.right, comparison.common_files, shallow=False)
    out += [prefix / n for n in mismatch + errors]
    for name, sub in comparison.subdirs.items():
        out += _walk(sub, prefix / name)
    return sorted(out)
