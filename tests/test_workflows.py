"""The GitHub Actions workflows and the student template.

- every workflow (this repository's and the student's) passes actionlint;
- every `run:` step is one `make` target or one `python -m grader` command (possibly through `sudo`
  with options), so what a workflow does is what these tests run (the student's workflow: a target
  of the student's Makefile);
- no checkout keeps its credentials and no cache holds a submission; grade.yml grades a shard of
  students through sudo with --revoke-sudo, in the only sudo step, right after the step that fetches
  their repositories (`grader fetch`, the only holder of CLASSROOM_TOKEN, in its env); only the grade
  step gets GRADER_SECRET_SEED; the grade job saves caches only before fetching, and after grading
  runs nothing but uploads and `grader not-graded` on failure;
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

from grader.authoring.leaks import find_leaks, secret_lines, source_texts
from grader.paths import ASSIGNMENTS, REPO, SUITES, known_assignments
from grader.authoring.template import TEMPLATES, TemplateError, build_student_template, push_template
from tests.conftest import git

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
STUDENT_WORKFLOW = TEMPLATES / "student-workflow.yml"
# `sudo` with options only (`-n`, `--preserve-env=A,B`), then the grader or make.
SUDO_PREFIX = r"sudo(?: --?[a-z][a-z-]*(?:=[A-Za-z0-9_,]+)?)* "
GRADER_COMMAND = re.compile(rf"^(?:{SUDO_PREFIX})?(\.venv/bin/)?python -m grader [a-z-]+( .*)?$")
MAKE_COMMAND = re.compile(rf"^(?:{SUDO_PREFIX})?make ([a-z][a-z-]*)$")


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


# --- credentials, sudo, the classroom token, the secret seed and the caches ---------------------------


def steps_of(data):
    """``[(job, index, step)]`` of a parsed workflow."""
    return [(job_name, i, step) for job_name, job in data["jobs"].items()
            for i, step in enumerate(job.get("steps", []))]


def is_checkout(step):
    return str(step.get("uses", "")).startswith("actions/checkout@")


def is_cache(step):
    return str(step.get("uses", "")).startswith("actions/cache")


def runs_sudo(step):
    return bool(re.search(r"(^|[\s;&|(])sudo\s", str(step.get("run", ""))))


def runs_grader(step, command):
    return bool(re.search(rf"python -m grader {command}( |$)", str(step.get("run", ""))))


def mentions(value, word):
    """True when ``word`` occurs anywhere in a parsed YAML value (keys and strings)."""
    return word in yaml.safe_dump(value)


def credential_problems(data):
    """Every checkout of a workflow that keeps its credentials in the clone's .git/config."""
    return [f"{job}: step {i + 1} ({step.get('name', step['uses'])}) does not set persist-credentials: false"
            for job, i, step in steps_of(data)
            if is_checkout(step) and str((step.get("with") or {}).get("persist-credentials")).lower() != "false"]


def cache_problems(data):
    """Every cache of a workflow that holds (or may hold) the students' submissions."""
    return [f"{job}: step {i + 1} caches {path!r}, which holds students' submissions"
            for job, i, step in steps_of(data) if is_cache(step)
            for path in str((step.get("with") or {}).get("path", "")).split()
            if path.strip("./").split("/")[0] in ("submissions", "push-times", "", "*", "**")]


def secret_problems(data, secret, holder):
    """``secret`` anywhere but in the step at ``holder`` ((job, index)): workflow, job and other steps."""
    problems = []
    for where, value in [("the workflow's env", data.get("env"))] + [
            (f"job {name}'s env", job.get("env")) for name, job in data["jobs"].items()]:
        if value and mentions(value, secret):
            problems.append(f"{secret} is in {where}")
    for name, job in data["jobs"].items():
        if mentions({k: v for k, v in job.items() if k not in ("steps", "env")}, secret):
            problems.append(f"{secret} is in job {name}")
    for j, i, step in steps_of(data):
        if (j, i) != holder and mentions(step, secret):
            problems.append(f"{secret} reaches {j} step {i + 1} ({step.get('name') or step.get('uses')})")
    return problems


