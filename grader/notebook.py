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
        shutil.copytree(folder, submitted, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        missing = [s.name for s in sources if not (submitted / s.name).is_file()]
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
        notes = []
        if missing:
            notes.append(f"Notebook(s) not found in your submission: {', '.join(missing)} (keep the released name).")
        if run.returncode != 0 and not part["cells"]:
            notes.append("nbgrader could not grade your notebook: " + _last_error(run.stderr))
        part["feedback"] = " ".join(notes)
    return part


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
