"""Grade an assignment's notebook: run it in the sandbox, then check its answers in the grader.

The student's notebook runs cell by cell in an IPython shell inside a sandboxed worker (the same
worker and isolation as the hidden suite; no Jupyter kernel, no network, no nbgrader process near
student files). Cells that the release locks (instructions, set-up code, test cells) run as they
were released, whatever the student changed in them, and locked cells the student deleted are put
back. Each autograded test cell is scored by a check of the assignment's hidden suite
(``grader/suites/<aN>/notebook.py``), run in the grader right after that cell: the check asks the
notebook's namespace for values and calls its functions with inputs it chooses, and decides with
values it computes itself. Nothing the notebook prints or decides counts: a notebook that rewrites
its own test cells earns nothing for them, and no hidden check ever enters the worker.

A check module defines ``CHECKS``, a dict from the test cell's nbgrader ``grade_id`` to a function
``check(nb, secret_seed)`` that raises ``AssertionError`` (or a ``SubmissionFailure``) with a
message for the student when the cell's answers are wrong. ``nb`` is a ``grader.sandbox.Submission``
in notebook mode: ``nb.notebook("name")`` is a name of the notebook (call it, ``.get()`` it),
``nb.module("bptt")`` a module of the submission. The cell's points come from its nbgrader metadata.

Time limits count CPU time (see ``grader.sandbox.client``): each cell, and each call of a check, may
use ``cell_cpu_limit(assignment)`` seconds of CPU time, the whole notebook ``NOTEBOOK_CPU_LIMIT``; a
cell that waits without using CPU stands under the wall-clock backstop (``TimeLimit``), the whole
notebook under ``NOTEBOOK_WAIT_LIMIT``. A cell stopped at its limit stops the notebook (its
namespace is gone with its worker); the feedback names the cell and the limit.

Grading runs only the cells a check can depend on: the code cells up to the last test cell (what comes
after it cannot change a score), without the locked cells the instructor tagged ``skip-in-grading``
in the source notebook (experiments and plots whose results no later cell or check reads; the
release refuses a tag on a cell whose names a later cell uses, see ``skipped_cell_problems``).
Cell numbers in the feedback still count every code cell, as the student sees them.
"""

import ast
import importlib.util
import json
import time
from dataclasses import dataclass
from pathlib import Path

from grader.paths import ASSIGNMENTS, SOLUTIONS, SUITES
from grader.records.results import CellResult, NotebookResult
from grader.sandbox import CallTimeout, Submission, SubmissionFailure, copy_submission
from grader.sandbox.client import TimeLimit

# Seconds of CPU time per notebook cell (and per call of a check), per assignment: about 20 times the
# reference notebook's slowest cell, never below CELL_CPU_FLOOR (``python -m grader.benches.time_limits``
# measures the reference). Measured: the slowest cell of each reference notebook, in CPU seconds.
CELL_CPU_FLOOR = 30.0
CELL_CPU_LIMITS = {
    "a1_cells": 40.0,       # 1.95 (the imports: numpy, torch, matplotlib)
    "a2_bptt": 30.0,        # 0.6: the floor
    "a3_airline": 260.0,    # 12.8 (training the forecaster)
    "a4_next_char": 230.0,  # 11.2 (the bits per character of the trained models)
    "a5_attention": 360.0,  # 18 (training the attention model, one thread)
}
# The reference notebooks use 2.1 (a1), 1.2 (a2), 20 (a3) and 30 (a4) s of CPU time in all.
NOTEBOOK_CPU_LIMIT = 900.0     # seconds of CPU time for all the cells and checks of one notebook
NOTEBOOK_WAIT_LIMIT = 1800.0   # seconds of wall time for all of them, not counting waits for a CPU
MAX_NOTEBOOK_BYTES = 16 << 20
MAX_NOTE_CHARS = 600
SKIP_TAG = "skip-in-grading"   # a locked cell's tag: grading does not run it


@dataclass
class Cell:
    """A code cell to run: its source, its nbgrader id (if any) and whether it is an autograded test."""

    source: str
    grade_id: str = ""
    test: bool = False
    skip: bool = False


def _info(cell):
    metadata = cell.get("metadata") if type(cell) is dict else None
    info = metadata.get("nbgrader") if type(metadata) is dict else None
    return info if type(info) is dict else {}


def is_skipped(cell):
    """Whether the instructor tagged ``cell`` (a locked cell of the release) not to run at grading time."""
    metadata = cell.get("metadata") if type(cell) is dict else None
    tags = metadata.get("tags") if type(metadata) is dict else None
    return type(tags) is list and SKIP_TAG in tags