def grade_workflow_problems(data):
    """What is wrong with grade.yml's way of fetching and running student code (an empty list when nothing)."""
    problems = credential_problems(data) + cache_problems(data)
    grading = [(job, i, step) for job, i, step in steps_of(data) if runs_grader(step, "grade-roster")]
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
    if any(is_checkout(step) and "repository" in (step.get("with") or {}) for *_, step in steps_of(data)):
        problems.append("a checkout of another repository: students' repositories are fetched by `grader fetch`")
    fetching = [(j, i, step) for j, i, step in steps_of(data) if runs_grader(step, "fetch")]
    if len(fetching) != 1 or fetching[0][0] != job:
        return problems + [f"{len(fetching)} steps run `grader fetch`, not one in job {job}"]
    _, fetch_index, fetch = fetching[0]
    if fetch_index + 1 != index:
        between = [step.get("name") or step.get("uses") or step.get("run") for step in steps[fetch_index + 1:index]]
        problems.append(f"steps between fetching the students' repositories and grading: {between}")
    if (fetch.get("env") or {}).get("GRADER_GITHUB_TOKEN") != "${{ secrets.CLASSROOM_TOKEN }}":
        problems.append("the fetch step does not get CLASSROOM_TOKEN as GRADER_GITHUB_TOKEN in its env")
    if mentions({k: v for k, v in fetch.items() if k != "env"}, "CLASSROOM_TOKEN"):
        problems.append("CLASSROOM_TOKEN is in the fetch step outside its env")
    if fetch.get("continue-on-error") is not True:
        problems.append("a student who cannot be fetched stops the shard (the fetch step needs continue-on-error)")
    problems += secret_problems(data, "CLASSROOM_TOKEN", (job, fetch_index))
    problems += secret_problems(data, "GRADER_SECRET_SEED", (job, index))
    if not any(str(step.get("run", "")).strip() == "make setup" for step in steps[:fetch_index]):
        problems.append("the grade job does not install with `make setup` before fetching the repositories")
    for i, step in enumerate(steps):
        uses = str(step.get("uses", ""))
        if uses.startswith("actions/cache@"):
            problems.append(f"{job} step {i + 1}: actions/cache saves at the end of the job, after student code ran")
        elif uses.startswith("actions/cache/save@") and i > fetch_index:
            problems.append(f"{job} step {i + 1}: a cache saved after the students' repositories were fetched")
    for i, step in enumerate(steps[index + 1:], start=index + 1):
        uses = str(step.get("uses", ""))
        if uses.startswith("actions/upload-artifact@"):
            continue
        if runs_grader(step, "not-graded") and "failure()" in str(step.get("if", "")) and not runs_sudo(step):
            continue
        problems.append(f"after grading, step {i + 1} is neither an upload nor `grader not-graded` on failure: {step}")
    return problems


GRADE_YML = REPO / ".github" / "workflows" / "grade.yml"


@pytest.mark.parametrize("path", [*WORKFLOWS, STUDENT_WORKFLOW], ids=lambda p: p.name)
def test_no_checkout_keeps_its_credentials(path):
    data = yaml.safe_load(path.read_text())
    assert any(is_checkout(step) for *_, step in steps_of(data))
    assert not credential_problems(data)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_cache_holds_a_submission(path):
    assert not cache_problems(yaml.safe_load(path.read_text()))


def test_grade_yml_grades_through_sudo_and_takes_the_runners_sudo_away():
    data = yaml.safe_load(GRADE_YML.read_text())
    assert grade_workflow_problems(data) == []
    grade = next(step for *_, step in steps_of(data) if runs_grader(step, "grade-roster"))
    assert set(grade["env"]) == {"STUDENTS", "ASSIGNMENTS", "GRADER_SECRET_SEED"}
    assert grade["env"]["STUDENTS"] == "${{ matrix.students }}"
    assert "--allow-unisolated" not in grade["run"]


def _bash_arguments(command, after, env):
    """The arguments bash gives the command ``... <after> ARGS`` (ARGS expanded as in the workflow)."""
    tail = command.split(f" {after} ", 1)[1]
    run = subprocess.run(["bash", "-c", f"printf '%s\\n' {tail}"], capture_output=True, text=True, timeout=30,
                         env=dict(env, PATH=os.environ.get("PATH", "")))
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


SHARD = {"STUDENTS": "s01,s.02,s_03-x", "ASSIGNMENTS": "a1_cells,a2_bptt", "USER": "runner",
         "REASON": "grading failed in workflow run https://github.com/o/r/actions/runs/7; see the grade job's log"}


