"""The results model: what grading one student produces, typed, with every total computed.

    Report                      one student: the assignments graded in one run
      AssignmentResult          one assignment: status, suite, notebook, lateness, grading version
        SuiteResult             the hidden suite: a list of TestResult (all points or none)
        NotebookResult          the autograded notebook cells: a list of CellResult; the written answers
                                graded by hand so far: a list of WrittenGrade (from the gradebook only)
        Lateness                which submission was graded, when it came, the penalty

Scores are never stored: a suite's score is the sum of its passed tests, an assignment's raw score
is suite plus notebook plus the written answers graded by hand, its score the raw score less the late
penalty, a report's score the sum of its assignments'. An assignment's maximum counts the written
answers that have a hand grade; those still waiting for one (``written_pending``) count in neither
score nor maximum until ``manual import`` records them. ``to_dict`` writes the totals into the JSON
for human readers; ``from_dict`` never reads them back. ``from_dict`` is also the verification of a
report that comes from a grading job (``collect``): every field is checked and bounded, and the first
problem is a ``ReportError`` whose one line names the field. Hand grades never come from a report:
``from_dict`` ignores a notebook's ``written`` list; the gradebook attaches them from its own table.

Serialisation lives here and nowhere else. Standard library only: ``collect``, ``export``,
``feedback`` and ``summary`` run on a bare Python.
"""

import math
import re
from dataclasses import dataclass, field

from grader.errors import GraderError

SCHEMA_VERSION = 2
MAX_TESTS = 500                  # hidden tests, and notebook cells, per assignment
MAX_POINTS = 100.0               # of one test or cell
MAX_FEEDBACK_CHARS = 4000        # of one message; longer ones are cut
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
ASSIGNMENT_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
TEST_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,300}")   # one printable line
OFFICIAL_ISOLATION = "bubblewrap"

# Lateness of one assignment:
#   on-time          the newest submission came before the due date (plus grace)
#   last-before-due  later submissions came after the due date; the last one before it was graded
#   penalty          graded late, with the penalty (all of the score after max_late_days)
#   not-submitted    nothing was submitted (the template's own commits are not a submission): 0 points
#   unknown          a plain folder without history: graded as it is
LATENESS_STATUSES = ("on-time", "last-before-due", "penalty", "not-submitted", "unknown")
# An assignment result is "graded", or "not-graded" with the reason (no repository, checkout failed,
# grader error): then it has no tests and no maximum, and export and feedback say why.
STATUSES = ("graded", "not-graded")


class ReportError(GraderError, ValueError):
    """A report that cannot be used; the message is one line naming the file or the field."""


def _round(value):
    return round(value + 0.0, 4)


@dataclass
class TestResult:
    """One hidden test: it earns all its points when it passed and none when it failed."""

    name: str
    max_points: float
    passed: bool
    feedback: str = ""

    @property
    def points(self):
        return self.max_points if self.passed else 0.0


@dataclass
class SuiteResult:
    """The hidden suite of one assignment."""

    tests: list = field(default_factory=list)

    @property
    def score(self):
        return _round(sum(t.points for t in self.tests))

    @property
    def max_score(self):
        return _round(sum(t.max_points for t in self.tests))


@dataclass
class CellResult:
    """One autograded notebook cell: between 0 and its maximum."""

    name: str
    points: float
    max_points: float
    feedback: str = ""


@dataclass
class WrittenGrade:
    """The hand grade of one written answer (an nbgrader markdown cell, by its grade id), with the grader's comment."""

    cell: str
    points: float
    max_points: float
    comment: str = ""


@dataclass
class NotebookResult:
    """The autograded cells of an assignment's notebooks, the points its written answers carry, and their
    hand grades so far."""

    cells: list = field(default_factory=list)
    skipped: bool = False
    manual_max_score: float = 0.0
    feedback: str = ""
    written: list = field(default_factory=list)

    @property
    def score(self):
        """Points of the autograded cells."""
        return _round(sum(c.points for c in self.cells))

    @property
    def max_score(self):
        """Maximum of the autograded cells."""
        return _round(sum(c.max_points for c in self.cells))

    @property
    def written_score(self):
        """Points of the written answers graded by hand so far."""
        return _round(sum(g.points for g in self.written))

    @property
    def written_max_score(self):
        """Maximum of the written answers graded by hand so far."""
        return _round(sum(g.max_points for g in self.written))

    @property
    def written_pending(self):
        """Points the written answers carry that have no hand grade yet (0 when all are graded)."""
        return max(0.0, _round(self.manual_max_score - self.written_max_score))


