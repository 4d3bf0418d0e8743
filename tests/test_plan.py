"""The plan of a grading run: the class split into at most 256 shards, GitHub repositories only."""

import datetime
import json

import pytest

from grader.semester.course import load_course
from tests.conftest import run_grader
from grader.semester.plan import MAX_JOBS, PlanError, plan, roster_repositories, shards

COURSE = """[course]
name = "RNN"
roster = "roster.csv"
student_template = "octo-org/template"

[assignments.a1_cells]
due = 2027-03-05T23:59:00+01:00
points = 20

[assignments.a2_bptt]
due = 2027-03-26T23:59:00+01:00
points = 25
"""
AFTER_A1 = datetime.datetime(2027, 3, 10, tzinfo=datetime.timezone.utc)


def course_with(tmp_path, rows):
    (tmp_path / "course.toml").write_text(COURSE)
    (tmp_path / "roster.csv").write_text("student,submission\n" + "".join(f"{s},{r}\n" for s, r in rows))
    return load_course(tmp_path / "course.toml")


def matrix_of(outputs):
    return json.loads(outputs["matrix"])["include"]


@pytest.mark.parametrize("count, jobs, sizes", [(300, 256, {1, 2}), (20, 20, {1}), (256, 256, {1}), (257, 256, {1, 2}),
                                                 (1000, 256, {3, 4}), (1, 1, {1})])
def test_the_class_is_split_in_order_into_balanced_shards(tmp_path, count, jobs, sizes):
    students = [f"s{i:04d}" for i in range(count)]
    course = course_with(tmp_path, [(s, f"octo-org/rnn-{s}") for s in students])
    outputs = plan(course, now=AFTER_A1, with_roster=True)
    include = matrix_of(outputs)
    assert len(include) == jobs <= MAX_JOBS
    assert [entry["shard"] for entry in include] == [str(i) for i in range(1, jobs + 1)]
    listed = [s for entry in include for s in entry["students"].split(",")]
    assert listed == students
    assert {len(entry["students"].split(",")) for entry in include} == sizes
    assert outputs["assignments"] == "a1_cells" and outputs["student_template"] == "octo-org/template"


def test_shards_of_300_are_44_pairs_then_212_singles():
    groups = shards(range(300))
    assert [len(g) for g in groups] == [2] * 44 + [1] * 212
    assert shards([]) == []


def test_every_form_of_a_github_repository_is_accepted(tmp_path):
    rows = [("s1", "octo-org/rnn-s1"), ("s2", "https://github.com/octo-org/rnn-s2.git"),
            ("s3", "git@github.com:octo-org/rnn-s3.git"), ("s4", "https://github.com/octo-org/rnn-s4/")]
    course = course_with(tmp_path, rows)
    assert roster_repositories(course.roster) == [(s, f"octo-org/rnn-{s}") for s, _ in rows]
    assert matrix_of(plan(course, ["a2_bptt"], with_roster=True)) == [
        {"shard": str(i), "students": f"s{i}"} for i in range(1, 5)]


def test_a_local_path_stops_the_plan_naming_the_roster_line(tmp_path):
    course = course_with(tmp_path, [("s1", "octo-org/rnn-s1"), ("s2", "octo-org/rnn-s2"), ("s3", "./students/s03")])
    with pytest.raises(PlanError) as info:
        plan(course, ["a1_cells"], with_roster=True)
    message = str(info.value)
    assert message.startswith(f"roster {course.roster}:4: student s3's submission './students/s03' is not a GitHub "
                              "repository; the GitHub workflow needs owner/name") and "\n" not in message


def test_nothing_due_is_an_empty_matrix_without_reading_the_roster(tmp_path):
    course = course_with(tmp_path, [("s1", "./local")])
    (tmp_path / "roster.csv").unlink()
    before = datetime.datetime(2027, 1, 1, tzinfo=datetime.timezone.utc)
    assert plan(course, now=before, with_roster=True) == {"assignments": "", "student_template": "octo-org/template",
                                                         "matrix": json.dumps({"include": []})}
    assert "matrix" not in plan(course, now=before)


def run_bare(*args):
    return run_grader(*args, bare=True, timeout=120)


def test_the_plan_command_writes_github_outputs_on_a_bare_python(tmp_path):
    course_with(tmp_path, [(f"s{i}", f"https://github.com/octo-org/rnn-s{i}") for i in range(3)])
    output = tmp_path / "github-output"
    run = run_bare("plan", "--assignment", "a1_cells,a2_bptt", "--roster", "--course", str(tmp_path / "course.toml"),
                   "--github-output", str(output))
    assert run.returncode == 0, run.stderr
    lines = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert lines["assignments"] == "a1_cells,a2_bptt" and lines["student_template"] == "octo-org/template"
    assert json.loads(lines["matrix"]) == {"include": [{"shard": str(i + 1), "students": f"s{i}"} for i in range(3)]}
    assert run.stdout == output.read_text()


def test_the_plan_command_refuses_a_local_path_with_one_line(tmp_path):
    course_with(tmp_path, [("s1", "/srv/submissions/s1")])
    run = run_bare("plan", "--assignment", "a1_cells", "--roster", "--course", str(tmp_path / "course.toml"))
    assert run.returncode == 2
    assert run.stderr.strip().startswith(f"error: roster {tmp_path / 'roster.csv'}:2: student s1's submission")
    assert len(run.stderr.strip().splitlines()) == 1
