"""Feedback and solutions delivered to a branch of each student's repository (``python -m grader deliver``).

Local bare repositories stand in for the students' GitHub repositories (one of them reached as
``owner/name`` through a ``file://`` base URL, with a token); the grader runs on a bare Python (``-S``), as
in the grade workflow's collect job. One test grades a submission for real, with a hidden test whose
source carries a planted string, and checks that no delivered page shows it.
"""

import os
import re
import shlex
import subprocess
import sys

import pytest
import yaml

from grader.authoring.publish import published_text
from grader.paths import REPO, SOLUTIONS
from grader.records.feedback import render_page
from grader.records.feedback_markdown import render_markdown
from grader.records.gradebook import record
from grader.records.results import not_graded_report, report_from_dict
from grader.semester.course import CourseError, load_course
from tests.conftest import A1_COURSE, GIT_ENV, fake_report, git, run_grader

A1 = "a1_cells"
TOKEN = "ghp_deliveryTOKEN0123456789abcdefABCDEF"
PLANTED = "PLANTED_HIDDEN_CODE_4f2a"
ON = '\n[feedback]\ndeliver = "branch"\n'
# The same course, a1 due long ago: its late window (7 days and 15 minutes after) has closed.
CLOSED = A1_COURSE.replace("2027-03-01T12:00:00Z", "2020-03-01T12:00:00Z")


def student_repository(root, name, reject=False):
    """A bare repository ``root/<name>.git`` whose ``main`` holds one commit of the student's; with
    ``reject`` a hook refuses every push."""
    work = root / "work" / name
    work.mkdir(parents=True)
    git(work, "init", "--quiet", "--initial-branch=main")
    (work / "cells.py").write_text("def sigmoid(x):\n    return x\n")
    git(work, "add", "cells.py")
    git(work, "commit", "--quiet", "-m", "my a1")
    bare = root / f"{name}.git"
    git(work, "clone", "--quiet", "--bare", str(work), str(bare))
    if reject:
        hook = bare / "hooks" / "pre-receive"
        hook.write_text("#!/bin/sh\necho 'pushes are closed' >&2\nexit 1\n")
        hook.chmod(0o755)
    return bare