@dataclass
class Lateness:
    """Which submission of an assignment was graded, when it came, and the penalty (a fraction 0..1).

    ``due`` is the course's due date, ``extension`` the student's extended one (or None);
    ``submitted_at`` the time the graded commit was submitted, from ``time_source`` ("pushes": the
    times GitHub recorded; "commit dates": written by the student's git, so forgeable).
    """

    status: str
    note: str = ""
    due: str = None
    extension: str = None
    commit: str = None
    submitted_at: str = None
    time_source: str = None
    newest: str = None
    late_days: float = 0.0
    penalty: float = 0.0


@dataclass
class AssignmentResult:
    """One assignment of one student: the raw score, the late penalty, the score."""

    suite: SuiteResult = field(default_factory=SuiteResult)
    notebook: NotebookResult = field(default_factory=lambda: NotebookResult(skipped=True))
    lateness: Lateness = None
    status: str = "graded"
    reason: str = ""
    feedback: str = ""
    submission_hash: str = ""
    grading_version: str = ""

    @property
    def raw_score(self):
        return _round(self.suite.score + self.notebook.score + self.notebook.written_score)

    @property
    def penalty(self):
        return self.lateness.penalty if self.lateness else 0.0

    @property
    def score(self):
        return _round(self.raw_score * (1.0 - self.penalty))

    @property
    def max_score(self):
        return _round(self.suite.max_score + self.notebook.max_score + self.notebook.written_max_score)

    @property
    def graded(self):
        return self.status == "graded"


@dataclass
class Report:
    """Everything one grading run found for one student."""

    student: str
    assignments: dict = field(default_factory=dict)
    graded_at: str = ""
    grader_version: str = ""
    secret_seed: int = None
    isolation: str = "none"
    isolation_detail: str = ""
    submission: dict = None
    schema_version: int = SCHEMA_VERSION

    @property
    def score(self):
        return _round(sum(a.score for a in self.assignments.values()))

    @property
    def max_score(self):
        return _round(sum(a.max_score for a in self.assignments.values()))

    @property
    def official(self):
        """Graded under isolation (bubblewrap): only then is the grade official."""
        return self.isolation == OFFICIAL_ISOLATION

    @property
    def status(self):
        """"graded", "not graded" (no assignment could be graded) or "partly graded"."""
        graded = [a.graded for a in self.assignments.values()]
        if all(graded):
            return "graded"
        return "not graded" if not any(graded) else "partly graded"

    @property
    def reason(self):
        """Why an assignment could not be graded (the first one's reason), or ""."""
        return next((a.reason for a in self.assignments.values() if not a.graded), "")

    def only(self, assignment):
        """A copy of this report holding one assignment (how the gradebook stores it)."""
        return Report(**{**self.__dict__, "assignments": {assignment: self.assignments[assignment]}})

    def to_dict(self):
        return report_to_dict(self)


def not_graded_report(student, assignments, reason, **details):
    """The report of a student none of whose ``assignments`` could be graded, saying why (one line)."""
    reason = " ".join(str(reason).split())[:MAX_FEEDBACK_CHARS] or "not graded"
    parts = {name: AssignmentResult(status="not-graded", reason=reason) for name in assignments}
    return Report(student=student, assignments=parts, **details)


# ---------------------------------------------------------------------------------------------
# Serialisation: to_dict writes, from_dict reads and verifies


def lateness_to_dict(lateness):
    return {k: v for k, v in lateness.__dict__.items() if v is not None}


