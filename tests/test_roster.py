"""grade-roster on single repositories: a checkout graded with its notebook through to the feedback
page, a hostile tree in a student's history, a repository without a commit, and bad rosters.
The simulated semester (lateness, push times, extensions, nobody lost) is tests/test_semester.py."""

import html
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from grader.paths import ASSIGNMENTS, SOLUTIONS
from grader.semester.roster import RosterError, read_roster
from tests.conftest import A1_COURSE, git, hidden_suite_max, run_grader

A1 = "a1_cells"
IGNORE = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".ipynb_checkpoints")


def commit(repo, files, when, message="work"):
    """Replace the repository's files with ``files`` ({relative folder: source folder or text}) and commit."""
    repo.mkdir(parents=True, exist_ok=True)
    if not (repo / ".git").exists():
        git(repo, "init", "--quiet", "--initial-branch=main")
    for path in repo.iterdir():
        if path.name != ".git":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for relative, source in files.items():
        target = repo / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, Path):
            shutil.copytree(source, target, ignore=IGNORE)
        else:
            target.write_text(source)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--allow-empty", "-m", message, when=when)


@pytest.mark.slow
def test_roster_with_the_notebook(tmp_path):
    """One submission graded with its notebook, through to the feedback page, the way grade.yml runs
    it: the roster names GitHub repositories, the job has checked one out into submissions/<student>."""
    (tmp_path / "course.toml").write_text(A1_COURSE)
    commit(tmp_path / "submissions" / "ref", {A1: ASSIGNMENTS / A1}, "2027-02-20T10:00:00Z", "template")
    commit(tmp_path / "submissions" / "ref", {A1: SOLUTIONS / A1}, "2027-02-28T10:00:00Z")
    (tmp_path / "roster.csv").write_text("student,submission\nref,no-such-org/a1-ref\nbo,no-such-org/a1-bo\n")
    book = tmp_path / "g.sqlite"
    run = run_grader("grade-roster", "--course", str(tmp_path / "course.toml"), "--out", str(tmp_path / "r"),
                     "--gradebook", str(book), "--only", "ref", "--assignment", A1,
                     "--submissions", str(tmp_path / "submissions"))
    assert run.returncode == 0, run.stdout + run.stderr
    part = json.loads((tmp_path / "r" / "ref.json").read_text())["assignments"][A1]
    assert part["notebook"]["max_score"] > 0 and part["notebook"]["score"] == part["notebook"]["max_score"]
    assert run_grader("feedback", "--out", str(tmp_path / "f"), "--gradebook", str(book)).returncode == 0
    page = html.unescape((tmp_path / "f" / "ref" / f"{A1}.html").read_text())
    cells = part["notebook"]["cells"]
    assert cells and all(c["name"] in page for c in cells)
    assert f"Autograded cells: {part['notebook']['score']:g} / {part['notebook']['max_score']:g}" in page


# --- units: no grading ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("name,repo\nada,x\n", "the first line must be the header `student,submission`"),
    ("student,submission\nada,x\nada,y\n", ":3: student ada is listed twice"),
    ("student,submission\n../ada,x\n", "must be letters, digits"),
    ("student,submission\nada,\n", "student ada has no submission"),
    ("student,submission\n", "lists no student"),
])
def test_bad_rosters_get_one_line(tmp_path, text, message):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(RosterError, match=re.escape(message)):
        read_roster(path)


def test_grade_roster_refuses_bad_input_with_one_line(tmp_path):
    (tmp_path / "course.toml").write_text(A1_COURSE)
    (tmp_path / "roster.csv").write_text("student,submission\nada,x\n")
    for args, message in [
        (["--only", "bob"], "student bob is not on the roster"),
        (["--assignment", "a2_bptt"], "assignments.a2_bptt: not configured"),
        (["--jobs", "0"], "--jobs must be at least 1"),
    ]:
        run = run_grader("grade-roster", "--course", str(tmp_path / "course.toml"), "--out", str(tmp_path / "r"),
                         "--no-gradebook", *args)
        assert run.returncode == 2 and message in run.stderr, (args, run.stderr)
        assert len(run.stderr.strip().splitlines()) == 1


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_hostile_tree_in_a_students_history_is_graded_not_fatal(hostile_folder):
    """A commit with 1,500 nested folders (the deep_tree exploit's own builder) and a link loop: the
    export from git is bounded (a recursive clean-up of such a tree would crash; links are never
    exported), the copy says what it left out, and the student gets a report."""
    tmp_path = hostile_folder
    repo = tmp_path / "repos" / "deep"
    commit(repo, {A1: ASSIGNMENTS / A1}, "2027-02-28T10:00:00Z")   # the template's commit
    deep = repo / A1
    builder = {}
    exec((Path(__file__).parent / "fixtures" / "exploits" / "deep_tree" / A1 / "_tree.py").read_text(), builder)
    builder["build"](str(deep))
    os.symlink(".", deep / "loop")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "deep", when="2027-02-28T11:00:00Z")
    (tmp_path / "course.toml").write_text(A1_COURSE)
    (tmp_path / "roster.csv").write_text("student,submission\ndeep,./repos/deep\n")
    run = run_grader("grade-roster", "--course", str(tmp_path / "course.toml"), "--out", str(tmp_path / "r"),
                     "--no-gradebook", "--skip-notebooks", "--assignment", A1, str(tmp_path / "roster.csv"))
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads((tmp_path / "r" / "deep.json").read_text())
    part = report["assignments"][A1]
    assert part["suite"]["max_score"] == hidden_suite_max(A1) and part["score"] == 0   # every hidden test listed
    assert "folders deep" in part["feedback"], part["feedback"]


def test_a_repository_without_a_commit_is_not_graded_and_says_why(tmp_path):
    (tmp_path / "repos" / "empty").mkdir(parents=True)
    git(tmp_path / "repos" / "empty", "init", "--quiet")
    (tmp_path / "course.toml").write_text(A1_COURSE)
    (tmp_path / "roster.csv").write_text("student,submission\nempty,./repos/empty\n")
    run = run_grader("grade-roster", "--course", str(tmp_path / "course.toml"), "--out", str(tmp_path / "r"),
                     "--no-gradebook", "--skip-notebooks", "--assignment", A1)
    assert run.returncode == 1
    report = json.loads((tmp_path / "r" / "empty.json").read_text())
    assert report["status"] == "not graded"
    assert report["assignments"][A1]["reason"].endswith("has no commit"), report["assignments"][A1]["reason"]
    assert "| empty | not graded: " in run.stdout
