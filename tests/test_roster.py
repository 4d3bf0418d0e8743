"""A simulated class, end to end: grade-roster, collect, export and feedback on local git repositories.

The class (a1_cells only; due 2027-03-01 12:00 UTC, 15 minutes' grace, "last-before-due" with a
10 % per started day penalty when no commit came before the due date):

  ref       the reference, in the student template's layout (assignments/a1_cells), on time
  stub      the released stub, at the repository root, on time
  mutant    a known-wrong mutant, committed 10 minutes after the due date (inside the grace period)
  late      the stub on time, then the reference 21 hours late: graded at the stub commit
  penalty   only the reference, 30 hours late: graded with 2 started days x 10 % = 20 % off
  missing   a repository without the a1_cells folder
  broken    a cells.py that does not even parse
  plain     the stub in a plain folder, not a git repository: graded as it is, lateness "unknown"
  empty     a git repository without a commit: not graded, reported
  ghost     a roster line whose repository does not exist: not graded, reported, exit status 1
"""

import csv
import datetime
import fcntl
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.course import LateRule
from grader.mutants import build_mutant, grade_mutant
from grader.paths import ASSIGNMENTS, MUTANTS, REPO, SOLUTIONS, SUITES
from grader.roster import RosterError, decide, penalty_for, read_roster

A1 = "a1_cells"
STUDENTS = ["broken", "late", "missing", "mutant", "penalty", "plain", "ref", "stub"]
MUTANT = MUTANTS / A1 / "rnn_missing_second_bias.py"
COURSE = """\
[course]
name = "Simulated class"
roster = "roster.csv"
student_template = "course/template"

[late]
policy = "last-before-due"
grace_minutes = 15
penalty_per_day = 0.1
max_late_days = 7

[assignments.a1_cells]
due = 2027-03-01T12:00:00Z
points = 20
"""
GIT_ENV = {"GIT_AUTHOR_NAME": "A Student", "GIT_AUTHOR_EMAIL": "student@example.org",
           "GIT_COMMITTER_NAME": "A Student", "GIT_COMMITTER_EMAIL": "student@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
IGNORE = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".ipynb_checkpoints")


def git(repo, *args, when=None):
    env = dict(os.environ, **GIT_ENV)
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env, timeout=60)


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


def run_grader(*args, timeout=600):
    """``python -m grader ARGS``; grade-roster as a dry run where this machine cannot isolate student code."""
    from grader.sandbox import isolation

    if args and args[0] == "grade-roster" and isolation() != "bubblewrap":
        args = (*args, "--allow-unisolated")
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


def build_class(root):
    repos = root / "repos"
    mutant_dir = build_mutant(A1, MUTANT, root / "mutant-build")
    broken = root / "broken-build"
    shutil.copytree(SOLUTIONS / A1, broken, ignore=IGNORE)
    (broken / "cells.py").write_text("def rnn_cell(x, h:\n    return h\n")
    on_time, grace, late, very_late = ("2027-02-28T10:00:00Z", "2027-03-01T12:10:00Z", "2027-03-02T09:00:00Z",
                                       "2027-03-02T18:00:00Z")
    commit(repos / "ref", {f"assignments/{A1}": SOLUTIONS / A1, "README.md": "mine\n"}, on_time)
    commit(repos / "stub", {A1: ASSIGNMENTS / A1}, on_time)
    commit(repos / "mutant", {A1: mutant_dir}, grace)
    commit(repos / "late", {A1: ASSIGNMENTS / A1}, on_time, "started")
    commit(repos / "late", {A1: SOLUTIONS / A1}, late, "finished, too late")
    commit(repos / "penalty", {A1: SOLUTIONS / A1}, very_late)
    commit(repos / "missing", {"README.md": "I forgot\n"}, on_time)
    commit(repos / "broken", {A1: broken}, on_time)
    shutil.copytree(ASSIGNMENTS / A1, repos / "plain" / A1, ignore=IGNORE)
    (repos / "empty").mkdir()
    git(repos / "empty", "init", "--quiet")
    lines = ["student,submission"] + [f"{name},repos/{name}" for name in
                                      ("ref", "stub", "mutant", "late", "penalty", "missing", "broken", "plain")]
    (root / "roster.csv").write_text("\n".join(lines + ["empty,repos/empty", "ghost,./repos/ghost"]) + "\n")
    (root / "course.toml").write_text(COURSE)
    return root / "course.toml", root / "roster.csv"


