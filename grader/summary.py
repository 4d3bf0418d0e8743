"""The class summary (Markdown, for a GitHub Actions job summary): per assignment the score
distribution, the lateness counts and the pass rate of every hidden test."""

import statistics

from grader.feedback import stored_reports

BINS = 5


def histogram(fractions, bins=BINS):
    """Counts of ``fractions`` (0..1) in ``bins`` equal bins; 1.0 falls in the last one."""
    counts = [0] * bins
    for value in fractions:
        counts[min(bins - 1, max(0, int(value * bins + 1e-9)))] += 1
    return counts


def class_summary(gradebook):
    """The Markdown summary of every assignment in the gradebook."""
    by_assignment = {}
    for student, assignment, report in stored_reports(gradebook):
        by_assignment.setdefault(assignment, []).append((student, report["assignments"][assignment]))
    if not by_assignment:
        return "# Class summary\n\nThe gradebook is empty.\n"
    lines = ["# Class summary", ""]
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
            lines.append(f"| `{name}` | {points:g} | {passed} / {total} ({passed / total:.0%}) |")
        lines.append("")
    return "\n".join(lines)
