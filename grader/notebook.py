"""Grade an assignment's notebook with nbgrader's autograde, in a throwaway course folder.

The course is built from the instructor's source notebook (so nbgrader knows every grade
cell and restores test cells a student deleted or edited); the submission's assignment
folder is copied in as the one submitted student, autograded, and read back.
"""

import json
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from grader.files import copy_submission
from grader.nbcourse import generate, make_course, venv_path
from grader.paths import SOLUTIONS
from grader.sandbox import LIMITS, isolation, sandboxed

AUTOGRADE_TIMEOUT = 900
STUDENT = "student"
KERNEL_NAME = "grader-sandbox"


def grade_notebooks(assignment, folder):
    """Autograde the notebooks of one assignment folder; return the notebook part of a report."""
    sources = sorted((SOLUTIONS / assignment).glob("*.ipynb"))
    part = {"score": 0.0, "max_score": 0.0, "manual_max_score": 0.0, "cells": [], "feedback": ""}
    if not sources:
        return part
    with tempfile.TemporaryDirectory(prefix="grader-nb-") as tmp:
        course = Path(tmp)
        config = make_course(course, assignment, sources)
        success, log = generate(course, assignment, config)
        if not success:
            raise RuntimeError(f"nbgrader could not set up {assignment}: {log[-2000:]}")
        submitted = course / "submitted" / STUDENT / assignment
        copy_submission(folder, submitted)
        notes = prepare_notebooks(sources, submitted)
        (course / "nbgrader_config.py").write_text(
            f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n"
            f"c.CourseDirectory.db_url = {config.CourseDirectory.db_url!r}\n"
            "c.ExecutePreprocessor.timeout = 300\nc.Execute.timeout = 300\n"
            + sandboxed_kernel(course)
        )
        env = {"PATH": venv_path(), "HOME": str(course), "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
               "OMP_NUM_THREADS": "1", "TQDM_DISABLE": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
               "JUPYTER_PATH": str(course / "jupyter"), "JUPYTER_RUNTIME_DIR": str(course / "ipc")}
        command = [sys.executable, "-m", "nbgrader", "autograde", assignment, "--student", STUDENT, "--force"]
        try:
            run = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True, timeout=AUTOGRADE_TIMEOUT)
        except subprocess.TimeoutExpired:
            part.update(_scores(course, config, assignment))
            part["feedback"] = f"Executing your notebook took longer than {AUTOGRADE_TIMEOUT} s; it was stopped."
            return part
        part.update(_scores(course, config, assignment))
        notes += failed_cell_notes(course / "autograded" / STUDENT / assignment, part["cells"])
        if run.returncode != 0:
            notes.append("nbgrader could not grade your notebook: " + _last_error(run.stderr))
        part["feedback"] = "\n".join(notes)
    return part


def prepare_notebooks(sources, submitted):
    """Check the submitted notebooks against the instructor's sources before autograding.

    A missing or unreadable notebook is reported; autograder test cells a student deleted are put
    back (nbgrader restores the contents of test cells, but not cells that are gone).
    Returns the notes for the student.
    """
    notes = []
    for source in sources:
        path = submitted / source.name
        if not path.is_file():
            notes.append(f"Notebook {source.name} not found in your submission: keep the released file name.")
            continue
        try:
            notebook = nbformat.read(path, as_version=4)
        except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same advice
            notes.append(f"Notebook {source.name} is not a valid notebook file ({type(exc).__name__}: "
                         f"{str(exc)[:200]}); it could not be read. Restore it from your last good commit.")
            continue
        restored = restore_test_cells(nbformat.read(source, as_version=4), notebook)
        if restored:
            nbformat.write(notebook, path)
            notes.append(f"Test cell(s) {', '.join(restored)} were missing from {source.name}; they were put back "
                         "and run. Never delete the notebook's test cells.")
    return notes


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _is_test_cell(cell):
    info = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and info.get("grade") and not info.get("solution")


def restore_test_cells(source, notebook):
    """Insert into ``notebook`` the source's test cells it lacks, each after its predecessor; return their ids."""
    present = {_grade_id(c) for c in notebook.cells}
    restored = []
    for index, cell in enumerate(source.cells):
        if not _is_test_cell(cell) or _grade_id(cell) in present:
            continue
        before = {_grade_id(c) for c in source.cells[:index] if _grade_id(c)}
        positions = [i for i, c in enumerate(notebook.cells) if _grade_id(c) in before]
        notebook.cells.insert(positions[-1] + 1 if positions else len(notebook.cells), cell)
        present.add(_grade_id(cell))
        restored.append(_grade_id(cell))
    return restored