def test_the_grade_step_grades_every_student_of_the_shard():
    from grader.cli import parser

    data = yaml.safe_load(GRADE_YML.read_text())
    grade = next(step for *_, step in steps_of(data) if runs_grader(step, "grade-roster"))
    argv = _bash_arguments(grade["run"], "grade-roster", SHARD)
    assert argv[:2] == ["--only", "s01,s.02,s_03-x"]
    for option, value in [("--submissions", "submissions"), ("--push-times", "push-times"),
                          ("--previous", "previous-reports"), ("--out", "reports"), ("--revoke-sudo", "runner"),
                          ("--assignment", "a1_cells,a2_bptt")]:
        assert argv[argv.index(option) + 1] == value, option
    assert "--no-gradebook" in argv
    # --push-times and --previous are grade-roster's newest options: parse what the parser knows today.
    args, _ = parser().parse_known_args(["grade-roster", *argv])
    assert args.only == ["s01", "s.02", "s_03-x"] and args.out == "reports" and args.revoke_sudo == "runner"


def test_the_fetch_and_not_graded_steps_parse_as_their_commands():
    from grader.cli import parser

    data = yaml.safe_load(GRADE_YML.read_text())
    fetch = next(step for *_, step in steps_of(data) if runs_grader(step, "fetch"))
    args = parser().parse_args(["fetch", *_bash_arguments(fetch["run"], "fetch", SHARD)])
    assert (args.students, args.out, args.push_times, args.course) == (
        ["s01", "s.02", "s_03-x"], "submissions", "push-times", "course.toml")
    not_graded = [(job, step) for job, _, step in steps_of(data) if runs_grader(step, "not-graded")]
    assert [job for job, _ in not_graded] == ["grade", "collect"]
    for job, step in not_graded:
        args = parser().parse_args(["not-graded", *_bash_arguments(step["run"], "not-graded", SHARD)])
        assert args.out == "reports" and args.reason == SHARD["REASON"]
        assert args.assignment == SHARD["ASSIGNMENTS"].split(",")
        assert step["env"]["REASON"] == ("grading failed in workflow run ${{ github.server_url }}/"
                                         "${{ github.repository }}/actions/runs/${{ github.run_id }}; "
                                         "see the grade job's log")
    assert not_graded[0][1]["env"]["STUDENTS"] == "${{ matrix.students }}"
    assert not_graded[0][1]["if"] == "failure()"


def test_the_grade_job_reuses_the_environment_and_the_last_runs_reports():
    data = yaml.safe_load(GRADE_YML.read_text())
    steps = data["jobs"]["grade"]["steps"]
    uses = [str(step.get("uses", "")).split("@")[0] for step in steps]
    key = ("venv-${{ runner.os }}-${{ steps.python.outputs.python-version }}-"
           "${{ hashFiles('requirements.txt', 'pyproject.toml', 'Makefile') }}")
    python = steps[uses.index("actions/setup-python")]
    assert python["id"] == "python" and python["with"]["python-version"] == "3.11"
    restore = steps[uses.index("actions/cache/restore")]
    assert restore["with"] == {"path": ".venv", "key": key}
    save = steps[uses.index("actions/cache/save")]
    assert save["with"] == {"path": ".venv", "key": "${{ steps.venv.outputs.cache-primary-key }}"}
    assert uses.index("actions/cache/restore") < [s.get("run") for s in steps].index("make setup") < uses.index(
        "actions/cache/save")
    previous = [s for s in steps if (s.get("with") or {}).get("path") == "previous-reports"]
    assert previous == [{"name": previous[0]["name"], "uses": "actions/cache/restore@v4",
                         "with": {"path": "previous-reports", "key": "reports-${{ github.run_id }}",
                                  "restore-keys": "reports-"}}]
    upload = steps[-1]
    assert upload["uses"] == "actions/upload-artifact@v4" and upload["if"] == "${{ !cancelled() }}"
    assert upload["with"]["name"] == "report-shard-${{ matrix.shard }}" and upload["with"]["path"] == "reports/*.json"
    assert upload["with"]["if-no-files-found"] == "error"
    collect = data["jobs"]["collect"]["steps"]
    saved = [s for s in collect if str(s.get("uses", "")).startswith("actions/cache/save@")]
    assert [s["with"] for s in saved] == [{"path": "previous-reports", "key": "reports-${{ github.run_id }}"}]
    assert saved[0]["if"] == "${{ !cancelled() }}"
    assert collect.index(saved[0]) > next(i for i, s in enumerate(collect) if runs_grader(s, "collect"))
    release = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text())
    cached = [s for *_, s in steps_of(release) if is_cache(s)]
    assert [s["with"] for s in cached] == [{"path": ".venv", "key": key}]


