"""Generate the student release ``assignments/`` from the instructor source ``solutions/``.

- modules (every ``.py``, public tests included): each solution block (grammar in markers.py)
  becomes ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` at the indentation of its BEGIN
  marker, and each hidden test block is dropped, as nbgrader does in notebooks;
- notebooks: their markers are checked, then ``nbgrader generate_assignment`` runs in a temporary
  course folder (nbgrader applies the same grammar to the cells);
- everything else (data files) is copied as it is.

Every error is a ReleaseError with a one-line message.
"""

import filecmp
import json
import shutil
import tempfile
from pathlib import Path

from grader.authoring.markers import HIDDEN, SOLUTION, TEXT, MarkerError, notebook_cells, parse
from grader.authoring.nbcourse import generate, make_course
from grader.errors import GraderError
from grader.grading.notebook import skipped_cell_problems
from grader.paths import ASSIGNMENTS, SOLUTIONS, known_assignments

STUB = ("# YOUR CODE HERE\n", "raise NotImplementedError()\n")
NBGRADER_CELL = {SOLUTION: "solution", HIDDEN: "grade"}  # the cell a block must stand in (nbgrader metadata)
IGNORED = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", ".pytest_cache", "*.pyc")


class ReleaseError(GraderError, RuntimeError):
    """The instructor source cannot be released as it is."""


def stub_module(text, where="module"):
    """The student version of a module: solution blocks become stubs, hidden test blocks go."""
    try:
        blocks = parse(text, where)
    except MarkerError as exc:
        raise ReleaseError(str(exc)) from None
    out = []
    for block in blocks:
        if block.kind == TEXT:
            out += block.lines
        elif block.kind == SOLUTION:
            out += [block.indent + line for line in STUB]
    return "".join(out)


def check_notebook(path, where):
    """Raise ReleaseError if a cell of a notebook breaks the marker grammar or nbgrader's rule (solution
    blocks only in solution cells, hidden test blocks only in grade (autograder test) cells), or carries
    a ``skip-in-grading`` tag that grading cannot honour (``skipped_cell_problems``)."""
    try:
        for number, (source, nbgrader) in enumerate(notebook_cells(path), start=1):
            for block in parse(source, f"{where} cell {number}"):
                needed = NBGRADER_CELL.get(block.kind)
                if needed and not nbgrader.get(needed):
                    raise ReleaseError(f"{where} cell {number}:{block.start}: a {block.kind} block in a cell "
                                       f"that is not an nbgrader {needed} cell")
        problems = skipped_cell_problems(json.loads(Path(path).read_text()), str(where))
    except MarkerError as exc:
        raise ReleaseError(str(exc)) from None
    if problems:
        raise ReleaseError(problems[0])


def release_notebooks(assignment, source_dir, out_dir):
    """Run ``nbgrader generate_assignment`` on the assignment's notebooks into ``out_dir``."""
    notebooks = sorted(source_dir.glob("*.ipynb"))
    for notebook in notebooks:
        check_notebook(notebook, Path(SOLUTIONS.name) / assignment / notebook.name)
    if not notebooks:
        return
    with tempfile.TemporaryDirectory(prefix="grader-release-") as tmp:
        course = Path(tmp)
        success, log = generate(course, assignment, make_course(course, assignment, notebooks))
        if not success:
            raise ReleaseError(f"nbgrader could not generate {assignment}: {_last_error(log)}")
        for notebook in notebooks:
            shutil.copy(course / "release" / assignment / notebook.name, out_dir / notebook.name)


def _last_error(log):
    """The line of nbgrader's log that says what went wrong (its last error, else its last line)."""
    lines = [line.strip() for line in str(log).splitlines() if line.strip()] or ["(no log)"]
    errors = [line for line in lines if "ERROR" in line or "Error:" in line]
    return (errors or lines)[-1][:300]


def release_assignment(assignment, out_root):
    """Write the student release of one assignment into ``out_root/<assignment>``."""
    source_dir = SOLUTIONS / assignment
    if not source_dir.is_dir():
        raise ReleaseError(f"{assignment}: no such assignment (no folder {SOLUTIONS.name}/{assignment})")
    out_dir = Path(out_root) / assignment
    if out_dir.exists():
        shutil.rmtree(out_dir)
    shutil.copytree(source_dir, out_dir, ignore=IGNORED)
    try:
        for module in sorted(out_dir.rglob("*.py")):
            where = Path(SOLUTIONS.name) / assignment / module.relative_to(out_dir)
            try:
                text = module.read_text()
            except UnicodeDecodeError:
                raise ReleaseError(f"{where}: not UTF-8 text") from None
            if (stub := stub_module(text, where)) != text:
                module.write_text(stub)
        for notebook in out_dir.glob("*.ipynb"):
            notebook.unlink()
        release_notebooks(assignment, source_dir, out_dir)
    except BaseException:
        shutil.rmtree(out_dir)  # a half-made release would still hold the solutions
        raise
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
