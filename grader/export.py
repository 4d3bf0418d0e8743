"""Export the gradebook as CSV: one row per student, a column per assignment, and the total."""

import csv
from pathlib import Path

from grader.gradebook import rows


def export_csv(gradebook, path):
    """Write the CSV; return the number of students."""
    table, assignments = {}, []
    for student, assignment, score, max_score in rows(gradebook):
        table.setdefault(student, {})[assignment] = (score, max_score)
        if assignment not in assignments:
            assignments.append(assignment)
    assignments.sort()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student"] + assignments + ["total", "max_total"])
        for student in sorted(table):
            scores = [table[student].get(a, (0.0, 0.0)) for a in assignments]
            writer.writerow([student] + [f"{s:g}" for s, _ in scores]
                            + [f"{sum(s for s, _ in scores):g}", f"{sum(m for _, m in scores):g}"])
    return len(table)
