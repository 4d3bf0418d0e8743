"""Export the gradebook as CSV: one row per student, a column per assignment, and the total.

With ``late=True`` two columns per assignment follow: ``<a>_late`` (the lateness status of the
graded commit: on-time, last-before-due, penalty, unknown; empty when the report has none) and
``<a>_late_days`` (days between the due date and the student's newest commit, 0 when on time).
With a ``course`` the column ``course_points`` adds each assignment's score scaled to its
``points`` in course.toml.
"""

import csv
import json
from pathlib import Path

from grader.gradebook import connect, rows


def lateness_rows(gradebook):
    """``{(student, assignment): lateness dict}`` from the reports stored in the gradebook."""
    connection = connect(gradebook)
    try:
        stored = connection.execute("SELECT student, assignment, report FROM grades").fetchall()
    finally:
        connection.close()
    out = {}
    for student, assignment, text in stored:
        part = json.loads(text).get("assignments", {}).get(assignment, {})
        if part.get("lateness"):
            out[(student, assignment)] = part["lateness"]
    return out


def export_csv(gradebook, path, late=False, course=None):
    """Write the CSV; return the number of students."""
    table, assignments = {}, []
    for student, assignment, score, max_score in rows(gradebook):
        table.setdefault(student, {})[assignment] = (score, max_score)
        if assignment not in assignments:
            assignments.append(assignment)
    assignments.sort()
    lateness = lateness_rows(gradebook) if late else {}
    header = ["student"] + assignments + ["total", "max_total"]
    if course is not None:
        header.append("course_points")
    if late:
        header += [f"{a}_{suffix}" for a in assignments for suffix in ("late", "late_days")]
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for student in sorted(table):
            scores = [table[student].get(a, (0.0, 0.0)) for a in assignments]
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
            writer.writerow(row)
    return len(table)
