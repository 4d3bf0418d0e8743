"""Collect verifies every report, and nothing that comes from a report is trusted.

Each attack measured on the old collect is a forged report here, run through the real commands
(``grader.cli.main`` in this process, and once ``python -m grader`` the way grade.yml runs it):
a report for another student, an inflated score, and names that lead out of the output folders.
Each test checks that the attack fails and that every good report is still recorded and exported.
"""

import contextlib
import copy
import csv
import io
import json
import math
import subprocess
import sys

import pytest

from grader.records import report as report_module
from grader.cli import main
from grader.records.gradebook import connect, rows
from grader.paths import REPO
from grader.records.report import ReportError, verify_report

A1, A2 = "a1_cells", "a2_bptt"
COURSE = str(REPO / "course.toml")
SUITE_TESTS, TEST_POINTS = 23, 2.0          # 46 points of hidden tests, as in a1_cells
CELLS = [("a1_cells:check_rnn_shapes", 2.0), ("a1_cells:check_lstm", 2.0)]


def genuine(student, passed=20, assignment=A1, isolation="bubblewrap", penalty=0.0):
    """A report with the shape grade.py and grade-roster write: its totals agree with its tests."""
    tests = [{"name": f"test_cells.py::test_case[{i}]", "points": TEST_POINTS if i < passed else 0.0,
              "max_points": TEST_POINTS, "passed": i < passed, "feedback": "" if i < passed else "dh is wrong"}
             for i in range(SUITE_TESTS)]
    cells = [{"name": name, "points": points, "max_points": points} for name, points in CELLS]
    raw = TEST_POINTS * passed + sum(points for _, points in CELLS)
    part = {"score": round(raw * (1 - penalty), 4), "max_score": 50.0, "submission_hash": "0" * 64,
            "suite": {"score": TEST_POINTS * passed, "max_score": 46.0, "tests": tests},
            "notebook": {"score": 4.0, "max_score": 4.0, "manual_max_score": 2.0, "cells": cells, "feedback": ""},
            "lateness": {"status": "penalty" if penalty else "on-time", "penalty": penalty, "late_days": 0.0,
                         "commit": "a" * 40, "committed_at": "2027-03-05T20:00:00Z", "note": "Submitted on time.",
                         "raw_score": raw}}
    out = {"student": student, "score": part["score"], "max_score": 50.0, "graded_at": "2027-03-06T08:00:00+00:00",
           "grader_version": "0123abc", "secret_seed": 1, "assignments": {assignment: part}}
    if isolation is not None:
        out["isolation"] = isolation
        out["isolation_detail"] = "bubblewrap (run as root; each worker a fresh unprivileged uid)"
    return out


def forge_row(book, report):
    """Write a report dict straight into the gradebook, as a hand-edited or pre-verification gradebook would."""
    connection = connect(book)
    try:
        for assignment, part in report["assignments"].items():
            connection.execute("INSERT OR REPLACE INTO grades VALUES (?, ?, ?, ?, ?, ?)",
                               (report["student"], assignment, part["score"], part["max_score"], "", json.dumps(
                                   dict(report, assignments={assignment: part}))))
    finally:
        connection.close()


def write(folder, name, report):
    """Write ``report`` (a dict, or raw text) as ``folder/name``; return the path as a string."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(report if isinstance(report, str) else json.dumps(report))
    return str(path)


def grader(*args):
    """Run ``python -m grader ARGS`` in this process; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([str(a) for a in args])
    return status, out.getvalue(), err.getvalue()


def collect(book, *files, course=COURSE):
    return grader("collect", *files, "--gradebook", book, *(["--course", course] if course else []))


def export(book, path):
    status, _, err = grader("export", "--csv", path, "--late", "--course", COURSE, "--gradebook", book)
    return status, {row["student"]: row for row in csv.DictReader(open(path))}, err


def rejected_lines(err):
    return [line for line in err.splitlines() if line.startswith("rejected ")]


