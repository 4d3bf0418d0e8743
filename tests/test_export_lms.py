"""``export --format canvas|moodle``: the exact files a small class gives, and every refusal.

The class (course.toml: a1_cells worth 10 course points, a2_bptt worth 30):
  ada  "Lovelace, Ada"  a1 15/20 on time, a2 7/10            -> 7.5 and 21 course points
  bo   "Bø Ørsted"      a1 10/20 with a 20 % late penalty,    -> 4 (10 * 0.8 / 20 * 10)
                        a2 never submitted (penalty 1)        -> 0
  cy   (no name)        a1 not graded (checkout failed),      -> empty
                        no a2 report                          -> empty
  dee  on the roster, nothing in the gradebook                -> empty, empty
"""

import csv
import io

import pytest

from grader.records.gradebook import record
from grader.records.results import not_graded_report, report_from_dict
from grader.semester.roster import RosterError, read_roster
from tests.conftest import A1_COURSE, fake_report, run_grader

# A1_COURSE with a1_cells worth 10 course points, and a2_bptt worth 30
COURSE = A1_COURSE.replace("points = 20\n", "points = 10\n") + """
[assignments.a2_bptt]
due = 2027-03-15T12:00:00Z
points = 30
"""
ROSTER = """\
student,submission,name,email,sis_user_id,sis_login_id,lms_id,section
ada,repos/ada,"Lovelace, Ada",ada@uni.example,1001,alovelace,501,S1
bo,repos/bo,Bø Ørsted,bo@uni.example,1002,borsted,502,S2
cy,repos/cy,,cy@uni.example,1003,,,
dee,repos/dee,Dee Dee,dee@uni.example,1004,,,S1
"""


def part(score, tests, lateness=None, version=None):
    """One assignment of a fake report: ``tests`` one-point tests, ``score`` of them passed."""
    out = fake_report("x", {"a": score}, tests=tests)["assignments"]["a"]
    if lateness:
        out["lateness"] = lateness
    if version:
        out["grading_version"] = version
    return out


def report(student, **parts):
    """A report of ``student`` with the given assignment parts."""
    out = fake_report(student, {})
    out["assignments"] = parts
    return report_from_dict(out)