@pytest.mark.parametrize("makefile", [REPO / "Makefile", TEMPLATES / "student-Makefile"], ids=lambda p: p.name)
def test_make_setup_does_nothing_for_a_restored_venv_and_reinstalls_when_the_pins_change(makefile, tmp_path):
    """The stamp (the course's and the student's) is a checksum of requirements.txt and pyproject.toml: a
    .venv restored from the cache is up to date whatever the files' times after a fresh checkout; a changed
    pin reinstalls."""
    (tmp_path / "Makefile").write_bytes(makefile.read_bytes())
    for name in ("requirements.txt", "pyproject.toml"):
        (tmp_path / name).write_bytes((REPO / name).read_bytes())

    def planned():
        # A make of its own, not a sub-make of `make test` (which would add "Entering directory" lines).
        env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")}
        run = subprocess.run(["make", "--no-print-directory", "-n", "setup"], cwd=tmp_path, capture_output=True,
                             text=True, timeout=60, env=env)
        assert run.returncode == 0, run.stderr
        return run.stdout

    assert "-m venv .venv" in planned() and "pip install" in planned()
    (tmp_path / ".venv").mkdir()
    stamp = planned().strip().splitlines()[-1]
    assert stamp.startswith("echo '") and stamp.endswith("' > .venv/.installed")
    (tmp_path / ".venv" / ".installed").write_text(stamp[len("echo '"):-len("' > .venv/.installed")] + "\n")
    later = (tmp_path / ".venv" / ".installed").stat().st_mtime + 3600
    for name in ("requirements.txt", "pyproject.toml"):
        os.utime(tmp_path / name, (later, later))
    assert "pip install" not in planned()
    with open(tmp_path / "requirements.txt", "a") as handle:
        handle.write("# a changed pin\n")
    assert "pip install" in planned()


