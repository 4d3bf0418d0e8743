"""Which notebook cells grading runs: up to the last test cell, without locked cells tagged
``skip-in-grading``; and the release refuses a tag that grading could not honour."""

import copy
import json

import pytest

from grader.authoring.release import ReleaseError, check_notebook
from grader.grading import notebook
from grader.grading.notebook import SKIP_TAG, Cell, run_cells, skipped_cell_problems
from grader.paths import ASSIGNMENTS, SOLUTIONS, known_assignments


def x_is_one(nb, secret_seed):
    assert nb.notebook("x").get() == 1, f"x is {nb.notebook('x').get()}"


def test_tagged_cells_and_cells_after_the_last_test_do_not_run(tmp_path):
    cells = [Cell("x = 1", "set-up"),
             Cell("x = 2\nraise SystemExit('the tagged cell ran')", "demo", skip=True),
             Cell("assert x == 1", "test-x", test=True),
             Cell("while True:\n    pass", "after-the-last-test")]   # would use up the cell's CPU limit
    results = {"test-x": {"name": "nb:test-x", "points": 0.0, "max_points": 2.0, "feedback": ""}}
    tmp_path.chmod(0o755)   # the sandbox's own user reads the staging folder
    staging = tmp_path / "staging"
    staging.mkdir(mode=0o755)
    stopped = run_cells(cells, {"test-x": x_is_one}, results, staging, 0, cpu_limit=5.0)
    assert stopped == "", stopped
    assert results["test-x"]["points"] == 2.0, results["test-x"]["feedback"]


def test_only_the_release_decides_which_cells_are_skipped():
    """A student who tags a cell of their own, or removes the tag from their copy of a locked cell, changes nothing."""
    released = json.loads((ASSIGNMENTS / "a3_airline" / "a3_airline.ipynb").read_text())
    student = copy.deepcopy(released)
    for cell in student["cells"]:
        cell["metadata"].pop("tags", None)
    student["cells"].insert(1, {"cell_type": "code", "metadata": {"tags": [SKIP_TAG]}, "outputs": [],
                                "execution_count": None, "source": "my_own = 1"})
    cells, restored = notebook.cells_to_run(released, student)
    assert not restored
    skipped = [c.grade_id for c in cells if c.skip]
    assert skipped == ["train_all", "curves", "table"], skipped
    assert any(c.source == "my_own = 1" and not c.skip for c in cells)


@pytest.mark.parametrize("assignment", known_assignments())
def test_every_source_notebook_tags_only_cells_grading_can_skip(assignment):
    for path in sorted((SOLUTIONS / assignment).glob("*.ipynb")):
        assert skipped_cell_problems(json.loads(path.read_text()), path.name) == []


def code_cell(source, grade_id, locked=True, grade=False, tags=()):
    info = {"grade": grade, "grade_id": grade_id, "locked": locked, "solution": False, "schema_version": 3}
    if grade:
        info["points"] = 1
    return {"cell_type": "code", "metadata": {"nbgrader": info, "tags": list(tags)}, "outputs": [],
            "execution_count": None, "source": source}


def test_a_tag_on_a_cell_whose_names_a_later_cell_reads_is_refused(tmp_path):
    cells = [code_cell("data = [1, 2]", "load"),
             code_cell("total = sum(data)\nsquares = [v * v for v in data]", "demo", tags=[SKIP_TAG]),
             code_cell("for total in range(3):\n    pass", "loop"),     # binds its own `total`: fine
             code_cell("assert squares", "test-squares", grade=True)]
    problems = skipped_cell_problems({"cells": cells}, "a9.ipynb")
    assert problems == ["a9.ipynb, code cell 4 (test-squares) reads squares, which a9.ipynb, code cell 2 (demo) "
                        f"defines; that cell is tagged {SKIP_TAG}, so grading would not define it"], problems
    path = tmp_path / "a9.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    with pytest.raises(ReleaseError, match="reads squares"):
        check_notebook(path, "solutions/a9/a9.ipynb")


def test_a_tag_on_a_student_cell_or_a_test_cell_is_refused():
    cells = [code_cell("x = 1", "answer", locked=False, tags=[SKIP_TAG]),
             code_cell("assert x", "test-x", grade=True, tags=[SKIP_TAG])]
    problems = skipped_cell_problems({"cells": cells})
    assert len(problems) == 2 and all("only a locked cell that is not a test cell" in p for p in problems), problems
