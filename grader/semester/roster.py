"""The roster: a CSV file with the header ``student,submission``, and where each submission is.

Optional further columns carry what a learning-management system identifies the student by, for
``export --format canvas|moodle``: ``name``, ``email``, ``sis_user_id``, ``sis_login_id``, ``lms_id``
(the LMS's own user id) and ``section`` (IDENTITY_COLUMNS); any of them may be empty for a student.
Other columns are ignored.

A submission is a git repository (a local path, relative to the roster file, or a URL / GitHub
``owner/name`` that is cloned) or a plain folder. A value of the form ``owner/name`` is a local path
when that folder exists, a GitHub repository otherwise (write ``./folder/name`` for a local path that
must not be taken for one). With ``--submissions DIR`` (the GitHub workflow) each student's checkout
is ``DIR/<student>``, and ``DIR/<student>.not-graded`` holds the reason a checkout failed.

Grading a roster is ``grader.semester.grade_roster``; lateness ``grader.semester.lateness``; git ``grader.semester.history``.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import GraderError
from grader.semester.history import HistoryError, git, is_git_repository
from grader.records.results import STUDENT_ID

GITHUB_SLUG = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
IDENTITY_COLUMNS = ("name", "email", "sis_user_id", "sis_login_id", "lms_id", "section")
MAX_IDENTITY_CHARS = 200


class RosterError(GraderError, ValueError):
    """A roster or a submission that cannot be used; the message is one line."""


@dataclass(frozen=True)
class Entry:
    student: str
    submission: str
    line: int
    identity: dict = field(default_factory=dict, compare=False, hash=False)  # IDENTITY_COLUMNS given


def read_roster(path):
    """The entries of a roster CSV (header ``student,submission``, optional IDENTITY_COLUMNS), checked."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise RosterError(f"roster {path}: cannot be read ({exc.strerror or exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"student", "submission"} <= {f.strip() for f in reader.fieldnames}:
        raise RosterError(f"roster {path}: the first line must be the header `student,submission`")
    entries, seen = [], set()
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
        student, submission = row.get("student", ""), row.get("submission", "")
        if not student and not submission:
            continue
        if not STUDENT_ID.fullmatch(student):
            raise RosterError(f"roster {path}:{number}: student id {student!r} must be letters, digits, '.', '_' or '-'")
        if not submission:
            raise RosterError(f"roster {path}:{number}: student {student} has no submission")
        if student in seen:
            raise RosterError(f"roster {path}:{number}: student {student} is listed twice")
        seen.add(student)
        entries.append(Entry(student, submission, number, _identity(row, f"roster {path}:{number}")))
    if not entries:
        raise RosterError(f"roster {path}: lists no student")
    return entries


def _identity(row, where):
    """The identity columns a roster row fills in, checked; where: ``roster <path>:<line>`` for errors."""
    identity = {}
    for column in IDENTITY_COLUMNS:
        value = row.get(column, "")
        if not value:
            continue
        if len(value) > MAX_IDENTITY_CHARS or any(ord(c) < 32 for c in value):
            raise RosterError(f"{where}: {column} must be one line of at most {MAX_IDENTITY_CHARS} characters")
        if column == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+", value):
            raise RosterError(f"{where}: email {value!r} is not an email address")
        identity[column] = value
    return identity


def locate(entry, roster_dir, submissions=None, workdir=None):
    """Resolve a roster entry to ``(kind, path)``, kind "git" or "folder" (cloning a URL into workdir).

    With ``submissions`` the checkout is ``submissions/<student>``, and nothing else is tried: a
    missing checkout, or a ``<student>.not-graded`` file beside it, is a RosterError with the reason.
    """
    if submissions is not None:
        marker = Path(submissions) / f"{entry.student}.not-graded"
        if marker.is_file():
            reason = " ".join(marker.read_text(errors="replace")[:500].split()) or "the checkout failed"
            raise RosterError(f"{entry.submission}: {reason}")
        path = Path(submissions) / entry.student
        if not path.is_dir():
            raise RosterError(f"{entry.submission}: no checkout of {entry.student} in {submissions}")
        return ("git" if is_git_repository(path) else "folder"), path
    location = entry.submission
    remote = "://" in location or location.startswith("git@")
    path = Path(location) if Path(location).is_absolute() else Path(roster_dir) / location
    if not remote and not path.exists() and GITHUB_SLUG.match(location):
        location, remote = f"https://github.com/{location}.git", True
    if remote:
        clone = Path(workdir) / "clone"
        try:
            git(workdir, "clone", "--quiet", "--no-checkout", location, str(clone))
        except HistoryError as exc:
            raise RosterError(f"{entry.submission}: not a local folder, and cloning {location} failed "
                              f"({str(exc).split(': ', 1)[-1]})") from None
        return "git", clone
    if not path.is_dir():
        raise RosterError(f"{entry.submission}: no such submission folder or repository")
    return ("git" if is_git_repository(path) else "folder"), path


def submission_root(tree):
    """The folder holding the assignment folders: ``assignments/`` in a student template clone."""
    tree = Path(tree)
    return tree / "assignments" if (tree / "assignments").is_dir() else tree