def test_the_matrix_is_the_plans_shards():
    data = yaml.safe_load(GRADE_YML.read_text())
    assert data["jobs"]["grade"]["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    assert data["jobs"]["plan"]["outputs"]["matrix"] == "${{ steps.plan.outputs.matrix }}"
    plan = next(step for *_, step in steps_of(data) if runs_grader(step, "plan"))
    assert "--roster" in plan["run"]


def test_only_the_grading_step_and_the_repositorys_own_tests_use_sudo():
    sudo = [(path.name, job, str(step.get("run", "")).split()[-2:]) for path in WORKFLOWS
            for job, i, step in steps_of(yaml.safe_load(path.read_text())) if runs_sudo(step)]
    grading = [s for s in sudo if s[:2] == ("grade.yml", "grade")]
    tests = [s for s in sudo if s == ("ci.yml", "test", ["make", "test"])]
    assert len(grading) == 1 and len(tests) == 1 and len(sudo) == 2, sudo
    assert not [path.name for path in WORKFLOWS if path != GRADE_YML and "GRADER_SECRET_SEED" in path.read_text()]


def test_the_classroom_token_reaches_only_the_fetch_step():
    holders = [(path.name, job, step.get("name")) for path in WORKFLOWS
               for job, _, step in steps_of(yaml.safe_load(path.read_text())) if mentions(step, "CLASSROOM_TOKEN")]
    assert holders == [("grade.yml", "grade", "fetch the shard's repositories and their push timelines")]
    assert all(path.read_text().count("secrets.CLASSROOM_TOKEN") == (path == GRADE_YML) for path in WORKFLOWS)


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
    return next(step for step in _grade_steps(data) if runs_grader(step, "grade-roster"))


def _fetching(data):
    return next(step for step in _grade_steps(data) if runs_grader(step, "fetch"))


def _insert_before(data, find, step):
    steps = _grade_steps(data)
    steps.insert(steps.index(find(data)), step)


def _insert_before_grading(data, step):
    _insert_before(data, _grading, step)


def _checkout_a_student(data):
    _insert_before(data, _fetching, {"uses": "actions/checkout@v4", "with": {
        "repository": "o/s1", "token": "${{ secrets.CLASSROOM_TOKEN }}", "persist-credentials": False}})


@pytest.mark.parametrize("edit, problem", [
    (lambda d: d["jobs"]["collect"]["steps"][0].pop("with"), "does not set persist-credentials: false"),
    (lambda d: _grade_steps(d)[0]["with"].update({"persist-credentials": True}), "persist-credentials: false"),
    (lambda d: _grading(d).update(run=_grading(d)["run"].split(" ", 3)[3]), "does not run through sudo"),
    (lambda d: _grading(d).update(run=_grading(d)["run"].replace(' --revoke-sudo "$USER"', "")), "--revoke-sudo"),
    (lambda d: _grading(d).update(run=_grading(d)["run"].replace("--preserve-env=GRADER_SECRET_SEED ", "")),
     "does not pass GRADER_SECRET_SEED"),
    (lambda d: _insert_before_grading(d, {"name": "list", "run": "make check"}), "between fetching"),
    (lambda d: _insert_before_grading(d, {"uses": "actions/cache@v4", "with": {"path": "x", "key": "k"}}),
     "between fetching"),
    (lambda d: _grade_steps(d).append({"run": "make test"}), "after grading, step"),
    (lambda d: _grade_steps(d).append({"if": "always()", "run": "python -m grader not-graded --out r"}),
     "after grading, step"),
    (lambda d: d["jobs"]["collect"]["steps"].append({"run": "sudo make test"}), "must be the only one"),
    (lambda d: d["jobs"]["grade"].update(env={"GRADER_SECRET_SEED": "${{ secrets.GRADER_SECRET_SEED }}"}),
     "GRADER_SECRET_SEED is in job grade's env"),
    (lambda d: d.update(env={"GRADER_SECRET_SEED": "1"}), "GRADER_SECRET_SEED is in the workflow's env"),
    (lambda d: d["jobs"]["collect"]["steps"][-1].update(env={"S": "${{ secrets.GRADER_SECRET_SEED }}"}),
     "GRADER_SECRET_SEED reaches collect step"),
    (lambda d: _fetching(d)["env"].update(GRADER_SECRET_SEED="${{ secrets.GRADER_SECRET_SEED }}"),
     "GRADER_SECRET_SEED reaches grade step"),
    (lambda d: _grading(d)["env"].update(GRADER_GITHUB_TOKEN="${{ secrets.CLASSROOM_TOKEN }}"),
     "CLASSROOM_TOKEN reaches grade step"),
    (lambda d: d["jobs"]["grade"].update(env={"T": "${{ secrets.CLASSROOM_TOKEN }}"}),
     "CLASSROOM_TOKEN is in job grade's env"),
    (lambda d: _fetching(d).update(run=_fetching(d)["run"] + " --token ${{ secrets.CLASSROOM_TOKEN }}"),
     "CLASSROOM_TOKEN is in the fetch step outside its env"),
    (lambda d: _fetching(d)["env"].pop("GRADER_GITHUB_TOKEN"), "does not get CLASSROOM_TOKEN"),
    (lambda d: _fetching(d).pop("continue-on-error"), "continue-on-error"),
    (lambda d: _grade_steps(d).remove(_fetching(d)), "0 steps run `grader fetch`"),
    (_checkout_a_student, "a checkout of another repository"),
    (lambda d: _insert_before(d, _fetching, {"uses": "actions/cache@v4", "with": {"path": "x", "key": "k"}}),
     "actions/cache saves at the end of the job"),
    (lambda d: _grade_steps(d).insert(-1, {"uses": "actions/cache/save@v4", "if": "always()",
                                           "with": {"path": ".venv", "key": "k"}}), "saved after the students'"),
    (lambda d: d["jobs"]["collect"]["steps"].insert(-1, {"uses": "actions/cache/save@v4", "with": {
        "path": "reports\nsubmissions/", "key": "k"}}), "caches 'submissions/'"),
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


# Lines that are secret for an assignment (a line of its solution blocks or of its hidden suite) and yet
# shipped, verbatim, by a lecture that teaches them: idioms, not answers. Each names the lecture that shows it.
# The template test fails when that lecture no longer shows the line, or when no shipped file needs the entry.
TAUGHT = {
    "optimizer.zero_grad()": "01_perceptron",
    "optimizer.step()": "01_perceptron",
    "self.embed = nn.Embedding(vocab_size, embed_dim)": "02_vanilla_rnn",
    "generator = torch.Generator().manual_seed(seed)": "03_lstm_gru",
}


def _lines_of(path):
    """The whitespace-normalised lines of a file (of its cells for a notebook), as the leak check compares them."""
    return {re.sub(r"\s+", " ", line.strip()) for text in source_texts(path) for line in text.splitlines()}


def test_the_template_contains_no_solution_line_and_no_hidden_test(template):
    """Every file the template ships, lectures/ and rnnutils/ included, holds no secret line of any assignment
    (a line of a solution block or of a hidden suite, at least 16 characters, see grader/authoring/leaks.py) and no
    hidden test. A line the released assignments/ show is public (it ships anyway); apart from that, only the TAUGHT
    idioms may appear, each shown by the lecture it names. lectures/ and rnnutils/ are copied byte for byte."""
    secret = {}
    for name in known_assignments():
        assert not find_leaks(name, template / "assignments"), name
        for line in secret_lines(name):
            secret.setdefault(line, name)
    files = sorted(p for p in template.rglob("*") if p.is_file())
    released = set().union(*(_lines_of(p) for p in files if p.relative_to(template).parts[0] == "assignments"))
    hidden_files = {p.name for p in SUITES.rglob("*.py") if p.name != "__init__.py"}
    leaks, taught_seen = [], set()
    for path in files:
        relative = path.relative_to(template)
        assert not (path.name in hidden_files and "tests" not in relative.parts), f"hidden suite file {relative}"
        text = path.read_text(errors="replace")
        assert "### BEGIN HIDDEN TESTS" not in text and "### BEGIN SOLUTION" not in text, relative
        if relative.parts[0] in ("lectures", "rnnutils"):
            assert path.read_bytes() == (REPO / relative).read_bytes(), relative
        for line in sorted((_lines_of(path) & secret.keys()) - released):
            if line in TAUGHT:
                taught_seen.add(line)
            else:
                leaks.append((str(relative), secret[line], line))
    assert not leaks, leaks[:5]
    shown = {line: line in _lines_of(REPO / "lectures" / f"{lecture}.ipynb") for line, lecture in TAUGHT.items()}
    assert all(shown.values()), [line for line, ok in shown.items() if not ok]
    assert taught_seen == set(TAUGHT), f"TAUGHT entries no shipped file needs: {sorted(set(TAUGHT) - taught_seen)}"


def test_build_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x").write_text("")
    with pytest.raises(TemplateError, match="is not empty"):
        build_student_template(tmp_path)


@pytest.mark.slow
def test_the_students_check_reports_failing_stubs(template, tmp_path):
    summary = tmp_path / "summary.md"
    env = dict(os.environ, GITHUB_STEP_SUMMARY=str(summary))
    run = subprocess.run([sys.executable, str(template / "tools" / "check_submission.py"), "--assignment", "a1_cells"],
                         cwd=template, capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 1, run.stdout + run.stderr
    row = next(line for line in summary.read_text().splitlines() if line.startswith("| a1_cells |"))
    assert row.startswith("| a1_cells | failed | 0/") and "| no (" in row
    bad = subprocess.run([sys.executable, str(template / "tools" / "check_submission.py"), "--assignment", "a9"],
                         cwd=template, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.strip() == "error: no assignment 'a9' in assignments/"


def test_push_template_commits_the_build_and_pushes_it(template, tmp_path):
    remote, checkout = tmp_path / "template.git", tmp_path / "checkout"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    git(tmp_path, "clone", "--quiet", str(remote), str(checkout))
    (checkout / "old.txt").write_text("removed by the next release\n")
    first = push_template(template, checkout, "first release")
    assert first and git(remote, "rev-parse", "main").strip() == first
    listed = set(git(remote, "ls-tree", "-r", "--name-only", "main").split())
    assert "old.txt" not in listed and ".github/workflows/check.yml" in listed
    assert {str(p.relative_to(template)) for p in template.rglob("*") if p.is_file()} == listed
    assert push_template(template, checkout, "again") is None
    with pytest.raises(TemplateError, match="is not a clone"):
        push_template(template, tmp_path, "nope")
