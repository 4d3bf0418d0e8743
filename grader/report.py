"""Reports: the JSON written for each graded submission, its Markdown summary, and its verification.

A report may come from a grading job whose student code escaped, so whoever records one (``collect``,
``grade-roster``) passes it through ``verify_report`` first: the report must be for the expected student
and the course's assignments, and every score is recomputed from the per-test results; a stored total
is never believed.
"""

import json
import math
import re
from pathlib import Path

MAX_REPORT_BYTES = 20 << 20      # a report file larger than this is refused unread
MAX_TESTS = 500                  # hidden tests, and notebook cells, per assignment
MAX_POINTS = 100.0               # of one test or cell
MAX_FEEDBACK_CHARS = 4000        # of one message; longer ones are cut
ASSIGNMENT_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
TEST_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,300}")   # one printable line
LATENESS_STATUSES = ("on-time", "last-before-due", "penalty", "unknown")
LATENESS_TEXTS = ("note", "commit", "committed_at", "due", "head", "head_committed_at")
OFFICIAL_ISOLATION = "bubblewrap"


class ReportError(ValueError):
    """A report that cannot be recorded; the message is one line naming the file or the field."""


def _points(score, max_score):
    return f"{score:g} / {max_score:g}"


def markdown_summary(report, failures=True):
    """A Markdown summary of one report, fit for a terminal or a GitHub Actions job summary."""
    lines = [f"## Grades of `{report['student']}`: {_points(report['score'], report['max_score'])}", ""]
    lines += ["| assignment | hidden suite | notebook (autograded) | total |", "|---|---|---|---|"]
    for name, part in report["assignments"].items():
        suite, notebook = part["suite"], part["notebook"]
        notebook_text = "skipped" if notebook.get("skipped") else _points(notebook["score"], notebook["max_score"])
        lines.append(f"| {name} | {_points(suite['score'], suite['max_score'])} | {notebook_text} | "
                     f"{_points(part['score'], part['max_score'])} |")
    if failures:
        for name, part in report["assignments"].items():
            failed = [t for t in part["suite"]["tests"] if not t["passed"]]
            notes = [n for n in (part.get("feedback"), part["notebook"].get("feedback")) if n]
            if not failed and not notes:
                continue
            lines += ["", f"### {name}: {len(failed)} hidden test(s) failed", ""]
            lines += [f"- {note}" for note in notes]
            for test in failed:
                first = test["feedback"].strip().splitlines()[0] if test["feedback"].strip() else "failed"
                lines.append(f"- `{test['name']}` ({test['max_points']:g} pt): {first[:300]}")
    return "\n".join(lines) + "\n"


def write_report(report, path):
    """Write the report as JSON (creating the folder)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")


def read_report(path):
    """Read a report written by ``write_report``; ReportError with the reason if it is not one.

    path: a JSON file of at most MAX_REPORT_BYTES. Returns the parsed dict, not yet verified.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_REPORT_BYTES + 1)
    except OSError as exc:
        raise ReportError(f"{path}: not a readable report ({exc.strerror or exc})") from None
    if len(data) > MAX_REPORT_BYTES:
        raise ReportError(f"{path}: not a readable report (larger than {MAX_REPORT_BYTES >> 20} MB)")
    try:
        report = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReportError(f"{path}: not a readable report ({reason[:200]})") from None
    if not isinstance(report, dict) or not {"student", "score", "max_score", "assignments"} <= set(report):
        raise ReportError(f"{path}: not a grader report (missing student/score/max_score/assignments)")
    return report


def student_of_file(path):
    """The student a report file is for: its name is ``<student>.json`` (the artifact's name)."""
    name = Path(path).name
    if not name.endswith(".json") or name == ".json":
        raise ReportError(f"{path}: a report's file name must be <student>.json")
    return name[: -len(".json")]


def check_student_id(student, where="student"):
    """ReportError unless ``student`` passes the roster's id rule (it may then be a folder name)."""
    from grader.roster import STUDENT_ID  # here: grader.roster imports this module

    if not isinstance(student, str) or not STUDENT_ID.fullmatch(student):
        raise ReportError(f"{where}: {_show(student)} is not a student id (letters, digits, '.', '_' or '-', "
                          "starting with a letter or digit)")
    return student