def shared_folder(tmp_path_factory, name):
    """A folder shared by the xdist workers of this run (each run has its own)."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """Build and grade the class once per run, whichever xdist worker comes first (a file lock)."""
    root = shared_folder(tmp_path_factory, "simulated-class")
    root.mkdir(exist_ok=True)
    with open(root.parent / "simulated-class.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "done.json").exists():
            (root / "done.json").write_text(json.dumps(grade_class(root)))
    result = json.loads((root / "done.json").read_text())
    result["root"] = root
    result["csv"] = {row["student"]: row for row in csv.DictReader((root / "grades.csv").open())}
    return result


def grade_class(root):
    course, roster = build_class(root)
    reports, book = root / "reports", root / "gradebook.sqlite"
    run = run_grader("grade-roster", str(roster), "--course", str(course), "--jobs", "2", "--out", str(reports),
                     "--skip-notebooks", "--no-gradebook")
    collect = run_grader("collect", *sorted(str(p) for p in reports.glob("*.json")), "--gradebook", str(book))
    assert collect.returncode == 0, collect.stderr
    export = run_grader("export", "--csv", str(root / "grades.csv"), "--late", "--course", str(course),
                        "--gradebook", str(book))
    assert export.returncode == 0, export.stderr
    feedback = run_grader("feedback", "--out", str(root / "feedback"), "--gradebook", str(book))
    assert feedback.returncode == 0, feedback.stderr
    summary = run_grader("summary", "--gradebook", str(book))
    assert summary.returncode == 0, summary.stderr
    return {"returncode": run.returncode, "stdout": run.stdout, "summary": summary.stdout}


@pytest.fixture(scope="module")
def expected_scores():
    """Score and maximum of the mutant, graded directly (not through the roster)."""
    result = grade_mutant(A1, MUTANT)
    assert 0 < result["score"] < result["max_score"], "the mutant should keep some points and lose some"
    return result["score"], result["max_score"]


def test_grade_roster_grades_everyone_but_the_ghost(graded_class):
    assert graded_class["returncode"] == 1, "a student who could not be graded must fail the command"
    stdout = graded_class["stdout"]
    assert "| ghost | not graded | ./repos/ghost: no such submission folder or repository |" in stdout
    assert "| empty | not graded | git log failed in " in stdout
    assert "8 graded, 2 not graded." in stdout
    reports = sorted(p.stem for p in (graded_class["root"] / "reports").glob("*.json"))
    assert reports == STUDENTS


def test_every_number_in_the_csv(graded_class, expected_scores):
    mutant, top = expected_scores
    rows = graded_class["csv"]
    assert sorted(rows) == STUDENTS
    expected = {  # student: (a1 score, late status, late days)
        "ref": (top, "on-time", 0), "stub": (0, "on-time", 0), "mutant": (mutant, "on-time", 10 / 1440),
        "late": (0, "last-before-due", 21 / 24), "penalty": (round(top * 0.8, 4), "penalty", 30 / 24),
        "missing": (0, "on-time", 0), "broken": (0, "on-time", 0), "plain": (0, "unknown", 0),
    }
    assert list(next(iter(rows.values()))) == ["student", A1, "total", "max_total", "course_points",
                                              f"{A1}_late", f"{A1}_late_days", "official"]
    for student, (score, status, days) in expected.items():
        row = rows[student]
        assert float(row[A1]) == pytest.approx(score), student
        assert float(row["total"]) == pytest.approx(score), student
        assert float(row["max_total"]) == top, student
        assert float(row["course_points"]) == pytest.approx(round(score / top * 20, 2)), student
        assert row[f"{A1}_late"] == status, student
        assert float(row[f"{A1}_late_days"]) == pytest.approx(round(days, 3)), student


def test_reports_say_which_commit_was_graded_and_why(graded_class):
    reports = graded_class["root"] / "reports"
    late = json.loads((reports / "late.json").read_text())["assignments"][A1]
    head = late["lateness"]["head"]
    assert late["lateness"]["commit"] != head
    assert "Graded at your last commit before the due date" in late["feedback"]
    penalty = json.loads((reports / "penalty.json").read_text())["assignments"][A1]
    assert penalty["lateness"]["penalty"] == 0.2 and penalty["lateness"]["raw_score"] == penalty["max_score"]
    assert "late penalty of 20% (2 started day(s) x 10%)" in penalty["feedback"]
    missing = json.loads((reports / "missing.json").read_text())["assignments"][A1]
    assert "folder a1_cells/ is missing" in missing["feedback"]
    broken = json.loads((reports / "broken.json").read_text())["assignments"][A1]
    assert broken["score"] == 0 and all(t["feedback"] for t in broken["suite"]["tests"])


def suite_lines():
    lines = set()
    for path in (SUITES / A1).glob("*.py"):
        lines |= {re.sub(r"\s+", " ", l.strip()) for l in path.read_text().splitlines() if len(l.strip()) >= 16}
    return lines


def test_feedback_pages_show_tests_and_messages_but_no_hidden_code(graded_class):
    folder = graded_class["root"] / "feedback"
    pages = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.html"))
    assert pages == [f"{s}/{A1}.html" for s in STUDENTS]
    text = html.unescape((folder / "mutant" / f"{A1}.html").read_text())
    report = json.loads((graded_class["root"] / "reports" / "mutant.json").read_text())["assignments"][A1]
    failed = [t for t in report["suite"]["tests"] if not t["passed"]]
    assert failed and all(t["name"] in text and t["feedback"].strip().splitlines()[0] in text for t in failed)
    assert "The notebook was not graded in this run." in text
    penalty = html.unescape((folder / "penalty" / f"{A1}.html").read_text())
    assert "late penalty of 20%" in penalty and "Score before the penalty" in penalty
    secret = suite_lines()
    for page in folder.rglob("*.html"):
        body = html.unescape(page.read_text())
        leaked = [line for line in body.splitlines() if re.sub(r"\s+", " ", line.strip()) in secret]
        assert not leaked, f"{page.name} shows hidden test code: {leaked[:3]}"


def test_class_summary(graded_class, expected_scores):
    text = graded_class["summary"]
    assert f"## {A1}: 8 student(s)" in text
    assert "Lateness: last-before-due 1, on-time 5, penalty 1, unknown 1." in text
    mutant, top = expected_scores
    assert 0.6 <= mutant / top < 0.8, "the histogram lines below assume the mutant keeps 60-80 %"
    for line in ["| [0%, 20%) | 5 #####", "| [20%, 40%) | 0 ", "| [40%, 60%) | 0 ", "| [60%, 80%) | 1 #",
                 "| [80%, 100%] | 2 ##"]:  # stub, late, missing, broken, plain | mutant | ref and the penalty
        assert line in text, line
    rates = re.findall(r"^\| `(test_\S+)` \| [\d.]+ \| (\d) / 8 \(\d+%\) \|$", text, flags=re.M)
    tests = json.loads((graded_class["root"] / "reports" / "ref.json").read_text())["assignments"][A1]["suite"]["tests"]
    assert sorted(name for name, _ in rates) == sorted(t["name"] for t in tests)
    assert {n for _, n in rates} == {"2", "3"}  # ref and penalty pass every test, the mutant some


def test_roster_with_the_notebook(tmp_path):
    """One submission graded with its notebook, through to the feedback page, the way grade.yml runs
    it: the roster names GitHub repositories, the job has checked one out into submissions/<student>."""
    (tmp_path / "course.toml").write_text(COURSE)
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

UTC = datetime.timezone.utc
DUE = datetime.datetime(2027, 3, 1, 12, tzinfo=UTC)


def at(hours):
    return DUE + datetime.timedelta(hours=hours)


@pytest.mark.parametrize("policy, commits, status, graded, penalty", [
    ("last-before-due", [("b", at(-1)), ("a", at(-5))], "on-time", "b", 0.0),
    ("last-before-due", [("b", at(0.2)), ("a", at(-5))], "on-time", "b", 0.0),  # inside 15 minutes' grace
    ("last-before-due", [("c", at(30)), ("b", at(1)), ("a", at(-5))], "last-before-due", "a", 0.0),
    ("last-before-due", [("b", at(30)), ("a", at(2))], "penalty", "b", 0.2),  # nothing before: penalty
    ("penalty", [("b", at(30)), ("a", at(-5))], "penalty", "b", 0.2),
    ("penalty", [("b", at(24)), ("a", at(-5))], "penalty", "b", 0.1),
    ("penalty", [("b", at(24 * 7 + 1))], "penalty", "b", 1.0),  # past max_late_days
])
def test_decide(policy, commits, status, graded, penalty):
    rule = LateRule(policy=policy, grace_minutes=15, penalty_per_day=0.1, max_late_days=7)
    out = decide(commits, DUE, rule)
    assert (out["status"], out["commit"], out["penalty"]) == (status, graded, penalty)
    assert out["head"] == commits[0][0]


def test_penalty_is_capped_at_the_whole_score():
    rule = LateRule(policy="penalty", penalty_per_day=0.4, max_late_days=10)
    assert [penalty_for(d, rule) for d in (0, 0.5, 1, 1.01, 3)] == [0.0, 0.4, 0.4, 0.8, 1.0]


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
    (tmp_path / "course.toml").write_text(COURSE)
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


@pytest.mark.timeout(600)
def test_a_hostile_tree_in_a_students_history_is_graded_not_fatal(tmp_path):
    """A commit with 1,500 nested folders (the deep_tree exploit's own builder) and a link loop: the
    export from git is bounded (a recursive clean-up of such a tree would crash; links are never
    exported), the copy says what it left out, and the student gets a report."""
    repo = tmp_path / "repos" / "deep"
    commit(repo, {A1: ASSIGNMENTS / A1}, "2027-02-28T10:00:00Z")
    deep = repo / A1
    builder = {}
    exec((Path(__file__).parent / "fixtures" / "exploits" / "deep_tree" / A1 / "_tree.py").read_text(), builder)
    builder["build"](str(deep))
    os.symlink(".", deep / "loop")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "deep", when="2027-02-28T11:00:00Z")
    (tmp_path / "course.toml").write_text(COURSE)
    (tmp_path / "roster.csv").write_text("student,submission\ndeep,./repos/deep\n")
    try:
        run = run_grader("grade-roster", "--course", str(tmp_path / "course.toml"), "--out", str(tmp_path / "r"),
                         "--no-gradebook", "--skip-notebooks", str(tmp_path / "roster.csv"))
        assert run.returncode == 0, run.stdout + run.stderr
        report = json.loads((tmp_path / "r" / "deep.json").read_text())
        part = report["assignments"][A1]
        assert part["suite"]["max_score"] == 46 and part["score"] == 0
        assert "folders deep" in part["feedback"], part["feedback"]
    finally:
        subprocess.run(["rm", "-rf", str(repo)], check=False)
