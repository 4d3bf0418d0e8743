"""The class summary (Markdown, for a GitHub Actions job summary): a warning naming the students whose
grades are unofficial (graded without isolation), then per assignment the score distribution, the
lateness counts and the pass rate of every hidden test."""

import statistics

from grader.feedback import stored_reports
from grader.report import is_official

BINS = 5


def histogram(fractions, bins=BINS):
    """Counts of ``fractions`` (0..1) in ``bins`` equal bins; 1.0 falls in the last one."""
    counts = [0] * bins
    for value in fractions:
        counts[min(bins - 1, max(0, int(value * bins + 1e-9)))] += 1
    return counts


def unofficial_warning(students):
    """The one warning line naming the students with at least one grade given without isolation."""
    names = sorted(students)
    return (f"**Warning: unofficial grades** for {len(names)} student(s), graded without isolation "
            f"(not under bubblewrap): {', '.join(names)}. Re-grade them where bubblewrap is available "
            "before publishing these grades.")


def _cell(text):
    """A test name fit for a Markdown table cell in backticks."""
    return str(text).replace("`", "'").replace("|", "\\|")


def class_summary(gradebook):
    """The Markdown summary of every assignment in the gradebook."""
    by_assignment, unofficial = {}, set()
    for student, assignment, report in stored_reports(gradebook):
        by_assignment.setdefault(assignment, []).append((student, report["assignments"][assignment]))
        if not is_official(report):
            unofficial.add(student)
    if not by_assignment:
        return "# Class summary\n\nThe gradebook is empty.\n"
    lines = ["# Class summary", ""]
    if unofficial:
        lines += [unofficial_warning(unofficial), ""]
    for assignment in sorted(by_assignment):
        parts = [part for _, part in by_assignment[assignment]]
        scores = [p["score"] for p in parts]
        maximum = max(p["max_score"] for p in parts)
        lines += [f"## {assignment}: {len(parts)} student(s)", "",
                  f"Mean {statistics.mean(scores):.1f}, median {statistics.median(scores):g}, "
                  f"min {min(scores):g}, max {max(scores):g} (out of {maximum:g}).", ""]
        statuses = {}
        for part in parts:
            status = (part.get("lateness") or {}).get("status", "unknown")
            statuses[status] = statuses.get(status, 0) + 1
        lines += ["Lateness: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) + ".", ""]
        counts = histogram([p["score"] / p["max_score"] if p["max_score"] else 0.0 for p in parts])
        lines += ["| score | students |", "|---|---|"]
        for index, count in enumerate(counts):
            low, high = 100 * index // BINS, 100 * (index + 1) // BINS
            bracket = "]" if index == BINS - 1 else ")"
            lines.append(f"| [{low}%, {high}%{bracket} | {count} {'#' * count} |")
        lines += ["", "| hidden test | points | passed by |", "|---|---|---|"]
        tests = {}
        for part in parts:
            for test in part["suite"]["tests"]:
                entry = tests.setdefault(test["name"], [test["max_points"], 0, 0])
                entry[1] += test["passed"]
                entry[2] += 1
        for name, (points, passed, total) in tests.items():
            lines.append(f"| `{_cell(name)}` | {points:g} | {passed} / {total} ({passed / total:.0%}) |")
        lines.append("")
    return "\n".join(lines)
