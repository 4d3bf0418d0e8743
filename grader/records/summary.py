"""The class summary (Markdown, for a GitHub Actions job summary): a warning naming the students whose
grades are unofficial (graded without isolation), the students who could not be graded and why (and
roster students without any report), then per assignment the score distribution, the lateness
counts, the students whose written answers still wait for a hand grade, and the pass rate of every
hidden test. Grades of one assignment from different grading versions are refused (``allow_mixed``
to summarise anyway), naming the students to regrade."""

import statistics

from grader.errors import GraderError
from grader.records.gradebook import stored_reports, version_problems
from grader.records.version import current_versions

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


class MixedVersions(GraderError, ValueError):
    """Grades of one assignment from different grading versions; the message names whom to regrade."""


def class_summary(gradebook, roster=None, allow_mixed=False):
    """The Markdown summary of every assignment in the gradebook (``roster``: the student ids expected)."""
    problems = []
    stored = stored_reports(gradebook, problems)
    mixed = version_problems(stored, current_versions())
    if mixed and not allow_mixed:
        raise MixedVersions(" ".join(mixed))
    by_assignment, unofficial, not_graded = {}, set(), {}
    for student, assignment, report in stored:
        part = report.assignments[assignment]
        if not part.graded:
            not_graded.setdefault(student, []).append(f"{assignment}: {part.reason}")
            continue
        by_assignment.setdefault(assignment, []).append((student, part))
        if not report.official:
            unofficial.add(student)
    missing = sorted(set(roster or ()) - {student for student, _, _ in stored})
    if not stored and not missing:
        return "# Class summary\n\nThe gradebook is empty.\n"
    lines = ["# Class summary", ""]
    lines += [f"**Warning:** {line}" for line in mixed + problems]
    if unofficial:
        lines += [unofficial_warning(unofficial), ""]
    if not_graded or missing:
        lines += [f"## Not graded: {len(not_graded) + len(missing)} student(s)", ""]
        lines += [f"- {_cell(student)}: {_cell('; '.join(reasons))}" for student, reasons in sorted(not_graded.items())]
        lines += [f"- {_cell(student)}: no report in the gradebook" for student in missing]
        lines.append("")
    for assignment in sorted(by_assignment):
        parts = [part for _, part in by_assignment[assignment]]
        scores = [p.score for p in parts]
        maximum = max(p.max_score for p in parts)
        lines += [f"## {assignment}: {len(parts)} student(s)", "",
                  f"Mean {statistics.mean(scores):.1f}, median {statistics.median(scores):g}, "
                  f"min {min(scores):g}, max {max(scores):g} (out of {maximum:g}).", ""]
        statuses = {}
        for part in parts:
            status = part.lateness.status if part.lateness else "unknown"
            statuses[status] = statuses.get(status, 0) + 1
        lines += ["Lateness: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) + ".", ""]
        pending = sorted(student for student, part in by_assignment[assignment] if part.notebook.written_pending)
        if pending:
            lines += [f"Written answers not graded yet for {len(pending)} student(s): {_cell(', '.join(pending))} "
                      f"(`python -m grader manual prepare --assignment {assignment}`).", ""]
        counts = histogram([p.score / p.max_score if p.max_score else 0.0 for p in parts])
        lines += ["| score | students |", "|---|---|"]
        for index, count in enumerate(counts):
            low, high = 100 * index // BINS, 100 * (index + 1) // BINS
            bracket = "]" if index == BINS - 1 else ")"
            lines.append(f"| [{low}%, {high}%{bracket} | {count} {'#' * count} |")
        lines += ["", "| hidden test | points | passed by |", "|---|---|---|"]
        tests = {}
        for part in parts:
            for test in part.suite.tests:
                entry = tests.setdefault(test.name, [test.max_points, 0, 0])
                entry[1] += test.passed
                entry[2] += 1
        for name, (points, passed, total) in tests.items():
            lines.append(f"| `{_cell(name)}` | {points:g} | {passed} / {total} ({passed / total:.0%}) |")
        lines.append("")
    return "\n".join(lines)
