"""The course configuration, ``course.toml``: assignments with due dates and points, the late rule,
the roster, the students' extensions, the student template repository and the delivery of feedback.

Every problem is a ``CourseError`` whose message is one line naming the file and the key, e.g.
``course.toml: assignments.a1_cells.due: needs a time zone (write 2027-03-01T23:59:00+01:00)``.
"""

import csv
import datetime
import io
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import GraderError
from grader.paths import REPO

DEFAULT_COURSE = Path(os.environ.get("GRADER_COURSE", REPO / "course.toml"))
POLICIES = ("last-before-due", "penalty")
REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
DELIVERY_MODES = ("off", "branch")
BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(/[A-Za-z0-9][A-Za-z0-9_-]*)*")
STUDENT_BRANCHES = ("main", "master")     # the students' own work: never a delivery branch


class CourseError(GraderError, ValueError):
    """The course configuration is missing or wrong; the message names the key."""


@dataclass(frozen=True)
class LateRule:
    """What happens to a submission whose graded commit is after the due date.

    - policy "last-before-due": grade the last commit before the due date; when there is none,
      grade the newest commit with the penalty below.
    - policy "penalty": grade the newest commit and take off ``penalty_per_day`` of the score
      per started day late; later than ``max_late_days`` days, the score is 0.
    A commit up to ``grace_minutes`` after the due date counts as on time.
    """

    policy: str = "last-before-due"
    grace_minutes: float = 0.0
    penalty_per_day: float = 0.1
    max_late_days: float = 7.0


@dataclass(frozen=True)
class Delivery:
    """Whether and where feedback pages and published solutions reach the students (``[feedback]``).

    - mode "off" (the default): feedback stays in the instructor's artifact.
    - mode "branch": ``python -m grader deliver`` pushes each student's pages (one Markdown file per
      assignment) to ``branch`` of the student's own repository, and, with ``solutions``, every
      solution whose late window has closed into ``solutions/<assignment>/`` of the same branch.
    """

    mode: str = "off"
    branch: str = "feedback"
    solutions: bool = True


@dataclass(frozen=True)
class Assignment:
    name: str
    due: datetime.datetime
    points: float


@dataclass(frozen=True)
class Course:
    path: Path
    name: str
    roster: Path
    student_template: str
    late: LateRule
    assignments: dict = field(default_factory=dict)
    extensions: dict = field(default_factory=dict)   # {(student, assignment): extended due date}
    delivery: Delivery = field(default_factory=Delivery)

    def assignment(self, name):
        """The configured assignment ``name``; CourseError when it is not in the file."""
        if name not in self.assignments:
            raise CourseError(f"{self.path.name}: assignments.{name}: not configured "
                              f"(configured: {', '.join(self.assignments) or 'none'})")
        return self.assignments[name]

    def past_due(self, now=None):
        """Names of the assignments whose due date has passed, in order."""
        now = now or datetime.datetime.now(datetime.timezone.utc)
        return [a.name for a in self.assignments.values() if a.due <= now]

    def due_for(self, student, name):
        """``(due date, extended)``: the student's extended due date of ``name`` if any, else the course's."""
        extension = self.extensions.get((student, name))
        return (extension, True) if extension is not None else (self.assignment(name).due, False)

    def late_window_closes(self, name):
        """When no late work of ``name`` can be accepted any more: the latest due date (extensions
        included) plus the grace period and ``max_late_days``; solutions are published after it."""
        dues = [self.assignment(name).due] + [d for (_, a), d in self.extensions.items() if a == name]
        return max(dues) + datetime.timedelta(minutes=self.late.grace_minutes, days=self.late.max_late_days)

    def publishable(self, now=None):
        """Names of the assignments whose late window has closed, in order."""
        now = now or datetime.datetime.now(datetime.timezone.utc)
        return [name for name in self.assignments if self.late_window_closes(name) <= now]


def _fail(path, key, message):
    raise CourseError(f"{Path(path).name}: {key}: {message}")


def _table(data, key, path, required=True):
    value = data.get(key.rsplit(".", 1)[-1])
    if value is None:
        if required:
            _fail(path, key, "missing")
        return {}
    if not isinstance(value, dict):
        _fail(path, key, f"must be a table ([{key}]), not {type(value).__name__}")
    return value