def failed_cell_notes(folder, cells):
    """One line per autograded test cell that lost points, with the error it raised."""
    errors = {}
    for path in Path(folder).glob("*.ipynb"):
        try:
            notebook = nbformat.read(path, as_version=4)
        except Exception:  # noqa: BLE001 - no executed notebook, no error details
            continue
        for cell in notebook.cells:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error" and _grade_id(cell):
                    errors[_grade_id(cell)] = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip(": ")
    notes = []
    for cell in cells:
        if cell["points"] < cell["max_points"]:
            name = cell["name"].split(":")[-1]
            error = errors.get(name, "it did not pass")
            notes.append(f"Notebook check `{name}` ({cell['points']:g}/{cell['max_points']:g}): {error[:300]}")
    return notes


def sandboxed_kernel(course):
    """Install a kernelspec that runs the notebook's kernel in the sandbox; return its config lines.

    The kernel gets the worker's restrictions (grader/sandbox.py): resource limits always; where
    isolation is available also a fresh unprivileged user, no network and a view of the file
    system without the repository, the course's source notebooks or its gradebook. Without a
    network, kernel and nbgrader talk over Unix sockets (ZeroMQ's ipc transport) in a folder both see.
    """
    ipc = course / "ipc"
    ipc.mkdir(mode=0o755)
    autograded = course / "autograded"
    autograded.mkdir(mode=0o755)
    command = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    argv = limited(sandboxed(command, keep=[str(ipc), str(autograded)], own=[str(ipc), str(autograded)]))
    spec = course / "jupyter" / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    home = {"HOME": str(ipc), "IPYTHONDIR": str(ipc / "ipython"), "MPLCONFIGDIR": str(ipc / "matplotlib")}
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3 (grader sandbox)",
                                                  "language": "python", "env": home}))
    lines = f"c.ExecutePreprocessor.kernel_name = {KERNEL_NAME!r}\nc.Execute.kernel_name = {KERNEL_NAME!r}\n"
    if isolation() == "namespaces":
        lines += (f"c.KernelManager.transport = 'ipc'\nc.KernelManager.ip = {str(ipc / 'kernel')!r}\n"
                  f"c.KernelManager.connection_file = {str(ipc / 'connection.json')!r}\n")
    return lines


def limited(command):
    """Prefix ``command`` with util-linux's prlimit so that it starts under the sandbox's LIMITS."""
    if not shutil.which("prlimit"):
        return command
    names = {resource.RLIMIT_CPU: "cpu", resource.RLIMIT_AS: "as", resource.RLIMIT_FSIZE: "fsize",
             resource.RLIMIT_NPROC: "nproc", resource.RLIMIT_CORE: "core"}
    return ["prlimit"] + [f"--{names[k]}={v}" for k, v in LIMITS.items()] + ["--"] + command


def _scores(course, config, assignment):
    from nbgrader.api import Gradebook, MissingEntry

    out = {"score": 0.0, "max_score": 0.0, "manual_max_score": 0.0, "cells": []}
    with Gradebook(config.CourseDirectory.db_url) as gradebook:
        for notebook in gradebook.find_assignment(assignment).notebooks:
            for cell in notebook.grade_cells:
                if cell.cell_type == "markdown":
                    out["manual_max_score"] += float(cell.max_score)
                    continue
                out["max_score"] += float(cell.max_score)
                try:
                    grade = gradebook.find_grade(cell.name, notebook.name, assignment, STUDENT)
                    points = float(grade.score)
                except MissingEntry:
                    points = 0.0
                out["score"] += points
                out["cells"].append({"name": f"{notebook.name}:{cell.name}", "points": points,
                                     "max_points": float(cell.max_score)})
    return out


def _last_error(stderr):
    lines = [line for line in stderr.splitlines() if "ERROR" in line or "Error" in line]
    return (lines[-1] if lines else stderr.strip().splitlines()[-1] if stderr.strip() else "unknown error")[:500]