def heads(bare):
    """``{branch: sha}`` of a bare repository."""
    lines = git(bare, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads").splitlines()
    return dict(line.split() for line in lines)


def shown(bare, path, branch="feedback"):
    return git(bare, "show", f"{branch}:{path}")


def graded_report(student, score, commit="3f2a9c1d0e4b5a6c7d8e9f00112233445566778899"):
    """A report of a1 as grading writes it: failed tests with messages, lateness with a penalty, notebook cells."""
    data = fake_report(student, {A1: score})
    part = data["assignments"][A1]
    part["suite"]["tests"][-1]["feedback"] = "rnn_cell(x, h) has shape (3, 4); expected (3, 5): | <b>check</b> *"
    part["lateness"] = {"status": "penalty", "note": "Submitted 1 day late.", "due": "2027-03-01T12:00:00+00:00",
                        "commit": commit, "submitted_at": "2027-03-02T09:30:00+00:00", "time_source": "pushes",
                        "late_days": 1.0, "penalty": 0.1}
    part["notebook"] = {"score": 1.0, "max_score": 2.0, "manual_max_score": 4.0, "feedback": "",
                        "cells": [{"name": "test_shapes", "points": 1.0, "max_points": 2.0,
                                   "feedback": "AssertionError: h has the wrong shape"}]}
    return report_from_dict(data)


@pytest.fixture
def classroom(tmp_path):
    """A course delivering to branches: ada and bo graded, cy never, dan without a repository, eve's
    repository refusing pushes, fay's reached on "GitHub" (a file:// base) as owner/name with a token."""
    repos = tmp_path / "repos"
    for name in ("ada", "bo", "cy"):
        student_repository(repos, name)
    student_repository(repos, "eve", reject=True)
    student_repository(tmp_path / "github" / "octo-org", "fay")
    (tmp_path / "course.toml").write_text(A1_COURSE + ON)
    (tmp_path / "closed.toml").write_text(CLOSED + ON)
    (tmp_path / "roster.csv").write_text(
        "student,submission\n" + "".join(f"{s},{repos / s}.git\n" for s in ("ada", "bo", "cy"))
        + f"dan,{repos / 'dan'}.git\neve,{repos / 'eve'}.git\nfay,octo-org/fay\n")
    book = tmp_path / "gradebook.sqlite"
    for student in ("ada", "eve", "fay"):
        record(book, graded_report(student, 6.0))
    record(book, not_graded_report("bo", [A1], "the checkout failed: repository not found"))
    return tmp_path


def deliver(root, *args, course="course.toml"):
    """``python -S -m grader deliver`` (a bare Python, as in the collect job) with the token in its environment."""
    env = dict(os.environ, **GIT_ENV, GRADER_GITHUB_TOKEN=TOKEN, GRADER_GITHUB_URL=(root / "github").as_uri())
    run = run_grader("deliver", "--course", str(root / course), "--gradebook", str(root / "gradebook.sqlite"),
                     *args, env=env, bare=True, timeout=300)
    assert TOKEN not in run.stdout + run.stderr
    return run


def test_each_student_gets_the_markdown_of_their_report_and_one_broken_repository_stops_nobody(classroom):
    repos = classroom / "repos"
    mains = {s: heads(repos / f"{s}.git")["main"] for s in ("ada", "bo", "cy", "eve")}
    run = deliver(classroom, "--feedback")
    assert run.returncode == 1, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    for student in ("ada", "bo", "cy", "fay"):
        assert any(line.startswith(f"delivered {student}: feedback of ") for line in lines), run.stdout
    assert any(line == f"failed dan: no repository at {repos / 'dan.git'}" for line in lines), run.stdout
    assert any(line.startswith("failed eve: push refused") and "pushes are closed" in line for line in lines), run.stdout
    assert "2 of 6 student(s) not delivered" in run.stdout

    clone = classroom / "ada-clone"
    git(classroom, "clone", "--quiet", "--branch", "feedback", str(repos / "ada.git"), str(clone))
    page = (clone / f"{A1}.md").read_text()
    report = graded_report("ada", 6.0)
    assert page == render_markdown("ada", A1, report)
    assert page.splitlines()[0] == f"# {A1}: 6.3 / 12"
    for test in report.assignments[A1].suite.tests:
        assert f"| `{test.name}` | {test.points:g} / {test.max_points:g} |" in page
    assert "| `test_9` | 0 / 1 | **failed** | rnn_cell(x, h) has shape (3, 4); expected (3, 5): \\| \\<b\\>check\\</b\\> \\* |" \
        in page
    assert "Graded commit: `3f2a9c1d0e`, submitted 2027-03-02T09:30:00+00:00." in page
    assert "Submitted 1 day late." in page and "Score before the penalty: 7; penalty 10%." in page
    assert "| `test_shapes` | 1 / 2 | AssertionError: h has the wrong shape |" in page
    assert "Written answers (4 points) are graded by hand." in page
    readme = (clone / "README.md").read_text()
    assert f"- [{A1}]({A1}.md)" in readme and "A solution appears here once" in readme
    assert sorted(p.name for p in clone.iterdir() if p.name != ".git") == ["README.md", f"{A1}.md"]

    assert "could not be graded: the checkout failed: repository not found" in shown(repos / "bo.git", f"{A1}.md")
    assert "No report of yours reached the gradebook" in shown(repos / "cy.git", f"{A1}.md")
    assert shown(classroom / "github" / "octo-org" / "fay.git", f"{A1}.md") == render_markdown(
        "fay", A1, graded_report("fay", 6.0)).strip()
    assert "feedback" not in heads(repos / "eve.git")
    for student, main in mains.items():
        assert heads(repos / f"{student}.git")["main"] == main, f"{student}'s main was touched"
    for bare in [*repos.glob("*.git"), classroom / "github" / "octo-org" / "fay.git"]:
        assert TOKEN not in (bare / "config").read_text()


def test_a_second_grading_updates_the_page_in_place_and_an_unchanged_one_makes_no_commit(classroom):
    repos = classroom / "repos"
    assert deliver(classroom, "--feedback", "--only", "ada,bo,cy").returncode == 0
    first = {s: heads(repos / f"{s}.git") for s in ("ada", "bo", "cy")}
    record(classroom / "gradebook.sqlite", graded_report("ada", 9.0, commit="a" * 40))
    run = deliver(classroom, "--feedback", "--only", "ada,bo,cy")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "delivered ada:" in run.stdout and "unchanged bo:" in run.stdout and "unchanged cy:" in run.stdout
    ada = repos / "ada.git"
    assert git(ada, "rev-list", "--count", "feedback") == "2"
    assert git(ada, "rev-parse", "feedback^") == first["ada"]["feedback"]
    assert git(ada, "diff", "--name-only", "feedback^", "feedback").split() == [f"{A1}.md"]
    page = shown(ada, f"{A1}.md")
    assert page.startswith(f"# {A1}: 9 / 12") and "Graded commit: `aaaaaaaaaa`" in page
    assert heads(ada)["main"] == first["ada"]["main"]
    for student in ("bo", "cy"):
        assert heads(repos / f"{student}.git") == first[student]
    again = deliver(classroom, "--feedback", "--only", "ada,bo,cy")
    assert again.returncode == 0 and "delivered" not in again.stdout and again.stdout.count("unchanged") == 3
    assert git(ada, "rev-list", "--count", "feedback") == "2"


def race_on_push(bare, times):
    """A pre-receive hook that, on each of the next ``times`` pushes, first moves ``feedback`` on by one
    commit ("solutions published", as release.yml's delivery would at that moment), so that the push
    being received no longer fast-forwards from what it fetched."""
    hook = bare / "hooks" / "pre-receive"
    hook.write_text(f"""#!/bin/sh
unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
count=$(cat raced 2>/dev/null || echo 0)
[ "$count" -ge {times} ] && exit 0
echo $((count + 1)) > raced
export GIT_AUTHOR_NAME=Release GIT_AUTHOR_EMAIL=release@course.invalid
export GIT_COMMITTER_NAME=Release GIT_COMMITTER_EMAIL=release@course.invalid
moved=$(git commit-tree -p feedback -m "solutions published ($((count + 1)))" feedback^{{tree}})
git update-ref refs/heads/feedback "$moved"
""")
    hook.chmod(0o755)


def test_a_delivery_racing_another_one_to_the_same_branch_is_made_again_on_top_and_loses_nothing(classroom):
    repos = classroom / "repos"
    ada = repos / "ada.git"
    assert deliver(classroom, "--feedback", "--only", "ada").returncode == 0
    record(classroom / "gradebook.sqlite", graded_report("ada", 9.0, commit="a" * 40))
    race_on_push(ada, times=2)       # the first two pushes find the branch moved
    run = deliver(classroom, "--feedback", "--only", "ada")
    assert run.returncode == 0 and "delivered ada:" in run.stdout, run.stdout + run.stderr
    subjects = git(ada, "log", "--format=%s", "feedback").splitlines()
    assert subjects[1:3] == ["solutions published (2)", "solutions published (1)"], subjects
    assert shown(ada, f"{A1}.md").startswith(f"# {A1}: 9 / 12")

    record(classroom / "gradebook.sqlite", graded_report("ada", 10.0, commit="b" * 40))
    (ada / "raced").unlink()
    race_on_push(ada, times=5)       # it keeps moving: one clear line, nothing forced
    run = deliver(classroom, "--feedback", "--only", "ada")
    assert run.returncode == 1
    assert "failed ada: push refused" in run.stdout and "moved during each of 3 attempts" in run.stdout, run.stdout
    assert git(ada, "log", "-1", "--format=%s", "feedback") == "solutions published (3)"
    assert shown(ada, f"{A1}.md").startswith(f"# {A1}: 9 / 12")


def test_a_dry_run_pushes_nothing_and_delivery_off_touches_nothing(classroom):
    repos = classroom / "repos"
    run = deliver(classroom, "--feedback", "--only", "ada", "--dry-run")
    assert run.returncode == 0 and "would deliver ada:" in run.stdout, run.stdout + run.stderr
    assert "feedback" not in heads(repos / "ada.git")
    (classroom / "off.toml").write_text(A1_COURSE)
    run = deliver(classroom, "--feedback", course="off.toml")
    assert run.returncode == 0 and "feedback delivery is off in off.toml" in run.stdout
    assert all("feedback" not in heads(bare) for bare in repos.glob("*.git"))
    run = deliver(classroom)
    assert run.returncode == 2 and run.stderr.strip() == (
        "error: name what to deliver: --feedback (the gradebook's pages) and/or --solutions DIR")
    run = deliver(classroom, "--feedback", "--only", "zed")
    assert run.returncode == 2 and "student zed is not on the roster" in run.stderr


@pytest.fixture
def published(tmp_path):
    """A folder as ``publish-solutions --out`` writes it: a1's module without its markers, its notebook page."""
    folder = tmp_path / "published" / A1
    folder.mkdir(parents=True)
    for module in sorted((SOLUTIONS / A1).glob("*.py")):
        (folder / module.name).write_text(published_text(module.read_text(), module.name))
    (folder / f"{A1}.html").write_text("<!DOCTYPE html><title>a1 solution</title>\n")
    return tmp_path / "published"


def test_solutions_wait_for_the_late_window_then_reach_every_repository(classroom, published):
    repos = classroom / "repos"
    run = deliver(classroom, "--solutions", str(published), "--only", "ada,bo")
    assert run.returncode == 0, run.stdout + run.stderr
    assert (f"{A1}: solution not delivered: late work is accepted until 2027-03-08T12:15:00+00:00 ("
            in run.stdout and "it is delivered on the first run after that" in run.stdout)
    assert "unchanged ada: nothing to deliver" in run.stdout
    assert all("feedback" not in heads(repos / f"{s}.git") for s in ("ada", "bo"))

    run = deliver(classroom, "--solutions", str(published), "--feedback", "--only", "ada,bo", course="closed.toml")
    assert run.returncode == 0, run.stdout + run.stderr
    for student in ("ada", "bo"):
        bare = repos / f"{student}.git"
        module = shown(bare, f"solutions/{A1}/cells.py")
        assert module == (published / A1 / "cells.py").read_text().rstrip("\n") and "def sigmoid" in module
        assert "BEGIN SOLUTION" not in module
        assert f"- [{A1}](solutions/{A1}/)" in shown(bare, "README.md")
        assert git(bare, "log", "-1", "--format=%s", "feedback") == "Feedback and solutions from the course's grader"
    (published / A1 / f"{A1}.html").unlink()
    run = deliver(classroom, "--solutions", str(published), "--only", "ada", course="closed.toml")
    assert "delivered ada:" in run.stdout
    assert git(repos / "ada.git", "ls-tree", "-r", "--name-only", "feedback").split() == [
        "README.md", f"{A1}.md", f"solutions/{A1}/cells.py"]


@pytest.fixture(scope="module")
def planted_report(tmp_path_factory):
    """The reference solution of a1 graded for real (no notebook) with one more hidden test, which fails,
    whose docstring, comments and variable carry PLANTED; the report file."""
    root = tmp_path_factory.mktemp("planted")
    script = f"""
import shutil, sys
from pathlib import Path
import grader.grading.suite as suite
copy = Path({str(root / 'suites')!r})
shutil.copytree(suite.SUITES, copy, ignore=shutil.ignore_patterns("__pycache__"))
with open(copy / {A1!r} / "test_sigmoid.py", "a") as handle:
    handle.write('''

@pytest.mark.points(1)
def test_planted(student):
    \"\"\"{PLANTED} in the docstring of a hidden test.\"\"\"
    {PLANTED.lower()} = student.module("cells").sigmoid(np.zeros(3))  # {PLANTED}
    assert {PLANTED.lower()}[0] == 0.75, "{PLANTED}"[:0] + "sigmoid(0) looks wrong"  # {PLANTED}
''')
suite.SUITES = copy
from grader.grading.grade import grade_submission
from grader.records.report import write_report
write_report(grade_submission({str(SOLUTIONS)!r}, "ada", [{A1!r}], notebooks=False), {str(root / 'ada.json')!r})
"""
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert PLANTED in (root / "suites" / A1 / "test_sigmoid.py").read_text()
    return root / "ada.json"


@pytest.mark.slow
def test_no_delivered_page_shows_hidden_test_code(classroom, planted_report):
    run = run_grader("collect", str(planted_report), "--gradebook", str(classroom / "gradebook.sqlite"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert deliver(classroom, "--feedback", "--only", "ada").returncode == 0
    page = shown(classroom / "repos" / "ada.git", f"{A1}.md")
    assert PLANTED.lower() not in page.lower()
    assert "| `test_sigmoid.py::test_planted` | 0 / 1 | **failed** | sigmoid(0) looks wrong |" in page
    assert "test_sigmoid.py::test_sigmoid_known_values` | 2 / 2 | passed" in page
    report = report_from_dict(__import__("json").loads(planted_report.read_text()))
    assert PLANTED.lower() not in render_page("ada", A1, report).lower()


def test_markdown_and_html_pages_say_the_same_things():
    report = graded_report("ada", 6.0)
    markdown, page = render_markdown("ada", A1, report), render_page("ada", A1, report)
    for words in ("Hidden tests: 6 / 10", "6 of 10 tests passed.", "Autograded cells: 1 / 2.",
                  "Time source: pushes.", "Due 2027-03-01T12:00:00+00:00."):
        assert words in markdown and words in page
    hostile = report_from_dict({**fake_report("bo", {A1: 0.0}), "graded_at": "<img src=x onerror=alert(1)>"})
    text = render_markdown("bo", A1, hostile)
    assert not re.search(r"(?<!\\)<img", text) and "\\<img src=x onerror=alert(1)\\>" in text


def test_the_feedback_table_of_course_toml_is_checked(tmp_path):
    path = tmp_path / "course.toml"
    for table, message in [('deliver = "issue"', "feedback.deliver: must be one of off, branch, not 'issue'"),
                           ('deliver = "branch"\nbranch = "main"', "feedback.branch: 'main' holds the students' own"),
                           ('branch = "a..b"', "feedback.branch: must be a branch name"),
                           ("solutions = 1", "feedback.solutions: must be true or false, not 1"),
                           ("where = 1", "feedback.where: unknown key (allowed: branch, deliver, solutions)")]:
        path.write_text(A1_COURSE + "\n[feedback]\n" + table + "\n")
        with pytest.raises(CourseError, match=message.replace("(", r"\(").replace(")", r"\)")):
            load_course(path, known=[A1])
    path.write_text(A1_COURSE)
    assert load_course(path, known=[A1]).delivery.mode == "off"


def test_the_workflows_deliver_after_collecting_with_their_own_token_in_that_step_only():
    from grader.cli import parser

    steps = {}
    for name in ("grade.yml", "release.yml"):
        data = yaml.safe_load((REPO / ".github" / "workflows" / name).read_text())
        for job, body in data["jobs"].items():
            for index, step in enumerate(body.get("steps", [])):
                holds = "DELIVERY_TOKEN" in yaml.safe_dump(step)
                if "python -m grader deliver" in str(step.get("run", "")):
                    assert step["env"] == {"GRADER_GITHUB_TOKEN": "${{ secrets.DELIVERY_TOKEN }}"}, (name, step)
                    steps[name] = (job, index, step)
                else:
                    assert not holds, (name, job, step.get("name"))
        assert "DELIVERY_TOKEN" not in yaml.safe_dump({k: v for k, v in data.items() if k != "jobs"})
    job, index, step = steps["grade.yml"]
    collect = yaml.safe_load((REPO / ".github" / "workflows" / "grade.yml").read_text())["jobs"][job]["steps"]
    assert job == "collect" and any("grader collect" in str(s.get("run", "")) for s in collect[:index])
    argv = shlex.split(step["run"].split("python -m grader ", 1)[1])
    args = parser().parse_args(argv)
    assert args.command == "deliver" and args.feedback and args.course == "course.toml"
    assert args.gradebook == "build/gradebook.sqlite"
    job, index, step = steps["release.yml"]
    args = parser().parse_args(shlex.split(step["run"].split("python -m grader ", 1)[1]))
    assert args.solutions == "build/student-template/published-solutions" and not args.feedback