def files_under(folder):
    return {p for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def good(tmp_path):
    """Three good reports in reports/ (ada 44, bo 24, cy 50 out of 50)."""
    folder = tmp_path / "reports"
    return [write(folder, f"{s}.json", genuine(s, n)) for s, n in (("ada", 20), ("bo", 10), ("cy", 23))]


# --- a report for another student ----------------------------------------------------------------

def test_a_forged_report_cannot_overwrite_another_students_grade(tmp_path, good):
    book = tmp_path / "g.sqlite"
    assert collect(book, *good)[0] == 0
    before = rows(book)
    forged = write(tmp_path / "reports", "mallory.json", genuine("ada", passed=23))
    status, out, err = collect(book, forged, good[1])
    assert status == 1
    assert len(rejected_lines(err)) == 1 and "mallory.json" in err and "'ada'" in err
    assert rows(book) == before, "ada's grade must be the one from her own report"
    assert "recorded bo: 24 / 50" in out


def test_a_second_report_for_the_same_student_in_one_run_is_rejected(tmp_path, good):
    book = tmp_path / "g.sqlite"
    second = write(tmp_path / "elsewhere", "ada.json", genuine("ada", passed=23))
    status, out, err = collect(book, *good, second)
    assert status == 1 and len(rejected_lines(err)) == 1 and "already collected" in err
    assert ("ada", A1, 44.0, 50.0) in rows(book) and len(rows(book)) == 3


def test_with_a_roster_only_its_students_are_accepted(tmp_path, good):
    roster = tmp_path / "roster.csv"
    roster.write_text("student,submission\nada,org/ada\ncy,org/cy\n")
    book = tmp_path / "g.sqlite"
    status, out, err = grader("collect", *good, "--gradebook", book, "--course", COURSE, "--roster", roster)
    assert status == 1 and len(rejected_lines(err)) == 1 and "'bo' is not on the roster" in err
    assert [r[0] for r in rows(book)] == ["ada", "cy"]


# --- an inflated score ---------------------------------------------------------------------------

def test_an_inflated_total_is_recomputed_from_the_tests(tmp_path, good):
    forged = genuine("eve", passed=5)
    forged["score"] = forged["assignments"][A1]["score"] = forged["assignments"][A1]["suite"]["score"] = 1e6
    forged["assignments"][A1]["lateness"]["raw_score"] = 1e6
    book = tmp_path / "g.sqlite"
    status, out, err = collect(book, *good, write(tmp_path / "reports", "eve.json", forged))
    assert status == 0, err
    assert "recorded eve: 14 / 50 (the report claimed 1000000.0; recomputed from its tests)" in out
    assert ("eve", A1, 14.0, 50.0) in rows(book)
    status, table, _ = export(book, tmp_path / "grades.csv")
    assert status == 0 and sorted(table) == ["ada", "bo", "cy", "eve"]
    assert float(table["eve"][A1]) == 14 and float(table["eve"]["course_points"]) == pytest.approx(5.6)
    assert all(float(row["course_points"]) <= 20 and float(row[A1]) <= 50 for row in table.values())


def _points(report, value):
    report["assignments"][A1]["suite"]["tests"][0]["points"] = value


def _max_and_points(report, value):
    report["assignments"][A1]["suite"]["tests"][0].update(points=value, max_points=value, passed=True)


def _failed_with_points(report, _):
    report["assignments"][A1]["suite"]["tests"][-1]["points"] = TEST_POINTS


def _cell_above_max(report, _):
    report["assignments"][A1]["notebook"]["cells"][0]["points"] = 3.0


def _negative_penalty(report, _):
    report["assignments"][A1]["lateness"]["penalty"] = -20000.0


def _too_many_tests(report, _):
    tests = report["assignments"][A1]["suite"]["tests"]
    tests += [dict(tests[0], name=f"extra_{i}") for i in range(501)]


@pytest.mark.parametrize("forge, value, reason", [
    (_points, 1e6, "tests[0].points: must be a number from 0 to 100"),
    (_points, math.inf, "tests[0].points: must be a number"),
    (_points, "2", "tests[0].points: must be a number, not '2'"),
    (_points, True, "tests[0].points: must be a number, not True"),
    (_points, 10 ** 400, "tests[0].points: must be a number"),
    (_max_and_points, 1e6, "tests[0].max_points: must be a number from 0 to 100"),
    (_failed_with_points, None, "for a failed test worth 2; a hidden test earns all its points or none"),
    (_cell_above_max, None, "cells[0].points: must be a number from 0 to 2"),
    (_negative_penalty, None, "lateness.penalty: must be a number from 0 to 1"),
    (_too_many_tests, None, "more than the 500 an assignment may have"),
])
def test_forged_points_are_rejected(tmp_path, good, forge, value, reason):
    forged = genuine("eve", passed=5)
    forge(forged, value)
    forged["score"] = forged["assignments"][A1]["score"] = 1e6
    book = tmp_path / "g.sqlite"
    status, out, err = collect(book, *good, write(tmp_path / "reports", "eve.json", forged))
    assert status == 1
    assert rejected_lines(err) == [line for line in err.splitlines() if "eve.json" in line]
    assert len(rejected_lines(err)) == 1 and reason in err, err
    assert sorted(r[0] for r in rows(book)) == ["ada", "bo", "cy"]
    assert all(score <= maximum for _, _, score, maximum in rows(book))


def test_the_late_penalty_is_applied_to_the_recomputed_score(tmp_path):
    forged = genuine("ada", passed=23, penalty=0.2)
    forged["assignments"][A1]["score"] = forged["score"] = 50.0      # claims no penalty was taken
    checked = verify_report(forged, "ada", [A1])
    part = checked.assignments[A1]
    assert part.score == 40.0 and part.raw_score == 50.0 and checked.score == 40.0
    assert checked.to_dict()["assignments"][A1]["lateness"]["raw_score"] == 50.0
    forged["assignments"][A1]["lateness"]["penalty"] = 1.5
    with pytest.raises(ReportError, match="lateness.penalty: must be a number from 0 to 1"):
        verify_report(forged, "ada", [A1])


def test_messages_are_cut_and_names_checked():
    report = genuine("ada", passed=0)
    report["assignments"][A1]["suite"]["tests"][0]["feedback"] = "x" * 100_000
    report["assignments"][A1]["feedback"] = "y" * 100_000
    part = verify_report(report, "ada", [A1]).assignments[A1]
    assert len(part.suite.tests[0].feedback) < 4100 and len(part.feedback) < 4100
    report["assignments"][A1]["suite"]["tests"][1]["name"] = "test_x\n<script>alert(1)</script>"
    with pytest.raises(ReportError, match=r"tests\[1\].name: .* is not a test name"):
        verify_report(report, "ada", [A1])


# --- names that lead out of the output folders ---------------------------------------------------

@pytest.mark.parametrize("student, assignment, reason", [
    ("../grades.csv", "/home/runner/pwned/page", "is not a student id"),
    ("eve", "/home/runner/pwned/page", "is not an assignment name"),
    ("eve", "../../pwned", "is not an assignment name"),
    ("eve", "a1_cells\n", "is not an assignment name"),
    ("eve", "a9_nope", "'a9_nope' is not an assignment of this course"),
    ("s1\n", A1, "is not a student id"),
])
def test_names_that_are_not_plain_are_rejected(tmp_path, good, student, assignment, reason):
    forged = genuine(student, assignment=assignment)
    book = tmp_path / "build" / "g.sqlite"
    status, _, err = collect(book, *good, write(tmp_path / "reports", "eve.json", forged))
    assert status == 1 and len(rejected_lines(err)) == 1 and reason in err, err
    assert sorted(r[0] for r in rows(book)) == ["ada", "bo", "cy"]


def test_the_path_attack_writes_nothing_outside_and_every_good_student_gets_grades_and_pages(tmp_path, good):
    pwned = tmp_path / "pwned"
    forged = genuine("../grades.csv", assignment=str(pwned / "page"))
    book, build = tmp_path / "build" / "g.sqlite", tmp_path / "build"
    forged_file = write(tmp_path / "reports", "pwn.json", forged)
    before = files_under(tmp_path)
    assert collect(book, *good, forged_file)[0] == 1
    status, table, _ = export(book, build / "grades.csv")
    assert status == 0 and sorted(table) == ["ada", "bo", "cy"]
    assert grader("feedback", "--out", build / "feedback", "--gradebook", book)[0] == 0
    new = files_under(tmp_path) - before
    assert all(p.is_relative_to(build) for p in new), sorted(new)
    assert not pwned.exists()
    assert {p.relative_to(build / "feedback").as_posix() for p in files_under(build / "feedback")} == {
        f"{s}/{A1}.html" for s in ("ada", "bo", "cy")}


def test_feedback_refuses_pages_outside_its_folder_even_from_a_forged_gradebook(tmp_path, good):
    """A gradebook written before collect verified reports (or edited by hand) is not trusted either."""
    book, build = tmp_path / "build" / "g.sqlite", tmp_path / "build"
    assert collect(book, *good)[0] == 0
    pwned = tmp_path / "pwned"
    forge_row(book, genuine("../grades.csv", assignment=str(pwned / "page")))
    forge_row(book, genuine("eve", assignment="../../escaped"))
    assert export(book, build / "grades.csv")[0] == 1
    csv_before = (build / "grades.csv").read_text()
    before = files_under(tmp_path)
    status, out, err = grader("feedback", "--out", build / "feedback", "--gradebook", book)
    assert status == 1
    assert len(err.strip().splitlines()) == 2 and "'../grades.csv'" in err and "'eve'" in err
    assert "wrote 3 feedback page(s)" in out
    new = files_under(tmp_path) - before
    pages = {p.relative_to(build / "feedback").as_posix() for p in new}
    assert pages == {f"{s}/{A1}.html" for s in ("ada", "bo", "cy")}
    assert not pwned.exists() and not (tmp_path / "escaped.html").exists()
    assert (build / "grades.csv").read_text() == csv_before
    status, table, err = export(book, build / "grades.csv")
    assert status == 1 and sorted(table) == ["ada", "bo", "cy"] and "../grades.csv" in err


def test_a_link_in_the_feedback_folder_is_not_followed(tmp_path, good):
    book, out, outside = tmp_path / "g.sqlite", tmp_path / "feedback", tmp_path / "outside"
    assert collect(book, *good)[0] == 0
    out.mkdir()
    outside.mkdir()
    (out / "bo").symlink_to(outside)
    status, _, err = grader("feedback", "--out", out, "--gradebook", book)
    assert status == 1 and len(err.strip().splitlines()) == 1 and "'bo'" in err
    assert not any(outside.iterdir())
    assert (out / "ada" / f"{A1}.html").is_file() and (out / "cy" / f"{A1}.html").is_file()


# --- files that are not reports ------------------------------------------------------------------

def test_every_bad_file_is_rejected_with_one_line_and_the_good_ones_are_recorded(tmp_path, good):
    folder = tmp_path / "reports"
    too_big = json.dumps(genuine("big")) + " " * (report_module.MAX_REPORT_BYTES + 1)
    empty = genuine("empty")
    empty["assignments"] = {}
    missing = genuine("nosuite")
    del missing["assignments"][A1]["suite"]
    bad = [write(folder, "broken.json", "{not json"), write(folder, "big.json", too_big),
           write(folder, "bare.json", json.dumps({"student": "bare"})), write(folder, "empty.json", empty),
           write(folder, "nosuite.json", missing), write(folder, "ada.txt", genuine("ada")),
           write(folder, "list.json", "[1, 2]"), str(folder / "absent.json")]
    book = tmp_path / "g.sqlite"
    status, out, err = collect(book, bad[0], *good, *bad[1:])
    assert status == 1
    lines = rejected_lines(err)
    assert len(lines) == len(bad) and all(name in line for name, line in zip(
        ["broken", "big", "bare", "empty", "nosuite", "ada.txt", "list", "absent"], lines)), lines
    for reason in ["not a readable report", "larger than 20 MB", "missing student/assignments",
                   "grades no assignment", "assignments.a1_cells.suite: missing", "must be <student>.json"]:
        assert reason in err, reason
    assert sorted(r[0] for r in rows(book)) == ["ada", "bo", "cy"]
    assert out.count("recorded ") == 3


def test_without_a_course_file_the_repositorys_assignments_are_allowed(tmp_path, good, monkeypatch):
    monkeypatch.chdir(tmp_path)
    other = write(tmp_path / "reports", "eve.json", genuine("eve", assignment="zz_unknown"))
    status, _, err = collect(tmp_path / "g.sqlite", *good, other, course=None)
    assert status == 1 and "'zz_unknown' is not an assignment of this course" in err and A1 in err


# --- isolation: official and unofficial grades ---------------------------------------------------

def test_grades_without_isolation_are_recorded_but_marked_unofficial(tmp_path):
    folder, book = tmp_path / "reports", tmp_path / "g.sqlite"
    mixed = genuine("dee")
    mixed["assignments"][A2] = copy.deepcopy(mixed["assignments"][A1])
    files = [write(folder, "ada.json", genuine("ada")), write(folder, "bo.json", genuine("bo", isolation=None)),
             write(folder, "cy.json", genuine("cy", isolation="none")), write(folder, "dee.json", mixed)]
    status, out, err = collect(book, *files)
    assert status == 0, err
    assert out.count("unofficial") == 2 and "recorded bo: 44 / 50 (unofficial" in out
    assert "recorded cy: 44 / 50 (unofficial" in out and "recorded ada: 44 / 50\n" in out
    # dee's a2 was re-graded later without isolation: one unofficial assignment makes the student unofficial
    assert collect(book, write(tmp_path / "later", "dee.json", genuine("dee", assignment=A2, isolation="none")))[0] == 0
    status, table, _ = export(book, tmp_path / "grades.csv")
    assert status == 0
    assert {s: row["official"] for s, row in table.items()} == {"ada": "yes", "bo": "no", "cy": "no", "dee": "no"}
    status, summary, _ = grader("summary", "--gradebook", book)
    warnings = [line for line in summary.splitlines() if "unofficial" in line]
    assert status == 0 and len(warnings) == 1 and "3 student(s)" in warnings[0] and "bo, cy, dee" in warnings[0]
    stored = json.loads(__import__("sqlite3").connect(book).execute(
        "SELECT report FROM grades WHERE student = 'cy'").fetchone()[0])
    assert stored["isolation"] == "none" and stored["isolation_detail"]


def test_an_all_official_class_gets_no_warning(tmp_path, good):
    book = tmp_path / "g.sqlite"
    assert collect(book, *good)[0] == 0
    status, summary, _ = grader("summary", "--gradebook", book)
    assert status == 0 and "## a1_cells: 3 student(s)" in summary and "unofficial" not in summary


# --- the way grade.yml runs it -------------------------------------------------------------------

def test_every_attack_at_once_through_python_m_grader(tmp_path):
    """One collect over good and forged reports in one folder, from the repository root, then export,
    feedback and summary: the good students are all graded and have pages, nothing lands outside."""
    reports, build = tmp_path / "reports", tmp_path / "build"
    for student, passed in (("ada", 20), ("bo", 10), ("cy", 23)):
        write(reports, f"{student}.json", genuine(student, passed))
    inflated = genuine("eve", passed=1)
    inflated["assignments"][A1]["suite"]["tests"][0].update(points=1e6, max_points=1e6)
    inflated["score"] = inflated["assignments"][A1]["score"] = 1e6
    write(reports, "eve.json", inflated)
    write(reports, "mallory.json", genuine("ada", passed=23))
    write(reports, "pwn.json", genuine("../grades.csv", assignment="/home/runner/pwned/page"))
    book = build / "gradebook.sqlite"

    def run(*args):
        return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=REPO, capture_output=True,
                              text=True, timeout=300)

    before = files_under(tmp_path)
    collected = run("collect", *sorted(reports.glob("*.json")), "--gradebook", book)
    assert collected.returncode == 1
    assert len(rejected_lines(collected.stderr)) == 3, collected.stderr
    assert all(name in collected.stderr for name in ("eve.json", "mallory.json", "pwn.json"))
    assert run("export", "--csv", build / "grades.csv", "--late", "--course", "course.toml",
               "--gradebook", book).returncode == 0
    assert run("feedback", "--out", build / "feedback", "--gradebook", book).returncode == 0
    summary = run("summary", "--gradebook", book)
    assert summary.returncode == 0 and "## a1_cells: 3 student(s)" in summary.stdout
    table = {row["student"]: row for row in csv.DictReader((build / "grades.csv").open())}
    assert {s: float(row[A1]) for s, row in table.items()} == {"ada": 44.0, "bo": 24.0, "cy": 50.0}
    assert all(row["official"] == "yes" for row in table.values())
    assert all(p.is_relative_to(build) for p in files_under(tmp_path) - before)
    assert {p.parent.name for p in (build / "feedback").rglob("*.html")} == {"ada", "bo", "cy"}
