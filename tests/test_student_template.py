"""The student's repository helps instead of failing (issue 15, part 6).

- the template carries the release's fingerprints (tools/released.json); an assignment whose module and
  notebook cells are as released is "not started": not checked, no failure. Running a notebook does not
  start it, editing a line does;
- a student with a1 solved and the rest untouched passes; a2 started and wrong fails, naming a2; the table
  (assignment, status, public tests passed/total, notebook valid) goes to the job summary;
- the student workflow restores .venv from a cache keyed on the Python version and the requirements, saves
  it right after `make setup` (before any student code runs), then runs `make check`;
- the student .gitignore covers everything `make setup` and `make check` write: after them, a fresh
  clone's `git status --porcelain` shows only the student's own changes.

The student Makefile's checksum stamp is tested with the course's in tests/test_workflows.py.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from grader.authoring.publish import published_text
from grader.authoring.template import RELEASED, TEMPLATES, build_student_template, check_script
from grader.paths import ASSIGNMENTS, SOLUTIONS, known_assignments
from tests.conftest import git

CHECK = check_script()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A built template, committed as the student's first clone (never changed: tests copy it)."""
    out = tmp_path_factory.mktemp("template") / "student"
    build_student_template(out)
    git(out, "init", "--quiet", "--initial-branch=main")
    git(out, "add", "--all")
    git(out, "commit", "--quiet", "-m", "the template")
    return out


@pytest.fixture
def clone(template, tmp_path):
    """A copy of the template (with its git history) that a test may change."""
    copy = tmp_path / "clone"
    shutil.copytree(template, copy, symlinks=True)
    return copy


def solve_a1(repo):
    """Write the reference's a1 into a template: the module, and the solution cells of the released notebook."""
    source = SOLUTIONS / "a1_cells"
    (repo / "assignments" / "a1_cells" / "cells.py").write_text(published_text((source / "cells.py").read_text()))
    notebook_path = repo / "assignments" / "a1_cells" / "a1_cells.ipynb"
    notebook = json.loads(notebook_path.read_text())
    solved = {cell["metadata"].get("nbgrader", {}).get("grade_id"): "".join(cell["source"])
              for cell in json.loads((source / "a1_cells.ipynb").read_text())["cells"]}
    for cell in notebook["cells"]:
        nbgrader = cell["metadata"].get("nbgrader", {})
        if nbgrader.get("solution"):
            cell["source"] = published_text(solved[nbgrader["grade_id"]])
    notebook_path.write_text(json.dumps(notebook, indent=1))


def start_a2_wrong(repo):
    """A first, wrong line in a2: rnn_forward returns None instead of raising NotImplementedError."""
    module = repo / "assignments" / "a2_bptt" / "bptt.py"
    text = module.read_text()
    assert "raise NotImplementedError()" in text
    module.write_text(text.replace("raise NotImplementedError()", "return None", 1))


def run_check(repo, tmp_path, *args):
    """tools/check_submission.py in ``repo`` as the workflow runs it (GITHUB_STEP_SUMMARY set);
    returns (the run, {assignment: its table row's cells}, the summary file's text)."""
    summary = tmp_path / "summary.md"
    env = dict(os.environ, GITHUB_STEP_SUMMARY=str(summary))
    run = subprocess.run([sys.executable, str(repo / "tools" / "check_submission.py"), *args], cwd=repo,
                         capture_output=True, text=True, timeout=600, env=env)
    rows = {cells[0]: cells[1:] for line in run.stdout.splitlines() if line.startswith("| a")
            for cells in [[cell.strip() for cell in line.strip("|").split("|")]] if cells[0] != "assignment"}
    return run, rows, summary.read_text() if summary.exists() else None


# --- what "started" means -----------------------------------------------------------------------------


def test_the_template_carries_the_fingerprints_of_the_release(template):
    released = json.loads((template / RELEASED).read_text())
    assert sorted(released) == sorted(known_assignments())
    for name, files in released.items():
        shipped = sorted(p.name for p in (ASSIGNMENTS / name).iterdir() if p.suffix in (".py", ".ipynb"))
        assert sorted(files) == shipped and len(shipped) >= 2, name
        assert files == {file: CHECK.fingerprint(ASSIGNMENTS / name / file) for file in files}, name
    assert not any(CHECK.is_started(template / "assignments" / name, released) for name in released)