def check_assignment_name(name, where="assignment"):
    """ReportError unless ``name`` is a plain assignment name (lower case, digits, '_')."""
    if not isinstance(name, str) or not ASSIGNMENT_NAME.fullmatch(name):
        raise ReportError(f"{where}: {_show(name)} is not an assignment name (like a1_cells)")
    return name


def is_official(report):
    """Whether a report was graded under isolation (bubblewrap): only then is its grade official."""
    return report.get("isolation") == OFFICIAL_ISOLATION


def verify_report(report, expected_student, course_assignments, roster=None):
    """Check a report before it is recorded; return a copy whose every score is recomputed.

    report: the parsed JSON; expected_student: whom it must grade (the file's or the roster entry's
    name); course_assignments: the names it may grade; roster: the student ids allowed (None: any).
    Raises ReportError with a one-line reason. Messages are cut, tests and cells bounded in number.
    """
    report = _dict(report, "report")
    student = check_student_id(_get(report, "student", "report"))
    if student != expected_student:
        raise ReportError(f"student: the report grades {student!r} but is named for {expected_student!r}; "
                          "a report may only grade the student it is named after")
    if roster is not None and student not in roster:
        raise ReportError(f"student: {student!r} is not on the roster")
    allowed = set(course_assignments)
    assignments = _dict(_get(report, "assignments", "report"), "assignments")
    if not assignments:
        raise ReportError("assignments: the report grades no assignment")
    parts = {}
    for name, part in assignments.items():
        check_assignment_name(name, "assignments")
        if name not in allowed:
            raise ReportError(f"assignments: {name!r} is not an assignment of this course "
                              f"(course: {', '.join(sorted(allowed)) or 'none'})")
        parts[name] = _verify_part(part, f"assignments.{name}")
    out = dict(report, student=student, assignments=parts,
               score=round(sum(p["score"] for p in parts.values()), 4),
               max_score=round(sum(p["max_score"] for p in parts.values()), 4),
               graded_at=_text(report.get("graded_at", ""), "graded_at", 64))
    if "isolation" in report:
        isolation = report["isolation"]
        out["isolation"] = _text(isolation, "isolation", 100) if isinstance(isolation, str) else "none"
    if "isolation_detail" in report:
        detail = report["isolation_detail"]
        out["isolation_detail"] = _text(detail, "isolation_detail", 500) if isinstance(detail, str) else ""
    return out