def _no_unknown(table, allowed, prefix, path):
    for key in table:
        if key not in allowed:
            _fail(path, f"{prefix}.{key}", f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _string(table, key, prefix, path):
    value = table.get(key)
    if value is None:
        _fail(path, f"{prefix}.{key}", "missing")
    if not isinstance(value, str) or not value.strip():
        _fail(path, f"{prefix}.{key}", "must be a non-empty string")
    return value


def _number(table, key, prefix, path, default, minimum=0.0, maximum=None):
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(path, f"{prefix}.{key}", f"must be a number, not {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum:g} and {maximum:g}" if maximum is not None else f"at least {minimum:g}"
        _fail(path, f"{prefix}.{key}", f"must be {bound}, not {value!r}")
    return float(value)


def _due(table, prefix, path):
    value = table.get("due")
    key = f"{prefix}.due"
    if value is None:
        _fail(path, key, "missing (a date-time with a time zone, e.g. 2027-03-01T23:59:00+01:00)")
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            _fail(path, key, f"not a date-time: {value!r} (write 2027-03-01T23:59:00+01:00)")
    if not isinstance(value, datetime.datetime):
        _fail(path, key, f"must be a date-time with a time zone, not {value!r} (write 2027-03-01T23:59:00+01:00)")
    if value.tzinfo is None:
        _fail(path, key, f"needs a time zone: {value.isoformat()} (write e.g. {value.isoformat()}+01:00 or ...Z)")
    return value


def parse_course(data, path, known=None):
    """Build a ``Course`` from the parsed TOML ``data`` of ``path``; CourseError on any problem."""
    path = Path(path)
    _no_unknown(data, {"course", "late", "assignments", "feedback"}, "(top level)", path)
    course = _table(data, "course", path)
    _no_unknown(course, {"name", "roster", "student_template", "extensions"}, "course", path)
    name = _string(course, "name", "course", path)
    roster = _string(course, "roster", "course", path)
    template = _string(course, "student_template", "course", path)
    if not REPOSITORY.match(template):
        _fail(path, "course.student_template", f"must be a GitHub repository owner/name, not {template!r}")

    late = _table(data, "late", path, required=False)
    _no_unknown(late, {"policy", "grace_minutes", "penalty_per_day", "max_late_days"}, "late", path)
    policy = late.get("policy", "last-before-due")
    if policy not in POLICIES:
        _fail(path, "late.policy", f"must be one of {', '.join(POLICIES)}, not {policy!r}")
    rule = LateRule(
        policy=policy,
        grace_minutes=_number(late, "grace_minutes", "late", path, 0.0),
        penalty_per_day=_number(late, "penalty_per_day", "late", path, 0.1, maximum=1.0),
        max_late_days=_number(late, "max_late_days", "late", path, 7.0),
    )

    table = _table(data, "assignments", path)
    if not table:
        _fail(path, "assignments", "lists no assignment (add e.g. [assignments.a1_cells])")
    assignments = {}
    for key in table:
        prefix = f"assignments.{key}"
        if known is not None and key not in known:
            _fail(path, prefix, f"unknown assignment (known: {', '.join(known)})")
        entry = _table(table, prefix, path)
        _no_unknown(entry, {"due", "points"}, prefix, path)
        if "points" not in entry:
            _fail(path, f"{prefix}.points", "missing")
        points = _number(entry, "points", prefix, path, None)
        if points <= 0:
            _fail(path, f"{prefix}.points", f"must be positive, not {entry['points']!r}")
        assignments[key] = Assignment(key, _due(entry, prefix, path), points)
    extensions = {}
    if course.get("extensions") is not None:
        extensions = read_extensions(path.parent / _string(course, "extensions", "course", path), assignments)
    return Course(path=path, name=name, roster=(path.parent / roster), student_template=template, late=rule,
                  assignments=assignments, extensions=extensions, delivery=parse_delivery(data, path))


def parse_delivery(data, path):
    """The ``[feedback]`` table of course.toml as a ``Delivery`` (absent: delivery off)."""
    table = _table(data, "feedback", path, required=False)
    _no_unknown(table, {"deliver", "branch", "solutions"}, "feedback", path)
    mode = table.get("deliver", "off")
    if mode not in DELIVERY_MODES:
        _fail(path, "feedback.deliver", f"must be one of {', '.join(DELIVERY_MODES)}, not {mode!r}")
    branch = table.get("branch", "feedback")
    if not isinstance(branch, str) or not BRANCH.fullmatch(branch):
        _fail(path, "feedback.branch", f"must be a branch name (letters, digits, '_', '-', '/'), not {branch!r}")
    if branch in STUDENT_BRANCHES:
        _fail(path, "feedback.branch", f"{branch!r} holds the students' own work; name a branch of its own "
                                       "(e.g. feedback)")
    solutions = table.get("solutions", True)
    if not isinstance(solutions, bool):
        _fail(path, "feedback.solutions", f"must be true or false, not {solutions!r}")
    return Delivery(mode, branch, solutions)


def read_extensions(path, assignments):
    """``{(student, assignment): due}`` from the extensions CSV (header ``student,assignment,due``).

    A student may have one extension per assignment; ``due`` is a date-time with a time zone, like
    the due dates in course.toml. Every problem is a CourseError naming the file and the line.
    """
    from grader.records.results import STUDENT_ID

    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise CourseError(f"{path}: the extensions file (course.extensions) cannot be read "
                          f"({exc.strerror or exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or [f.strip() for f in reader.fieldnames] != ["student", "assignment", "due"]:
        raise CourseError(f"{path}: the first line must be the header `student,assignment,due`")
    out = {}
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
        if not any(row.values()):
            continue
        student, assignment = row.get("student", ""), row.get("assignment", "")
        where = f"{path.name}:{number}"
        if not STUDENT_ID.fullmatch(student):
            raise CourseError(f"{where}: {student!r} is not a student id")
        if assignment not in assignments:
            raise CourseError(f"{where}: {assignment!r} is not an assignment of the course "
                              f"({', '.join(assignments)})")
        try:
            due = datetime.datetime.fromisoformat(row.get("due", ""))
        except ValueError:
            raise CourseError(f"{where}: due {row.get('due', '')!r} is not a date-time "
                              "(write 2027-03-08T23:59:00+01:00)") from None
        if due.tzinfo is None:
            raise CourseError(f"{where}: due {row['due']!r} needs a time zone (write e.g. {row['due']}+01:00)")
        if (student, assignment) in out:
            raise CourseError(f"{where}: a second extension of {assignment} for {student}; keep one line")
        out[(student, assignment)] = due
    return out


def load_course(path=None, known=None):
    """Read and check ``course.toml`` (default: the repository's, or $GRADER_COURSE)."""
    from grader.paths import known_assignments

    path = Path(path or DEFAULT_COURSE)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise CourseError(f"{path}: no course configuration here (copy course.toml from the repository root)") from None
    except OSError as exc:
        raise CourseError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CourseError(f"{path.name}: not valid TOML ({exc})") from None
    return parse_course(data, path, known_assignments() if known is None else known)
