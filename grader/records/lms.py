"""Export the gradebook as a CSV that a learning-management system imports: Canvas or Moodle.

Both files hold, per assignment of course.toml that the gradebook has reports of (in course.toml's
order), the score the course counts: the score after the late penalty, scaled to the assignment's
``points`` in course.toml (course points, not the raw points of the hidden tests; two decimals). A
submission that was never made earns 0 (the late rule's penalty 1). A student the grader could not
grade, or has no report of, gets an empty cell: no grade, never a silent 0 (the default CSV says why).

Canvas (Grades > Import) reads the layout of Canvas's own gradebook export, as a university's Canvas
guide describes it,
https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades
(quoting and UTF-8 as in Instructure's CSV rules,
https://developerdocs.instructure.com/services/canvas/sis/file.sis_csv):
five identity columns first, ``Student`` (the name), ``ID`` (Canvas's user id), ``SIS User ID``,
``SIS Login ID`` and ``Section``, of which Canvas needs one of the ids to find the student; then one
column per assignment. The second line, ``Points Possible`` in the name column, gives each
assignment's points (Canvas uses it when the import creates the assignment).

Moodle ("Import grades: CSV file", https://docs.moodle.org/en/Grade_import): one column that Moodle maps
to a user field (the instructor picks it under "Map from" / "Map to": email address, ID number,
username or user id), then one grade column per assignment. Moodle stops the whole import at a row
whose user it cannot find, so every row must carry the identifier; it reads an empty cell as no grade.

Which roster column identifies students (``id_column``) is the instructor's choice; a student without
it is an LmsError that names the students and the column, before anything is written. ``student``
uses the grader's own student id as the login name (Canvas ``SIS Login ID``, Moodle ``Username``).
Standard library only.
"""

import csv
from pathlib import Path

from grader.errors import GraderError
from grader.records.export import course_points, load_gradebook

CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_ID_HEADERS = {"lms_id": "ID", "sis_user_id": "SIS User ID", "sis_login_id": "SIS Login ID",
                     "student": "SIS Login ID"}
MOODLE_ID_HEADERS = {"email": "Email address", "sis_user_id": "ID number", "sis_login_id": "Username",
                     "lms_id": "User ID", "student": "Username"}
ID_HEADERS = {"canvas": CANVAS_ID_HEADERS, "moodle": MOODLE_ID_HEADERS}
DEFAULT_ID_COLUMN = {"canvas": "sis_user_id", "moodle": "email"}
LMS_NAMES = {"canvas": "Canvas", "moodle": "Moodle"}


class LmsError(GraderError, ValueError):
    """An LMS export that cannot be written as asked; the message names the students and the column."""


def export_lms(gradebook, path, lms, course, identities, id_column=None, allow_mixed=False):
    """Write the Canvas or Moodle CSV of the gradebook to ``path``.

    Arguments: lms, "canvas" or "moodle"; course, the course (its assignments' ``points``);
    identities, ``{student: {roster column: value}}`` of every roster student; id_column, the roster
    column (or ``student``) the LMS finds students by (default DEFAULT_ID_COLUMN[lms]).
    Returns ``(number of students, problems, mixed, empty)``: rows or assignments left out, the version
    warnings exported anyway under ``allow_mixed``, and one line per empty grade cell with its reason.
    Raises ExportError (mixed versions) or LmsError (a student without the id column); nothing is
    written then.
    """
    id_column = id_column or DEFAULT_ID_COLUMN[lms]
    if id_column not in ID_HEADERS[lms]:
        raise LmsError(f"{LMS_NAMES[lms]} cannot find students by {id_column!r}; "
                       f"use one of {', '.join(ID_HEADERS[lms])}")
    table, found, problems, mixed = load_gradebook(gradebook, allow_mixed)
    assignments = [a for a in course.assignments if a in found]
    problems += [f"left out {a!r}: not an assignment of course.toml, so it has no points" for a in found
                 if a not in course.assignments]
    students = sorted(set(table) | set(identities))
    ids = _student_ids(students, identities, id_column, LMS_NAMES[lms])
    points = {a: course.assignments[a].points for a in assignments}
    empty, grade_rows = [], []
    for student in students:
        grade_rows.append(_grades(student, table.get(student, {}), assignments, points, empty))
    if lms == "canvas":
        header = list(CANVAS_IDENTITY) + assignments
        rows = [["Points Possible", "", "", "", ""] + [_number(points[a]) for a in assignments]]
        rows += [_canvas_identity(s, identities.get(s, {}), id_column, ids[s]) + grades
                 for s, grades in zip(students, grade_rows)]
    else:
        header = [MOODLE_ID_HEADERS[id_column]] + assignments
        rows = [[ids[s]] + grades for s, grades in zip(students, grade_rows)]
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return len(students), problems, mixed, empty


def _student_ids(students, identities, id_column, lms_name):
    """``{student: the value the LMS finds them by}``; LmsError naming every student without one, or
    a value given to two students."""
    ids = {s: s if id_column == "student" else identities.get(s, {}).get(id_column, "") for s in students}
    missing = [s for s in students if not ids[s]]
    if missing:
        unlisted = [s for s in missing if s not in identities]
        where = f" ({', '.join(unlisted)} in the gradebook but not in the roster)" if unlisted else ""
        raise LmsError(f"no {id_column} in the roster for {', '.join(missing)}{where}: {lms_name} finds students "
                       f"by it; fill the {id_column} column of roster.csv, or choose another with --lms-id-column")
    owners = {}
    for student in students:
        owners.setdefault(ids[student], []).append(student)
    shared = [f"{value!r} ({', '.join(names)})" for value, names in owners.items() if len(names) > 1]
    if shared:
        raise LmsError(f"the same {id_column} is given to several students in the roster: {'; '.join(shared)}")
    return ids


def _grades(student, reports, assignments, points, empty):
    """One student's grade cells: course points, or empty (a line appended to ``empty`` says why)."""
    cells = []
    for assignment in assignments:
        part = reports[assignment].assignments[assignment] if assignment in reports else None
        if part is not None and part.graded:
            cells.append(_number(course_points(part, points[assignment])))
            continue
        reason = part.reason if part is not None else "the gradebook holds no report"
        empty.append(f"{student} {assignment}: left empty ({reason or 'not graded'})")
        cells.append("")
    return cells


def _canvas_identity(student, identity, id_column, student_id):
    """The five identity cells of a Canvas row; the name is the student id when the roster has none."""
    cells = [identity.get("name") or student, identity.get("lms_id", ""), identity.get("sis_user_id", ""),
             identity.get("sis_login_id", ""), identity.get("section", "")]
    cells[CANVAS_IDENTITY.index(CANVAS_ID_HEADERS[id_column])] = student_id
    return cells


def _number(value):
    """A number with at most two decimals and no trailing zeros (15, 12.5, 7.33)."""
    return f"{round(value, 2):g}"