def _locked_cell(cell):
    """A locked cell as released: what grading runs in place of the student's copy."""
    return Cell(_source(cell), _info(cell)["grade_id"], is_test_cell(cell), is_skipped(cell))


def _source(cell):
    source = cell.get("source", "")
    if type(source) is list:
        return "".join(s for s in source if type(s) is str)
    return source if type(source) is str else ""


def is_test_cell(cell):
    """An autograded test cell of nbgrader: a graded code cell that is not a solution cell."""
    info = _info(cell)
    return cell.get("cell_type") == "code" and bool(info.get("grade")) and not info.get("solution")


def instructor_notebooks(assignment):
    """The instructor's source notebooks of ``assignment`` (their metadata gives points)."""
    return sorted((SOLUTIONS / assignment).glob("*.ipynb"))


def released_notebook(assignment, name):
    """The released notebook (``assignments/<aN>/<name>``) as a dict: the locked cells as students got them."""
    return json.loads((ASSIGNMENTS / assignment / name).read_text())


def points(source):
    """``([(grade_id, points)] of the autograded test cells, manual points)`` of a source notebook."""
    tests, manual = [], 0.0
    for cell in source["cells"]:
        info = _info(cell)
        if not info.get("grade"):
            continue
        if is_test_cell(cell):
            tests.append((info["grade_id"], float(info.get("points", 0))))
        elif cell.get("cell_type") == "markdown":
            manual += float(info.get("points", 0))
    return tests, manual


def load_checks(assignment):
    """The ``CHECKS`` dict of ``grader/suites/<assignment>/notebook.py`` ({} when there is none)."""
    path = SUITES / assignment / "notebook.py"
    if not path.is_file():
        return {}
    spec = importlib.util.spec_from_file_location(f"grader_notebook_checks_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.CHECKS)


def read_student_notebook(path):
    """The student's notebook as a dict with a list of cells; ValueError with the reason otherwise."""
    if not path.is_file():
        raise FileNotFoundError(path.name)
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"it is larger than {MAX_NOTEBOOK_BYTES >> 20} MiB")
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"{type(exc).__name__}: {str(exc)[:200]}") from None
    if type(notebook) is not dict or type(notebook.get("cells")) is not list:
        raise ValueError("it has no list of cells")
    return notebook


def cells_to_run(released, student):
    """The code cells to run, in the student's order, with locked cells as released.

    Returns ``(cells, restored)``: a list of ``Cell`` and the grade ids of locked code cells that the
    student had deleted and that were put back after the cell that precedes them in the release.
    """
    locked = {}
    for cell in released["cells"]:
        info = _info(cell)
        if info.get("locked") and info.get("grade_id") and cell.get("cell_type") == "code":
            locked[info["grade_id"]] = cell
    order, present = [], set()
    for cell in student["cells"]:
        if type(cell) is not dict or cell.get("cell_type") != "code":
            if type(cell) is dict and _info(cell).get("grade_id"):
                present.add(_info(cell)["grade_id"])
            continue
        grade_id = _info(cell).get("grade_id", "")
        grade_id = grade_id if type(grade_id) is str else ""
        if grade_id in locked:
            order.append(_locked_cell(locked[grade_id]))
        else:
            order.append(Cell(_source(cell), grade_id if grade_id in present else ""))
        present.add(grade_id)
    restored = []
    sequence = [c for c in released["cells"] if c.get("cell_type") == "code" and _info(c).get("grade_id")]
    for index, cell in enumerate(sequence):
        grade_id = _info(cell)["grade_id"]
        if grade_id not in locked or grade_id in present:
            continue
        before = {_info(c)["grade_id"] for c in sequence[:index]}
        positions = [i for i, c in enumerate(order) if c.grade_id in before]
        order.insert(positions[-1] + 1 if positions else 0, _locked_cell(cell))
        present.add(grade_id)
        if is_test_cell(cell):
            restored.append(grade_id)
    return order, restored


