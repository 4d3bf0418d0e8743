"""course.toml: the repository's own file is valid, and every mistake gets one line naming the key."""

import datetime
import subprocess
import sys

import pytest

from grader.semester.course import CourseError, load_course
from grader.paths import REPO, known_assignments

GOOD = """\
[course]
name = "RNN"
roster = "roster.csv"
student_template = "org/template"

[late]
policy = "penalty"
penalty_per_day = 0.25

[assignments.a1_cells]
due = 2027-03-01T12:00:00+01:00
points = 20

[assignments.a2_bptt]
due = 2027-04-01T12:00:00Z
points = 30
"""


def write(tmp_path, text):
    path = tmp_path / "course.toml"
    path.write_text(text)
    return path


def test_the_repositorys_course_toml_configures_every_assignment():
    course = load_course(REPO / "course.toml")
    assert list(course.assignments) == known_assignments()
    dues = [a.due for a in course.assignments.values()]
    assert dues == sorted(dues) and all(d.tzinfo is not None for d in dues)
    assert course.roster == REPO / "roster.csv"


def test_a_good_file(tmp_path):
    course = load_course(write(tmp_path, GOOD))
    assert course.late.policy == "penalty" and course.late.penalty_per_day == 0.25
    assert course.late.grace_minutes == 0 and course.late.max_late_days == 7
    assert course.assignments["a1_cells"].due == datetime.datetime(2027, 3, 1, 11, tzinfo=datetime.timezone.utc)
    assert course.assignments["a2_bptt"].points == 30
    assert course.roster == tmp_path / "roster.csv"
    now = datetime.datetime(2027, 3, 15, tzinfo=datetime.timezone.utc)
    assert course.past_due(now) == ["a1_cells"]


@pytest.mark.parametrize("change, message", [
    (("[course]\n", "[cours]\n"), "(top level).cours: unknown key"),
    (('name = "RNN"\n', ""), "course.name: missing"),
    (('roster = "roster.csv"\n', ""), "course.roster: missing"),
    (('roster = "roster.csv"\n', "roster = 3\n"), "course.roster: must be a non-empty string"),
    (('student_template = "org/template"\n', 'student_template = "template"\n'),
     "course.student_template: must be a GitHub repository owner/name"),
    (('policy = "penalty"', 'policy = "never"'), "late.policy: must be one of last-before-due, penalty"),
    (("penalty_per_day = 0.25", "penalty_per_day = 2"), "late.penalty_per_day: must be between 0 and 1"),
    (("penalty_per_day = 0.25", "penalty_per_days = 0.25"), "late.penalty_per_days: unknown key"),
    (("due = 2027-03-01T12:00:00+01:00", "due = 2027-03-01T12:00:00"), "assignments.a1_cells.due: needs a time zone"),
    (("due = 2027-03-01T12:00:00+01:00", "due = 2027-03-01"), "assignments.a1_cells.due: must be a date-time"),
    (("due = 2027-03-01T12:00:00+01:00", 'due = "next monday"'), "assignments.a1_cells.due: not a date-time"),
    (("due = 2027-03-01T12:00:00+01:00\n", ""), "assignments.a1_cells.due: missing"),
    (("points = 20", "points = -1"), "assignments.a1_cells.points: must be at least 0"),
    (("points = 20", 'points = "20"'), "assignments.a1_cells.points: must be a number"),
    (("points = 20\n", ""), "assignments.a1_cells.points: missing"),
    (("[assignments.a2_bptt]", "[assignments.a9_nope]"), "assignments.a9_nope: unknown assignment"),
    (("points = 20", "points = 20\nweight = 2"), "assignments.a1_cells.weight: unknown key"),
    (('name = "RNN"', 'name = "RNN'), "not valid TOML"),
])
def test_every_mistake_names_its_key(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(CourseError) as caught:
        load_course(write(tmp_path, GOOD.replace(old, new, 1)))
    text = str(caught.value)
    assert text.startswith("course.toml: ") and message in text and "\n" not in text, text


def test_no_assignments(tmp_path):
    text = GOOD.split("[assignments.a1_cells]")[0]
    with pytest.raises(CourseError, match="assignments: missing"):
        load_course(write(tmp_path, text))


def test_a_section_that_is_not_a_table(tmp_path):
    text = 'late = "strict"\n' + GOOD.replace('[late]\npolicy = "penalty"\npenalty_per_day = 0.25\n', "")
    with pytest.raises(CourseError, match="late: must be a table"):
        load_course(write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(CourseError, match="no course configuration here"):
        load_course(tmp_path / "nope.toml")


def test_the_commands_print_one_line(tmp_path):
    path = write(tmp_path, GOOD.replace("points = 20", "points = -1"))
    run = subprocess.run([sys.executable, "-m", "grader", "plan", "--course", str(path)], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.strip() == "error: course.toml: assignments.a1_cells.points: must be at least 0, not -1"


def test_plan_lists_the_past_due_assignments_and_the_roster(tmp_path):
    path = write(tmp_path, GOOD.replace("2027-03-01T12:00:00+01:00", "2020-01-01T00:00:00Z"))
    (tmp_path / "roster.csv").write_text("student,submission\nada,org/a1-ada\nbo,org/a1-bo\n")
    out = tmp_path / "github_output"
    run = subprocess.run([sys.executable, "-m", "grader", "plan", "--course", str(path), "--roster",
                          "--github-output", str(out)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = out.read_text().splitlines()
    assert lines == ["assignments=a1_cells", "student_template=org/template",
                     'matrix={"include": [{"shard": "1", "students": "ada"}, {"shard": "2", "students": "bo"}]}']
