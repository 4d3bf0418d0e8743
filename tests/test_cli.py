"""The command line: clear one-line errors, and the gradebook/export round trip."""

import csv
import json

import pytest

from grader.records.gradebook import record, rows
from grader.records.results import report_from_dict
from tests.conftest import fake_report, run_grader


@pytest.mark.parametrize("args, message", [
    (["grade", "no/such/dir", "--student", "s", "--report", "r.json"], "no such submission directory"),
    (["grade", "solutions", "--student", "s", "--report", "r.json", "--assignment", "a9_nope"], "unknown assignment"),
    (["grade", "grader", "--student", "s", "--report", "r.json"], "holds no assignment folder"),
])
def test_grade_refuses_bad_input_with_one_line(args, message, tmp_path):
    args = [a if a != "r.json" else str(tmp_path / "r.json") for a in args]
    run = run_grader(*args)
    assert run.returncode == 2
    assert message in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r.json").exists()


def half_points(student, score, assignment="a1_cells"):
    """A report of twenty half-point tests, ``score * 2`` of them passed (collect recomputes from the tests)."""
    return fake_report(student, {assignment: score}, tests=20, points=0.5)


def test_regrading_replaces_the_students_entry(tmp_path):
    book = tmp_path / "g.sqlite"
    record(book, report_from_dict(half_points("ada", 3.0)))
    record(book, report_from_dict(half_points("ada", 7.0)))
    record(book, report_from_dict(half_points("ada", 5.0, "a2_bptt")))
    assert rows(book) == [("ada", "a1_cells", 7.0, 10.0), ("ada", "a2_bptt", 5.0, 10.0)]


def test_collect_then_export(tmp_path):
    paths = []
    for student, score in [("bo", 4.0), ("al", 9.5)]:
        path = tmp_path / f"{student}.json"
        path.write_text(json.dumps(half_points(student, score)))
        paths.append(str(path))
    book, out = str(tmp_path / "g.sqlite"), tmp_path / "grades.csv"
    assert run_grader("collect", *paths, "--gradebook", book).returncode == 0
    assert run_grader("export", "--csv", str(out), "--gradebook", book).returncode == 0
    table = list(csv.DictReader(out.open()))
    assert [(r["student"], r["a1_cells"], r["total"]) for r in table] == [("al", "9.5", "9.5"), ("bo", "4", "4")]


def test_collect_refuses_a_file_that_is_not_a_report(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    run = run_grader("collect", str(bad), "--gradebook", str(tmp_path / "g.sqlite"))
    assert run.returncode == 1 and "not a readable report" in run.stderr


def test_every_list_option_takes_commas_and_repeats():
    from grader.cli import parser

    args = parser().parse_args(["grade", "sub", "--student", "s", "--report", "r.json",
                                "--assignment", "a1_cells,a2_bptt", "--assignment", "a3_airline"])
    assert args.assignment == ["a1_cells", "a2_bptt", "a3_airline"]
    args = parser().parse_args(["grade-roster", "--only", "ada,bo", "--only", "cy", "--assignment", "all"])
    assert (args.only, args.assignment) == (["ada", "bo", "cy"], ["all"])
    args = parser().parse_args(["feedback", "--out", "f", "--student", "ada,bo", "--assignment", ""])
    assert (args.student, args.assignment) == (["ada", "bo"], [])


@pytest.mark.parametrize("args, message", [
    (["plan", "--course", "/no/such/course.toml"], "/no/such/course.toml: no course configuration here"),
    (["grade", "/no/such/folder", "--student", "s", "--report", "/tmp/r.json", "--no-gradebook"],
     "no such submission directory: /no/such/folder"),
    (["grade", "solutions", "--student", "s", "--report", "/tmp/r.json", "--no-gradebook", "--assignment", "a9"],
     "unknown assignment 'a9'"),
    (["not-graded", "--students", "../x", "--assignment", "a1_cells", "--reason", "r", "--out", "/tmp/ng"],
     "is not a student id"),
    (["summary", "--course", "/no/such/course.toml"], "no course configuration here"),
])
def test_a_users_mistake_is_one_line_and_exit_2_never_a_traceback(args, message):
    run = run_grader(*args)
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.startswith("error: ") and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert message in run.stderr and "Traceback" not in run.stderr
