"""Export the gradebook as CSV: one row per student, a column per assignment, and the total.

Columns: ``student``, ``status`` (graded; partly graded; not graded; no report: a roster student the
gradebook has nothing for), ``reason`` (why not; and "written answers not graded yet" naming the
assignments whose written answers wait for a hand grade), one column per assignment (with the
written answers graded by hand so far; empty when that
assignment could not be graded), ``total``, ``max_total``; with a ``course``, ``course_points`` (each
assignment's score scaled to its ``points`` in course.toml). With ``late=True`` two columns per
assignment follow: ``<a>_late`` (on-time, last-before-due, penalty, not-submitted, unknown) and
``<a>_late_days``. The last column, ``official``, is ``yes`` when every grade of the student was
given under isolation (bubblewrap).

With ``roster`` (the student ids of the course's roster), every one of them gets a row. Rows of one assignment graded by different
grading versions are not exported together (``allow_mixed`` to do it anyway): the problem names the
students to regrade. Standard library only.
"""

import csv
from pathlib import Path

from grader.errors import GraderError
from grader.records.gradebook import stored_reports, version_problems
from grader.records.version import current_versions


class ExportError(GraderError, ValueError):
    """The gradebook cannot be exported as it is; the message names what to do."""


def export_csv(gradebook, path, late=False, course=None, allow_mixed=False, roster=None):
    """Write the CSV to ``path``; return ``(number of students, problems, mixed)``: rows left out, and
    the version warnings exported anyway under ``allow_mixed``.

    ExportError (nothing written) when grading versions mix and ``allow_mixed`` is not given.
    """
    table, assignments, problems, mixed = load_gradebook(gradebook, allow_mixed)
    students = sorted(set(table) | set(roster or ()))
    header = ["student", "status", "reason"] + assignments + ["total", "max_total"]
    if course is not None:
        header.append("course_points")
    if late:
        header += [f"{a}_{suffix}" for a in assignments for suffix in ("late", "late_days")]
    header.append("official")
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for student in students:
            writer.writerow(_row(student, table.get(student, {}), assignments, course, late))
    return len(students), problems, mixed


def load_gradebook(gradebook, allow_mixed=False):
    """The gradebook's reports by student, checked for mixed grading versions.

    Returns ``(table, assignments, problems, mixed)``: ``{student: {assignment: Report}}``, the sorted
    assignments found, the rows left out, and the version warnings (only under ``allow_mixed``).
    ExportError when grading versions mix and ``allow_mixed`` is not given.
    """
    problems = []
    stored = stored_reports(gradebook, problems)
    mixed = version_problems(stored, current_versions())
    if mixed and not allow_mixed:
        raise ExportError(" ".join(mixed))
    table = {}
    for student, assignment, report in stored:
        table.setdefault(student, {})[assignment] = report
    return table, sorted({a for _, a, _ in stored}), problems, mixed


def course_points(part, points):
    """The score of one graded assignment (after the late penalty) scaled to its ``points`` in course.toml."""
    return part.score / part.max_score * points if part.max_score > 0 else 0.0


def _row(student, reports, assignments, course, late):
    parts = {a: r.assignments[a] for a, r in reports.items()}
    graded = {a: p for a, p in parts.items() if p.graded}
    if not parts:
        status, reason = "no report", "the gradebook holds no report of this student"
    elif len(graded) == len(parts):
        status, reason = "graded", ""
    else:
        status = "not graded" if not graded else "partly graded"
        reason = next(p.reason for p in parts.values() if not p.graded)
    pending = [f"{a} ({p.notebook.written_pending:g} points)" for a, p in sorted(graded.items())
               if p.notebook.written_pending]
    if pending:
        reason = "; ".join(filter(None, [reason, "written answers not graded yet: " + ", ".join(pending)]))
    row = [student, status, reason]
    row += [f"{graded[a].score:g}" if a in graded else "" for a in assignments]
    row += [f"{sum(p.score for p in graded.values()):g}", f"{sum(p.max_score for p in graded.values()):g}"]
    if course is not None:
        points = sum(course_points(p, course.assignments[a].points)
                     for a, p in graded.items() if a in course.assignments)
        row.append(f"{round(points, 2):g}")
    if late:
        for a in assignments:
            lateness = graded[a].lateness if a in graded else None
            row += [lateness.status, f"{lateness.late_days:g}"] if lateness else ["", ""]
    row.append("yes" if reports and all(r.official for r in reports.values()) else "no")
    return row