def test_running_a_notebook_or_trailing_spaces_do_not_start_an_assignment_but_an_edit_does(template, clone):
    released = json.loads((clone / RELEASED).read_text())
    folder = clone / "assignments" / "a3_airline"
    notebook_path = folder / "a3_airline.ipynb"
    notebook = json.loads(notebook_path.read_text())
    for count, cell in enumerate(c for c in notebook["cells"] if c["cell_type"] == "code"):
        cell.update(execution_count=count + 1, outputs=[{"output_type": "stream", "name": "stdout", "text": ["1\n"]}])
        cell["metadata"]["collapsed"] = True
    notebook["metadata"]["widgets"] = {"state": {}}
    notebook_path.write_text(json.dumps(notebook, indent=2))
    module = folder / "airline.py"
    original = module.read_text()
    module.write_bytes(original.replace("\n", "  \r\n").encode())
    assert not CHECK.is_started(folder, released)
    module.write_text(original.replace("raise NotImplementedError()", "return 0", 1))
    assert CHECK.is_started(folder, released)
    module.write_text(original)
    answer = next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))
    answer["source"] = ["my answer\n"]
    notebook_path.write_text(json.dumps(notebook))
    assert CHECK.is_started(folder, released)
    notebook_path.write_text("not a notebook")
    assert CHECK.is_started(folder, released)


def test_an_added_or_removed_file_or_an_assignment_the_release_does_not_list_counts_as_started(clone):
    released = json.loads((clone / RELEASED).read_text())
    folder = clone / "assignments" / "a4_next_char"
    (folder / "helpers.py").write_text("def helper():\n    return 1\n")
    assert CHECK.is_started(folder, released)
    (folder / "helpers.py").unlink()
    (folder / "next_char.py").unlink()
    assert CHECK.is_started(folder, released)
    assert CHECK.is_started(clone / "assignments" / "a1_cells", {})


# --- the check, for real (a1 and a2 only; a3 and a4 are not started) ---------------------------------