def assignment_to_dict(part):
    out = {"status": part.status, "score": part.score, "max_score": part.max_score, "raw_score": part.raw_score}
    if not part.graded:
        out["reason"] = part.reason
    out["suite"] = {"score": part.suite.score, "max_score": part.suite.max_score,
                    "tests": [dict(t.__dict__, points=t.points) for t in part.suite.tests]}
    notebook = part.notebook
    out["notebook"] = {"score": notebook.score, "max_score": notebook.max_score, "skipped": notebook.skipped,
                       "manual_max_score": notebook.manual_max_score, "feedback": notebook.feedback,
                       "cells": [dict(c.__dict__) for c in notebook.cells]}
    if notebook.written:
        out["notebook"].update(written_score=notebook.written_score,
                               written=[dict(g.__dict__) for g in notebook.written])
    if part.lateness is not None:
        out["lateness"] = dict(lateness_to_dict(part.lateness), raw_score=part.raw_score)
    for key in ("feedback", "submission_hash", "grading_version"):
        if getattr(part, key):
            out[key] = getattr(part, key)
    return out


def report_to_dict(report):
    """The JSON form of a report (totals included for readers; never read back)."""
    out = {"schema_version": report.schema_version, "student": report.student, "score": report.score,
           "max_score": report.max_score, "status": report.status,
           "assignments": {name: assignment_to_dict(p) for name, p in report.assignments.items()},
           "graded_at": report.graded_at, "grader_version": report.grader_version,
           "secret_seed": report.secret_seed, "isolation": report.isolation,
           "isolation_detail": report.isolation_detail}
    if report.submission is not None:
        out["submission"] = report.submission
    return out


def report_from_dict(data, expected_student=None, course_assignments=None, roster=None):
    """Build a ``Report`` from its JSON form, checking every field; ReportError (one line) otherwise.

    expected_student: whom it must grade (the file's or the roster entry's name; None: anyone);
    course_assignments: the names it may grade (None: any well-formed name); roster: the student ids
    allowed (None: any). Messages are cut, tests and cells bounded in number, totals recomputed.
    """
    data = _dict(data, "report")
    version = data.get("schema_version", 1)
    if isinstance(version, bool) or version not in (1, SCHEMA_VERSION):
        raise ReportError(f"schema_version: {_show(version)} is not one this grader reads (1 or {SCHEMA_VERSION})")
    student = check_student_id(_get(data, "student", "report"))
    if expected_student is not None and student != expected_student:
        raise ReportError(f"student: the report grades {student!r} but is named for {expected_student!r}; "
                          "a report may only grade the student it is named after")
    if roster is not None and student not in roster:
        raise ReportError(f"student: {student!r} is not on the roster")
    assignments = _dict(_get(data, "assignments", "report"), "assignments")
    if not assignments:
        raise ReportError("assignments: the report grades no assignment")
    allowed = None if course_assignments is None else set(course_assignments)
    parts = {}
    for name, part in assignments.items():
        check_assignment_name(name, "assignments")
        if allowed is not None and name not in allowed:
            raise ReportError(f"assignments: {name!r} is not an assignment of this course "
                              f"(course: {', '.join(sorted(allowed)) or 'none'})")
        parts[name] = _assignment(part, f"assignments.{name}")
    seed = data.get("secret_seed")
    submission = data.get("submission")
    return Report(
        student=student, assignments=parts,
        graded_at=_text(data.get("graded_at", ""), "graded_at", 64),
        grader_version=_text(data.get("grader_version", ""), "grader_version", 100),
        secret_seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
        isolation=_text(data["isolation"], "isolation", 100) if isinstance(data.get("isolation"), str) else "none",
        isolation_detail=(_text(data["isolation_detail"], "isolation_detail", 500)
                          if isinstance(data.get("isolation_detail"), str) else ""),
        submission=_submission(submission) if submission is not None else None)


def _submission(value):
    value = _dict(value, "submission")
    out = {}
    for key in ("location", "commit"):
        if value.get(key) is not None:
            out[key] = _text(value[key], f"submission.{key}", 300)
    return out