def _names(source, context):
    """The names a cell's code binds (``ast.Store``) or reads (``ast.Load``); IPython magics are left out."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, context)}
    if context is ast.Store:
        names |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        names |= {(a.asname or a.name).split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                  for a in n.names}
    return names


def skipped_cell_problems(notebook, where="notebook"):
    """Why the ``skip-in-grading`` tags of a source notebook (a dict) are wrong, as messages ([] when right).

    A tag belongs on a locked code cell before the last test cell, and no code cell that grading runs
    after it may read a name it binds (grading would then fail where the student's run passes)."""
    problems, skipped = [], []
    code = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    last_test = max((i for i, c in enumerate(code) if is_test_cell(c)), default=-1)
    for index, cell in enumerate(code):
        label = f"{where}, code cell {index + 1} ({_info(cell).get('grade_id', 'no grade id')})"
        if is_skipped(cell):
            if not _info(cell).get("locked") or is_test_cell(cell):
                problems.append(f"{label}: only a locked cell that is not a test cell may be tagged {SKIP_TAG}")
            skipped.append((label, _names(_source(cell), ast.Store)))
        elif index <= last_test:
            reads = _names(_source(cell), ast.Load) - _names(_source(cell), ast.Store)   # not its own loop variables
            for other, binds in skipped:
                if reads & binds:
                    problems.append(f"{label} reads {', '.join(sorted(reads & binds))}, which {other} defines; "
                                    f"that cell is tagged {SKIP_TAG}, so grading would not define it")
    return problems


def cell_cpu_limit(assignment):
    """Seconds of CPU time per cell of ``assignment``'s notebooks."""
    return max(CELL_CPU_FLOOR, CELL_CPU_LIMITS.get(assignment, CELL_CPU_FLOOR))


def _note(text):
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_NOTE_CHARS else text[:MAX_NOTE_CHARS] + " ..."


def run_check(check, nb, secret_seed):
    """Run one check; return ``(passed, message)``."""
    try:
        check(nb, secret_seed)
    except (AssertionError, SubmissionFailure) as exc:
        return False, str(exc).strip() or "An assertion about your notebook's answers failed."
    except Exception as exc:  # noqa: BLE001 - an unexpected value from the notebook
        return False, (f"The check could not be completed ({type(exc).__name__}: {_note(exc)}). This usually "
                       "means a value of an unexpected kind came back from your notebook.")
    return True, ""


def grade_notebook(assignment, source_path, staging, secret_seed, timings=None):
    """Grade one notebook of a staged submission; return ``(cells, manual, notes)`` (``timings``: see ``run_cells``)."""
    source = json.loads(source_path.read_text())
    tests, manual = points(source)
    checks = load_checks(assignment)
    results = {g: {"name": f"{source_path.stem}:{g}", "points": 0.0, "max_points": p, "feedback": ""}
               for g, p in tests}
    notes = []
    try:
        student = read_student_notebook(Path(staging) / source_path.name)
    except FileNotFoundError:
        notes.append(f"Notebook {source_path.name} not found in your submission: keep the released file name.")
        student = None
    except ValueError as exc:
        notes.append(f"Notebook {source_path.name} is not a valid notebook file ({exc}); it could not be run. "
                     "Restore it from your last good commit.")
        student = None
    if student is None:
        for result in results.values():
            result["feedback"] = "Your notebook could not be read, so this check could not run."
        return list(results.values()), manual, notes
    cells, restored = cells_to_run(released_notebook(assignment, source_path.name), student)
    if restored:
        notes.append(f"Test cell(s) {', '.join(restored)} were missing from {source_path.name}; they were put back "
                     "and run. Never delete the notebook's test cells.")
    stopped = run_cells(cells, checks, results, staging, secret_seed, cell_cpu_limit(assignment), timings)
    if stopped:
        notes.append(stopped)
        for result in results.values():
            if not result["points"] and not result["feedback"]:
                result["feedback"] = "Not checked: " + stopped
    return list(results.values()), manual, notes


def describe_cell(number, cell):
    """A code cell as the student finds it: its number, its nbgrader id if any, and its first line of code."""
    lines = [line.strip() for line in cell.source.splitlines()]
    first = next((line for line in lines if line and not line.startswith("#")), "")
    if len(first) > 60:
        first = first[:57] + "..."
    said = [f"`{cell.grade_id}`"] if cell.grade_id else []
    said += [f"starting `{first}`"] if first else []
    return f"code cell {number}" + (f" ({', '.join(said)})" if said else "")


def stopped_at_limit(number, cell, exc):
    """Why the notebook stopped when a cell reached its time limit (``exc``, a ``CallTimeout``)."""
    where = describe_cell(number, cell)
    if exc.kind == "cpu":
        return (f"Your notebook was stopped at {where}: the cell ran out of CPU time, using more than "
                f"{exc.limit:g} s, the limit per cell. An endless loop, or a call of a function that never "
                "returns? The cells after it did not run.")
    return (f"Your notebook was stopped at {where}: the cell ran for more than {exc.limit:.0f} s while using little "
            "CPU time (input(), a sleep, or waiting for something that never happens?). The cells after it did "
            "not run.")


def _add_time(timings, stage, start):
    if timings is not None:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def run_cells(cells, checks, results, staging, secret_seed, cpu_limit=CELL_CPU_FLOOR, timings=None):
    """Run the cells in one notebook worker, checking each test cell after it; return why it stopped ('').

    ``cpu_limit``: seconds of CPU time per cell and per call of a check. ``timings``: a dict to which the
    wall seconds of running cells ("cells", the worker's start included) and checks ("checks") are added.
    """
    last_test = max((number for number, cell in enumerate(cells, start=1) if cell.test), default=0)
    nb = Submission(staging, notebook=True, staged=True, cpu_limit=cpu_limit)
    try:
        for number, cell in enumerate(cells, start=1):
            if number > last_test:
                break   # nothing after the last test cell can change a score
            if cell.skip:
                continue
            if nb.cpu_used > NOTEBOOK_CPU_LIMIT:
                return (f"Your notebook used more than {NOTEBOOK_CPU_LIMIT:g} s of CPU time in all; it was stopped "
                        f"before {describe_cell(number, cell)}.")
            if nb.waited > NOTEBOOK_WAIT_LIMIT:
                return (f"Your notebook ran longer than {NOTEBOOK_WAIT_LIMIT:g} s in all; it was stopped before "
                        f"{describe_cell(number, cell)}.")
            # The cell's backstop (and its checks'), within what is left of the notebook's.
            nb.wall_limit = min(TimeLimit(cpu_limit).wall, max(1.0, NOTEBOOK_WAIT_LIMIT - nb.waited))
            start = time.perf_counter()
            try:
                error = nb.run_cell(cell.source, timeout=cpu_limit)
            except CallTimeout as exc:
                return stopped_at_limit(number, cell, exc)
            except SubmissionFailure as exc:
                return f"Your notebook stopped at code cell {number}: {_note(exc)}"
            finally:
                _add_time(timings, "cells", start)
            if not cell.test or cell.grade_id not in results or results[cell.grade_id].get("_done"):
                continue
            result = results[cell.grade_id]
            result["_done"] = True
            check = checks.get(cell.grade_id)
            if check is None:
                result["feedback"] = "This cell has no check in the grader; tell your instructor."
                continue
            start = time.perf_counter()
            passed, message = run_check(check, nb, secret_seed)
            _add_time(timings, "checks", start)
            if passed:
                result["points"] = result["max_points"]
            else:
                if type(error) is dict:
                    message += f"\n(The cell itself raised {_note(error.get('message', 'an error'))}.)"
                result["feedback"] = message[:4000]
            if not nb.worker.alive() and not passed:
                # A check's call crashed the worker: the namespace is gone, so the notebook cannot go on.
                return f"Your notebook's worker stopped during the check of `{cell.grade_id}`."
        return ""
    finally:
        nb.close()
        for result in results.values():
            result.pop("_done", None)


def grade_notebooks(assignment, folder, secret_seed=None, staged=False, timings=None):
    """Grade the notebooks of one assignment folder; return its ``NotebookResult``.

    ``staged``: ``folder`` is already a bounded copy; otherwise one is made here. ``timings``: a dict to
    which wall seconds are added per stage ("cells", "checks", see ``run_cells``; "total").
    """
    start = time.perf_counter()
    import tempfile

    from grader.grading.suite import secret_seed_from_env

    seed = secret_seed_from_env() if secret_seed is None else secret_seed
    part = NotebookResult()
    sources = instructor_notebooks(assignment)
    if not sources:
        return part
    with tempfile.TemporaryDirectory(prefix="grader-nb-") as tmp:
        if not staged:
            staging = Path(tmp) / "submission"
            copy_submission(folder, staging)
            Path(tmp).chmod(0o755)
            folder = staging
        notes = []
        for source in sources:
            cells, manual, more = grade_notebook(assignment, source, folder, seed, timings)
            part.cells += [CellResult(c["name"], c["points"], c["max_points"], c["feedback"]) for c in cells]
            part.manual_max_score += manual
            notes += more
    for cell in part.cells:
        if cell.points < cell.max_points and cell.feedback:
            notes.append(f"Notebook check `{cell.name.split(':')[-1]}` ({cell.points:g}/{cell.max_points:g}): "
                         f"{_note(cell.feedback)}")
    part.feedback = "\n".join(notes)
    _add_time(timings, "total", start)
    return part