@pytest.mark.slow
def test_a1_solved_and_the_rest_untouched_passes_with_the_rest_not_started(clone, tmp_path):
    solve_a1(clone)
    run, rows, summary = run_check(clone, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert rows == {"a1_cells": ["passed", "10/10", "yes"], "a2_bptt": ["not started", "–", "–"],
                    "a3_airline": ["not started", "–", "–"], "a4_next_char": ["not started", "–", "–"],
                    "a5_attention": ["not started", "–", "–"]}
    assert summary == run.stdout[:-1]
    assert summary.startswith("## Checks of your submission\n\n| assignment | status | public tests passed |")


@pytest.mark.slow
def test_a2_started_and_wrong_fails_naming_a2(clone, tmp_path):
    solve_a1(clone)
    start_a2_wrong(clone)
    run, rows, summary = run_check(clone, tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stderr.strip() == "failed: a2_bptt"
    assert rows["a1_cells"] == ["passed", "10/10", "yes"]
    status, tests, notebook = rows["a2_bptt"]
    assert status == "failed" and tests.startswith("0/") and notebook.startswith("no (")
    assert rows["a3_airline"] == rows["a4_next_char"] == rows["a5_attention"] == ["not started", "–", "–"]
    assert "- a2_bptt: test_rnn_forward_shape_and_first_step: TypeError: " in summary
    assert "- a1_cells" not in summary


# --- the workflow caches the environment ------------------------------------------------------------


def test_the_student_workflow_restores_the_environment_and_saves_it_before_any_student_code_runs():
    workflow = yaml.safe_load((TEMPLATES / "student-workflow.yml").read_text())
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    uses = [str(step.get("uses", "")).split("@")[0] for step in steps]
    runs = [step.get("run", "").strip() for step in steps]
    python = steps[uses.index("actions/setup-python")]
    assert python["id"] == "python" and python["with"]["python-version"] == "3.11"
    restore, save = steps[uses.index("actions/cache/restore")], steps[uses.index("actions/cache/save")]
    key = restore["with"]["key"]
    assert restore["with"]["path"] == ".venv" and "${{ steps.python.outputs.python-version }}" in key
    assert "hashFiles('requirements.txt'" in key
    assert save["with"] == {"path": ".venv", "key": f"${{{{ steps.{restore['id']}.outputs.cache-primary-key }}}}"}
    assert save["if"] == f"steps.{restore['id']}.outputs.cache-hit != 'true'"
    assert uses.index("actions/cache/restore") < runs.index("make setup") < uses.index("actions/cache/save") \
        < runs.index("make check") == len(steps) - 1
    assert "actions/cache" not in uses, "actions/cache saves at the end of the job, after the student's code ran"
    assert job["env"]["TORCH_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"


# --- .gitignore covers what setup and check write ----------------------------------------------------


def make_plan(repo):
    """The commands `make setup` would run in ``repo`` (a make of its own, not a sub-make of `make test`)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")}
    run = subprocess.run(["make", "--no-print-directory", "-n", "setup"], cwd=repo, capture_output=True, text=True,
                         timeout=60, env=env)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip().splitlines()


# pip runs each of setuptools' build hooks in a process of its own, in the source folder.
PIP_EDITABLE_HOOKS = [
    "build_meta.get_requires_for_build_editable()",
    "build_meta.prepare_metadata_for_build_editable(sys.argv[1])",
    "build_meta.build_editable(sys.argv[1], None, sys.argv[1] + '/' + next(os.walk(sys.argv[1]))[1][0])",
]


def setup_and_check_leftovers(repo, tmp_path):
    """Write into ``repo`` what `make setup` and a check write, without installing anything: the venv
    (without pip), its stamp, what `pip install -e .` does in the source folder (setuptools' editable build
    hooks, called in pip's order), and a pytest run with bytecode and its cache, and Jupyter's checkpoints."""
    plan = make_plan(repo)
    assert plan[0] == "test -x .venv/bin/python || python3 -m venv .venv" and plan[-1].endswith("> .venv/.installed")
    assert [line for line in plan[1:-1] if not line.startswith(".venv/bin/python -m pip install --quiet ")] == []
    assert plan[-2] == ".venv/bin/python -m pip install --quiet --no-deps -e ."
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(repo / ".venv")], check=True, timeout=120)
    (repo / ".venv" / ".installed").write_text(plan[-1].split("'")[1] + "\n")
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for hook in PIP_EDITABLE_HOOKS:
        code = f"import os, sys\nfrom setuptools import build_meta\n{hook}"
        subprocess.run([sys.executable, "-c", code, str(wheels)], cwd=repo, check=True, capture_output=True,
                       timeout=120)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "pytest", "-q", "tests/test_cells.py", "-k", "shape"],
                   cwd=repo / "assignments" / "a1_cells", capture_output=True, timeout=300, env=env)
    (repo / "assignments" / "a1_cells" / ".ipynb_checkpoints").mkdir()
    (repo / "assignments" / "a1_cells" / ".ipynb_checkpoints" / "a1_cells-checkpoint.ipynb").write_text("{}")


def test_the_gitignore_covers_what_setup_and_check_write(clone, tmp_path):
    (clone / "assignments" / "a1_cells" / "notes.md").write_text("the student's own file\n")
    setup_and_check_leftovers(clone, tmp_path)
    written = {line[3:] for line in git(clone, "status", "--porcelain", "--ignored").splitlines()
               if line.startswith("!! ")}
    assert {".venv/", "rnnutils.egg-info/", "assignments/a1_cells/__pycache__/",
            "assignments/a1_cells/.ipynb_checkpoints/"} <= written
    assert git(clone, "status", "--porcelain") == "?? assignments/a1_cells/notes.md"
    assert not [line for line in make_plan(clone) if "pip install" in line], "a .venv whose stamp matches reinstalls"


def test_the_gitignore_check_can_fail(clone, tmp_path):
    ignore = clone / ".gitignore"
    ignore.write_text(ignore.read_text().replace("*.egg-info/\n", ""))
    setup_and_check_leftovers(clone, tmp_path)
    assert git(clone, "status", "--porcelain") == "M .gitignore\n?? rnnutils.egg-info/"
