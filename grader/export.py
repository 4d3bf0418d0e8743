"""Export the gradebook as CSV: one row per student, a column per assignment, and the total.

With ``late=True`` two columns per assignment follow: ``<a>_late`` (the lateness status of the
graded commit: on-time, last-before-due, penalty, unknown; empty when the report has none) and
``<a>_late_days`` (days between the due date and the student's newest commit, 0 when on time).
With a ``course`` the column ``course_points`` adds each assignment's score scaled to its
``points`` in course.toml. The last column, ``official``, is ``yes`` when every assignment of the
student was graded under isolation (bubblewrap) and ``no`` otherwise.

Only what ``collect`` stored is read; a row whose student or assignment name breaks the naming rules
(an old or edited gradebook) is left out and reported.
"""

import csv
from pathlib import Path

from grader.gradebook import stored_reports
from grader.report import ReportError, check_assignment_name, check_student_id, is_official


def lateness_rows(gradebook):
    """``{(student, assignment): lateness dict}`` from the reports stored in the gradebook."""
    out = {}
    for student, assignment, report in stored_reports(gradebook):
        part = report.get("assignments", {}).get(assignment, {})
        if part.get("lateness"):
            out[(student, assignment)] = part["lateness"]
    return out


def gradebook_table(gradebook):
    """``({student: {assignment: (score, max_score, official)}}, problems)`` from the stored reports."""
    table, problems = {}, []
    for student, assignment, report in stored_reports(gradebook):
        try:
            check_student_id(student)
            check_assignment_name(assignment)
            part = report["assignments"][assignment]
            entry = (float(part["score"]), float(part["max_score"]), is_official(report))
        except (ReportError, KeyError, TypeError, ValueError) as exc:
            problems.append(f"left out {student!r} {assignment!r}: {exc}")
            continue
        table.setdefault(student, {})[assignment] = entry
    return table, problems


def export_csv(gradebook, path, late=False, course=None):
    """Write the CSV to ``path``; return ``(number of students, problems)`` (rows left out)."""
    table, problems = gradebook_table(gradebook)
    assignments = sorted({a for grades in table.values() for a in grades})
    lateness = lateness_rows(gradebook) if late else {}
    header = ["student"] + assignments + ["total", "max_total"]
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
        for student in sorted(table):
            scores = [table[student].get(a, (0.0, 0.0, True))[:2] for a in assignments]
            row = ([student] + [f"{s:g}" for s, _ in scores]
                   + [f"{sum(s for s, _ in scores):g}", f"{sum(m for _, m in scores):g}"])
            if course is not None:
                points = sum(s / m * course.assignments[a].points
                             for a, (s, m) in zip(assignments, scores) if m > 0 and a in course.assignments)
                row.append(f"{round(points, 2):g}")
            if late:
                for a in assignments:
                    info = lateness.get((student, a))
                    row += [info["status"], f"{info.get('late_days', 0.0):g}"] if info else ["", ""]
            row.append("yes" if all(official for _, _, official in table[student].values()) else "no")
            writer.writerow(row)
    return len(table), problems
