"""A throwaway nbgrader course folder in which release runs nbgrader's generate_assignment."""

import os
import shutil
import sys
from pathlib import Path


def venv_path():
    """PATH with this interpreter's bin folder first (nbgrader runs `alembic` from PATH)."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "/usr/bin:/bin")])


def make_course(root, assignment, notebooks):
    """Lay out ``root`` as an nbgrader course with ``notebooks`` as the assignment's source.

    Inputs:
    - root: an empty folder (Path).
    - assignment: the assignment name, e.g. "a1_cells".
    - notebooks: paths of the instructor's source notebooks.

    Returns the course's nbgrader Config.
    """
    from traitlets.config import Config

    source = root / "source" / assignment
    source.mkdir(parents=True)
    for notebook in notebooks:
        shutil.copy(notebook, source / Path(notebook).name)
    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    config.GenerateAssignment.create_assignment = True
    return config


def generate(root, assignment, config):
    """Run nbgrader's generate_assignment in the course; return (success, log)."""
    from nbgrader.apps import NbGraderAPI

    os.environ["PATH"] = venv_path()
    result = NbGraderAPI(config=config).generate_assignment(assignment, force=True)
    return result["success"], result.get("error") or result.get("log") or ""
