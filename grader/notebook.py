"""Grade an assignment's notebook with nbgrader's autograde, in a throwaway course folder.

The course is built from the instructor's source notebook (so nbgrader knows every grade
cell and restores test cells a student deleted or edited); the submission's assignment
folder is copied in as the one submitted student, autograded, and read back.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from grader.nbcourse import generate, make_course, venv_path
from grader.paths import SOLUTIONS

AUTOGRADE_TIMEOUT = 900
STUDENT = "student"


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
        )
        env = {"PATH": venv_path(), "HOME": str(course), "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
               "OMP_NUM_THREADS": "1", "TQDM_DISABLE": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
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