def make_course(folder, roster=ROSTER, versions=(None, None)):
    """The small class in ``folder``: course.toml, roster.csv and the gradebook; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.toml").write_text(COURSE)
    (folder / "roster.csv").write_text(roster, encoding="utf-8")
    book = folder / "gradebook.sqlite"
    record(book, report("ada", a1_cells=part(15, 20, version=versions[0]), a2_bptt=part(7, 10)))
    record(book, report("bo", a1_cells=part(10, 20, {"status": "penalty", "penalty": 0.2, "late_days": 1.5},
                                            version=versions[1]),
                        a2_bptt=part(0, 10, {"status": "not-submitted", "penalty": 1.0})))
    record(book, not_graded_report("cy", ["a1_cells"], "the checkout failed"))
    return folder


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("lms") / "course")


def export(folder, *args, out="grades.csv"):
    """``export`` of the class in ``folder``; returns (exit status, the file's text or None, stderr)."""
    path = folder / out
    path.unlink(missing_ok=True)
    run = run_grader("export", "--csv", str(path), "--course", str(folder / "course.toml"),
                     "--gradebook", str(folder / "gradebook.sqlite"), *args)
    text = path.read_bytes().decode("utf-8") if path.exists() else None
    return run.returncode, text, run.stderr


def test_canvas_file_of_the_class(course):
    status, text, err = export(course, "--format", "canvas", out="canvas.csv")
    assert status == 0, err
    assert text.split("\r\n") == [
        "Student,ID,SIS User ID,SIS Login ID,Section,a1_cells,a2_bptt",
        "Points Possible,,,,,10,30",
        '"Lovelace, Ada",501,1001,alovelace,S1,7.5,21',
        "Bø Ørsted,502,1002,borsted,S2,4,0",
        "cy,,1003,,,,",
        "Dee Dee,,1004,,S1,,",
        "",
    ]
    # a CSV reader gets the name with its comma back whole
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[2][0] == "Lovelace, Ada" and len(rows[2]) == 7
    # every empty grade is named on stderr with its reason
    assert "cy a1_cells: left empty (the checkout failed)" in err
    assert "dee a2_bptt: left empty (the gradebook holds no report)" in err


def test_moodle_file_of_the_class_by_email_and_by_id_number(course):
    status, text, err = export(course, "--format", "moodle", out="moodle.csv")
    assert status == 0, err
    assert text.split("\r\n") == ["Email address,a1_cells,a2_bptt", "ada@uni.example,7.5,21", "bo@uni.example,4,0",
                                  "cy@uni.example,,", "dee@uni.example,,", ""]
    status, text, err = export(course, "--format", "moodle", "--lms-id-column", "sis_user_id", out="moodle.csv")
    assert status == 0, err
    assert text.splitlines()[:2] == ["ID number,a1_cells,a2_bptt", "1001,7.5,21"]


def test_the_default_csv_is_unchanged(course):
    status, text, err = export(course)
    assert status == 0, err
    assert text.splitlines()[0] == "student,status,reason,a1_cells,a2_bptt,total,max_total,course_points,official"
    assert text.splitlines()[2] == "bo,graded,,8,0,8,30,4,no"


def test_a_student_without_the_id_column_is_named_and_nothing_is_written(course, tmp_path):
    folder = make_course(tmp_path / "c", roster=ROSTER.replace("cy@uni.example,1003", "cy@uni.example,"))
    status, text, err = export(folder, "--format", "canvas")
    assert status == 2 and text is None
    assert err.strip().splitlines() == [
        "error: no sis_user_id in the roster for cy: Canvas finds students by it; fill the sis_user_id column "
        "of roster.csv, or choose another with --lms-id-column"]
    # dee has no sis_login_id: choosing that column names her
    status, text, err = export(folder, "--format", "moodle", "--lms-id-column", "sis_login_id")
    assert status == 2 and text is None and "no sis_login_id in the roster for cy, dee" in err
    # the explicit fallback: the grader's student id as the login name
    status, text, err = export(folder, "--format", "canvas", "--lms-id-column", "student")
    assert status == 0, err
    assert text.splitlines()[4] == "cy,,,cy,,,"
    status, text, err = export(folder, "--format", "moodle", "--lms-id-column", "student")
    assert status == 0 and text.splitlines()[:2] == ["Username,a1_cells,a2_bptt", "ada,7.5,21"]


def test_a_graded_student_missing_from_the_roster_is_named(tmp_path):
    folder = make_course(tmp_path / "c", roster="\n".join(ROSTER.splitlines()[:2]) + "\n")
    status, text, err = export(folder, "--format", "moodle")
    assert status == 2 and text is None
    assert "no email in the roster for bo, cy (bo, cy in the gradebook but not in the roster)" in err


@pytest.mark.parametrize("args, message", [
    (["--format", "canvas", "--lms-id-column", "email"],
     "Canvas cannot find students by 'email'; use one of lms_id, sis_user_id, sis_login_id, student"),
    (["--format", "moodle", "--late"], "--late adds columns to --format csv only"),
    (["--lms-id-column", "email"], "--lms-id-column is for --format canvas or moodle"),
])
def test_wrong_options_get_one_line(course, args, message):
    status, text, err = export(course, *args, out="refused.csv")
    assert status == 2 and text is None and err.strip().splitlines() == [f"error: {message}"]


def test_two_students_with_one_id_are_refused(tmp_path):
    folder = make_course(tmp_path / "c", roster=ROSTER.replace("bo@uni.example", "ada@uni.example"))
    status, text, err = export(folder, "--format", "moodle")
    assert status == 2 and text is None and "'ada@uni.example' (ada, bo)" in err


def test_mixed_grading_versions_are_refused_as_by_the_default_export(tmp_path):
    folder = make_course(tmp_path / "c", versions=("0123456789abcdef", "fedcba9876543210"))
    status, text, err = export(folder, "--format", "canvas")
    assert status == 1 and text is None
    assert err.startswith("error: nothing exported: a1_cells: graded by 2 grading versions")
    status, text, err = export(folder, "--format", "canvas", "--allow-mixed")
    assert status == 0 and text.splitlines()[2] == '"Lovelace, Ada",501,1001,alovelace,S1,7.5,21'
    assert "warning (--allow-mixed): a1_cells: graded by 2 grading versions" in err


def test_roster_identity_columns(tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_text("student,submission\nada,repos/ada\n")
    assert [(e.student, e.identity) for e in read_roster(plain)] == [("ada", {})]
    full = tmp_path / "full.csv"
    full.write_text(ROSTER, encoding="utf-8")
    bo = read_roster(full)[1]
    assert bo.identity == {"name": "Bø Ørsted", "email": "bo@uni.example", "sis_user_id": "1002",
                           "sis_login_id": "borsted", "lms_id": "502", "section": "S2"}
    assert read_roster(full)[2].identity == {"email": "cy@uni.example", "sis_user_id": "1003"}
    for bad, message in [("ada,repos/ada,not-an-address\n", "email 'not-an-address' is not an email address"),
                         ('ada,repos/ada,"a@b.example\nx"\n', "email must be one line")]:
        broken = tmp_path / "broken.csv"
        broken.write_text("student,submission,email\n" + bad)
        with pytest.raises(RosterError, match=message):
            read_roster(broken)