def _assignment(part, where):
    part = _dict(part, where)
    status = part.get("status", "graded")
    if status not in STATUSES:
        raise ReportError(f"{where}.status: {_show(status)} is not one of {', '.join(STATUSES)}")
    if status == "not-graded":
        reason = _text(_get(part, "reason", where), f"{where}.reason", 500)
        if part.get("suite", {}).get("tests") or part.get("notebook", {}).get("cells"):
            raise ReportError(f"{where}: an assignment that was not graded has no tests and no cells")
        return AssignmentResult(status=status, reason=reason)
    suite = _dict(_get(part, "suite", where), f"{where}.suite")
    out = AssignmentResult(
        suite=SuiteResult(_tests(_get(suite, "tests", f"{where}.suite"), f"{where}.suite.tests")),
        notebook=_notebook(_get(part, "notebook", where), f"{where}.notebook"))
    if part.get("lateness") is not None:
        out.lateness = _lateness(part["lateness"], f"{where}.lateness")
    for key in ("feedback", "submission_hash", "grading_version"):
        if part.get(key) is not None:
            setattr(out, key, _text(part[key], f"{where}.{key}", MAX_FEEDBACK_CHARS if key == "feedback" else 100))
    return out


def _tests(tests, where):
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
        out.append(TestResult(_name(_get(test, "name", at), f"{at}.name"), max_points, passed,
                              _text(test.get("feedback", ""), f"{at}.feedback")))
    return out


def _cells(cells, where):
    out = []
    for index, cell in enumerate(_list(cells, where)):
        at = f"{where}[{index}]"
        cell = _dict(cell, at)
        max_points = _number(_get(cell, "max_points", at), f"{at}.max_points", 0.0, MAX_POINTS)
        out.append(CellResult(_name(_get(cell, "name", at), f"{at}.name"),
                              _number(_get(cell, "points", at), f"{at}.points", 0.0, max_points), max_points,
                              _text(cell.get("feedback", ""), f"{at}.feedback")))
    return out


def _notebook(notebook, where):
    notebook = _dict(notebook, where)
    skipped = notebook.get("skipped", False)
    if not isinstance(skipped, bool):
        raise ReportError(f"{where}.skipped: must be true or false, not {_show(skipped)}")
    cells = _cells(notebook.get("cells", []), f"{where}.cells")
    if skipped and cells:
        raise ReportError(f"{where}: a skipped notebook has no graded cells")
    return NotebookResult(cells=cells, skipped=skipped,
                          manual_max_score=_number(notebook.get("manual_max_score", 0.0), f"{where}.manual_max_score",
                                                   0.0, MAX_POINTS * MAX_TESTS),
                          feedback=_text(notebook.get("feedback", ""), f"{where}.feedback"))


def _lateness(lateness, where):
    lateness = _dict(lateness, where)
    status = _get(lateness, "status", where)
    if status not in LATENESS_STATUSES:
        raise ReportError(f"{where}.status: {_show(status)} is not one of {', '.join(LATENESS_STATUSES)}")
    penalty = _number(lateness.get("penalty", 0.0), f"{where}.penalty", 0.0, 1.0)
    if status == "not-submitted" and penalty != 1.0:
        raise ReportError(f"{where}.penalty: an assignment that was not submitted earns nothing (penalty 1)")
    out = Lateness(status=status, penalty=penalty,
                   late_days=_number(lateness.get("late_days", 0.0), f"{where}.late_days", 0.0, 36500.0))
    if lateness.get("submitted_at") is None and lateness.get("committed_at") is not None:  # schema 1
        lateness = dict(lateness, submitted_at=lateness["committed_at"])
    for key in ("note", "due", "extension", "commit", "submitted_at", "time_source", "newest"):
        if lateness.get(key) is not None:
            setattr(out, key, _text(lateness[key], f"{where}.{key}", MAX_FEEDBACK_CHARS if key == "note" else 100))
    return out


# ---------------------------------------------------------------------------------------------
# Field checks


def check_student_id(student, where="student"):
    """ReportError unless ``student`` is a student id (letters, digits, '.', '_', '-'; it may be a file name)."""
    if not isinstance(student, str) or not STUDENT_ID.fullmatch(student):
        raise ReportError(f"{where}: {_show(student)} is not a student id (letters, digits, '.', '_' or '-', "
                          "starting with a letter or digit)")
    return student


def check_assignment_name(name, where="assignment"):
    """ReportError unless ``name`` is a plain assignment name (lower case, digits, '_')."""
    if not isinstance(name, str) or not ASSIGNMENT_NAME.fullmatch(name):
        raise ReportError(f"{where}: {_show(name)} is not an assignment name (like a1_cells)")
    return name


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
