"""Report files: the JSON written for each graded student, its Markdown summary, and its verification.

The model and its serialisation are ``grader.records.results``; this module reads and writes the files. A
report may come from a grading job whose student code escaped, so whoever records one (``collect``,
``grade-roster``) passes it through ``verify_report`` first: the report must be for the expected
student and the course's assignments, and every score is recomputed from the per-test results; a
stored total is never believed.
"""

import json
from pathlib import Path

from grader.records.jsonfile import read_json
from grader.records.results import ReportError, report_from_dict

MAX_REPORT_BYTES = 20 << 20      # a report file larger than this is refused unread


def _points(score, max_score):
    return f"{score:g} / {max_score:g}"


def markdown_summary(report, failures=True):
    """A Markdown summary of one ``Report``, fit for a terminal or a GitHub Actions job summary."""
    lines = [f"## Grades of `{report.student}`: {_points(report.score, report.max_score)}", ""]
    lines += ["| assignment | hidden suite | notebook (autograded) | total |", "|---|---|---|---|"]
    for name, part in report.assignments.items():
        if not part.graded:
            lines.append(f"| {name} | not graded | | {part.reason[:200]} |")
            continue
        notebook = part.notebook
        notebook_text = "skipped" if notebook.skipped else _points(notebook.score, notebook.max_score)
        lines.append(f"| {name} | {_points(part.suite.score, part.suite.max_score)} | {notebook_text} | "
                     f"{_points(part.score, part.max_score)} |")
    if failures:
        for name, part in report.assignments.items():
            failed = [t for t in part.suite.tests if not t.passed]
            notes = [n for n in (part.feedback, part.notebook.feedback,
                                 part.lateness.note if part.lateness and part.lateness.status != "on-time" else "")
                     if n]
            if not failed and not notes:
                continue
            lines += ["", f"### {name}: {len(failed)} hidden test(s) failed", ""]
            lines += [f"- {note}" for note in notes]
            for test in failed:
                first = test.feedback.strip().splitlines()[0] if test.feedback.strip() else "failed"
                lines.append(f"- `{test.name}` ({test.max_points:g} pt): {first[:300]}")
    return "\n".join(lines) + "\n"


def write_report(report, path):
    """Write a ``Report`` as JSON (creating the folder), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(report.to_dict(), indent=2) + "\n")
    partial.replace(path)


def read_report(path):
    """Read a report file's JSON; ReportError with the reason if it is not one.

    path: a JSON file of at most MAX_REPORT_BYTES. Returns the parsed dict, not yet verified.
    """
    report = read_json(path, MAX_REPORT_BYTES, ReportError, "report")
    if not isinstance(report, dict) or not {"student", "assignments"} <= set(report):
        raise ReportError(f"{path}: not a grader report (missing student/assignments)")
    return report


def load_report(path, expected_student=None, course_assignments=None, roster=None):
    """Read and verify a report file; the ``Report``, or ReportError naming the file."""
    try:
        return verify_report(read_report(path), expected_student, course_assignments, roster)
    except ReportError as exc:
        text = str(exc)
        raise ReportError(text if text.startswith(str(path)) else f"{path}: {text}") from None


def student_of_file(path):
    """The student a report file is for: its name is ``<student>.json`` (the artifact's name)."""
    name = Path(path).name
    if not name.endswith(".json") or name == ".json":
        raise ReportError(f"{path}: a report's file name must be <student>.json")
    return name[: -len(".json")]


def is_official(report):
    """Whether a report was graded under isolation (bubblewrap): only then is its grade official."""
    return report.official


def verify_report(report, expected_student, course_assignments, roster=None):
    """Check a report's JSON before it is recorded; return the ``Report``, every score recomputed.

    report: the parsed JSON; expected_student: whom it must grade (the file's or the roster entry's
    name); course_assignments: the names it may grade; roster: the student ids allowed (None: any).
    Raises ReportError with a one-line reason. Messages are cut, tests and cells bounded in number.
    """
    return report_from_dict(report, expected_student, course_assignments, roster)
