"""Written answers graded in a CSV sheet, for instructors without Jupyter: the sheet out, the grades back.

One row per student and written answer, in the columns of ``COLUMNS``:

    student,cell,answer,max_points,points,comment

``answer`` is the student's Markdown as submitted (a leading ``=``, ``+``, ``-``, ``@``, tab or carriage
return gets a ``'`` so that a spreadsheet shows it as text instead of running it as a formula);
``points`` and ``comment`` are the instructor's, filled in with the hand grades already in the
gradebook. ``read_sheet`` reads ``student``, ``cell``, ``points`` and ``comment`` back (the answer
and maximum columns are not read): a row without points is not graded yet; any bad row (unknown
student or cell, points that are not a number from 0 to the cell's maximum, a comment without points,
a repeated row) is a SheetError naming its row as a spreadsheet numbers it (the header is row 1), and
nothing is imported.
"""

import csv
import io
import math
from pathlib import Path

from grader.errors import GraderError
from grader.records.results import WrittenGrade

COLUMNS = ["student", "cell", "answer", "max_points", "points", "comment"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_BYTES = 64 << 20


class SheetError(GraderError, ValueError):
    """A sheet that cannot be imported (nothing was); the message names the row."""


def as_text(value):
    """``value`` as a spreadsheet shows it as text: a leading formula character gets a ``'`` before it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_sheet(path, work, cells, answers_of, graded):
    """Write the sheet of every student in ``work`` and every written cell; return the number of rows.

    work: ``GradedWork`` list; cells: ``WrittenCell`` list; answers_of: ``GradedWork`` -> ``{cell name: text}``;
    graded: ``{(student, cell name): WrittenGrade}`` already in the gradebook (their points and comments).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for one in work:
            answers = answers_of(one)
            for cell in cells:
                grade = graded.get((one.student, cell.name))
                writer.writerow([one.student, cell.name, as_text(answers[cell.name]), f"{cell.max_points:g}",
                                 f"{grade.points:g}" if grade else "", grade.comment if grade else ""])
                count += 1
    return count


def read_sheet(path, cells, students):
    """The hand grades of a filled-in sheet: ``(student, WrittenGrade, None)`` triples, or SheetError.

    cells: ``WrittenCell`` list of the assignment; students: the students it may grade (graded ones).
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SHEET_BYTES:
            raise SheetError(f"{path}: larger than {MAX_SHEET_BYTES >> 20} MiB")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SheetError(f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        return _grades(path, csv.DictReader(io.StringIO(text, newline="")), cells, students)
    except csv.Error as exc:
        raise SheetError(f"{path}: not a CSV file ({exc})") from None


def _grades(path, reader, cells, students):
    missing = [c for c in ("student", "cell", "points", "comment") if c not in (reader.fieldnames or [])]
    if missing:
        raise SheetError(f"{path}: row 1 must be the header {','.join(COLUMNS)} (missing {', '.join(missing)})")
    by_name = {cell.name: cell for cell in cells}
    grades, seen = [], {}
    for number, row in enumerate(reader, start=2):
        where = f"{path} row {number}"
        student, name = (row.get("student") or "").strip(), (row.get("cell") or "").strip()
        points, comment = (row.get("points") or "").strip(), (row.get("comment") or "").strip()
        if not student and not name and not points:
            continue
        if student not in students:
            raise SheetError(f"{where}: unknown student {student!r} (not graded in this assignment)")
        cell = by_name.get(name)
        if cell is None:
            raise SheetError(f"{where}: unknown cell {name!r} (written answers: {', '.join(by_name)})")
        if (student, name) in seen:
            raise SheetError(f"{where}: {student} {name} is graded twice (also in row {seen[student, name]})")
        seen[student, name] = number
        if not points:
            if comment:
                raise SheetError(f"{where}: {student} {name} has a comment but no points")
            continue
        try:
            value = float(points)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not 0.0 <= value <= cell.max_points:
            raise SheetError(f"{where}: {student} {name}: points must be a number from 0 to {cell.max_points:g}, "
                             f"not {points!r}")
        grades.append((student, WrittenGrade(name, value, cell.max_points, comment), None))
    return grades