def _show(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _dict(value, where):
    if not isinstance(value, dict):
        raise ReportError(f"{where}: must be an object, not {type(value).__name__}")
    return value


def _get(mapping, key, where):
    if key not in mapping:
        raise ReportError(f"{where}.{key}: missing")
    return mapping[key]


def _number(value, where, low, high):
    """A finite number in [low, high] (no bool), as a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ReportError(f"{where}: must be a number, not {_show(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number) or not low <= number <= high:
        raise ReportError(f"{where}: must be a number from {low:g} to {high:g}, not {_show(value)}")
    return number


def _text(value, where, limit=MAX_FEEDBACK_CHARS):
    """A string, cut to ``limit`` characters."""
    if not isinstance(value, str):
        raise ReportError(f"{where}: must be a string, not {type(value).__name__}")
    if len(value) <= limit:
        return value
    return value[:limit] + f"\n... [{len(value) - limit} more characters cut]"


def _name(value, where):
    if not isinstance(value, str) or not TEST_NAME.fullmatch(value):
        raise ReportError(f"{where}: {_show(value)} is not a test name (one printable line, at most 300 characters)")
    return value


def _list(value, where):
    if not isinstance(value, list):
        raise ReportError(f"{where}: must be a list, not {type(value).__name__}")
    if len(value) > MAX_TESTS:
        raise ReportError(f"{where}: {len(value)} entries, more than the {MAX_TESTS} an assignment may have")
    return value


def _verify_tests(tests, where):
    """Hidden tests: each earns all its points when it passed and none when it failed."""
    out = []
    for index, test in enumerate(_list(tests, where)):
        at = f"{where}[{index}]"
        test = _dict(test, at)
        max_points = _number(_get(test, "max_points", at), f"{at}.max_points", 0.0, MAX_POINTS)
        points = _number(_get(test, "points", at), f"{at}.points", 0.0, MAX_POINTS)
        passed = _get(test, "passed", at)
        if not isinstance(passed, bool):
            raise ReportError(f"{at}.passed: must be true or false, not {_show(passed)}")
        if points != (max_points if passed else 0.0):
            raise ReportError(f"{at}.points: {points:g} for a {'passed' if passed else 'failed'} test worth "
                              f"{max_points:g}; a hidden test earns all its points or none")
        out.append({"name": _name(_get(test, "name", at), f"{at}.name"), "points": points,
                    "max_points": max_points, "passed": passed,
                    "feedback": _text(test.get("feedback", ""), f"{at}.feedback")})
    return out


def _verify_cells(cells, where):
    """Autograded notebook cells: between 0 and the cell's maximum."""
    out = []
    for index, cell in enumerate(_list(cells, where)):
        at = f"{where}[{index}]"
        cell = _dict(cell, at)
        max_points = _number(_get(cell, "max_points", at), f"{at}.max_points", 0.0, MAX_POINTS)
        entry = {"name": _name(_get(cell, "name", at), f"{at}.name"),
                 "points": _number(_get(cell, "points", at), f"{at}.points", 0.0, max_points),
                 "max_points": max_points}
        if "feedback" in cell:
            entry["feedback"] = _text(cell["feedback"], f"{at}.feedback")
        out.append(entry)
    return out


def _verify_notebook(notebook, where):
    notebook = _dict(notebook, where)
    skipped = notebook.get("skipped", False)
    if not isinstance(skipped, bool):
        raise ReportError(f"{where}.skipped: must be true or false, not {_show(skipped)}")
    cells = _verify_cells(notebook.get("cells", []), f"{where}.cells")
    if skipped and cells:
        raise ReportError(f"{where}: a skipped notebook has no graded cells")
    out = dict(notebook, cells=cells, score=round(sum(c["points"] for c in cells), 4),
               max_score=round(sum(c["max_points"] for c in cells), 4),
               manual_max_score=_number(notebook.get("manual_max_score", 0.0), f"{where}.manual_max_score",
                                        0.0, MAX_POINTS * MAX_TESTS))
    if "feedback" in notebook:
        out["feedback"] = _text(notebook["feedback"], f"{where}.feedback")
    return out


def _verify_lateness(lateness, raw, where):
    """The lateness entry with its raw score recomputed; returns (entry, penalty)."""
    lateness = _dict(lateness, where)
    status = _get(lateness, "status", where)
    if status not in LATENESS_STATUSES:
        raise ReportError(f"{where}.status: {_show(status)} is not one of {', '.join(LATENESS_STATUSES)}")
    penalty = _number(lateness.get("penalty", 0.0), f"{where}.penalty", 0.0, 1.0)
    out = dict(lateness, penalty=penalty, raw_score=raw,
               late_days=_number(lateness.get("late_days", 0.0), f"{where}.late_days", 0.0, 36500.0))
    for key in LATENESS_TEXTS:
        if lateness.get(key) is not None:
            out[key] = _text(lateness[key], f"{where}.{key}", MAX_FEEDBACK_CHARS if key == "note" else 100)
    return out, penalty


def _verify_part(part, where):
    """One assignment: suite and notebook checked, every score recomputed, the penalty applied."""
    part = _dict(part, where)
    suite = _dict(_get(part, "suite", where), f"{where}.suite")
    tests = _verify_tests(_get(suite, "tests", f"{where}.suite"), f"{where}.suite.tests")
    suite = dict(suite, tests=tests, score=round(sum(t["points"] for t in tests), 4),
                 max_score=round(sum(t["max_points"] for t in tests), 4))
    notebook = _verify_notebook(_get(part, "notebook", where), f"{where}.notebook")
    raw = round(suite["score"] + notebook["score"], 4)
    out = dict(part, suite=suite, notebook=notebook, max_score=round(suite["max_score"] + notebook["max_score"], 4))
    penalty = 0.0
    if part.get("lateness") is not None:
        out["lateness"], penalty = _verify_lateness(part["lateness"], raw, f"{where}.lateness")
    if part.get("feedback") is not None:
        out["feedback"] = _text(part["feedback"], f"{where}.feedback")
    out["score"] = round(raw * (1.0 - penalty), 4)
    return out
