"""The gradebook: one SQLite row per (student, assignment), replaced when re-graded.

Each row keeps that assignment's report (``Report.only``) as JSON. A "not graded" result (no
repository, checkout failed) never replaces a graded row: the earlier grade stays, and the class
summary names the students whose latest grading failed.

Hand grades of written answers (``manual import``) live in their own table, one row per (student,
assignment, cell), with the content hash of the submission they were given for. ``stored_reports``
attaches to each report the hand grades given for the very submission it graded; after a re-grading
of changed work they no longer count, and the written answers show as not graded yet."""

import json
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from grader.errors import GraderError
from grader.records.report import ReportError, read_report, student_of_file, verify_report
from grader.records.results import WrittenGrade, report_from_dict

SCHEMA = """
CREATE TABLE IF NOT EXISTS grades (
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    graded_at TEXT NOT NULL,
    report TEXT NOT NULL,
    PRIMARY KEY (student, assignment)
)
"""
WRITTEN_SCHEMA = """
CREATE TABLE IF NOT EXISTS written_grades (
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    cell TEXT NOT NULL,
    points REAL NOT NULL,
    max_points REAL NOT NULL,
    comment TEXT NOT NULL,
    submission_hash TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (student, assignment, cell)
)
"""


class WrittenGradeError(GraderError, ValueError):
    """Hand grades that cannot be recorded (nothing was); the message names the grade."""


BUSY_SECONDS = 60


def _patiently(connection, statement):
    """Run ``statement``, waiting up to BUSY_SECONDS while another writer holds the database.

    SQLite's busy timeout covers ordinary writes, but a change of journal mode that meets a lock
    fails at once ("database is locked"); many collects starting together on a busy machine meet
    exactly that, so it is retried here.
    """
    deadline = time.monotonic() + BUSY_SECONDS
    pause = 0.01
    while True:
        try:
            return connection.execute(statement)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)


def connect(path):
    """Open (and create if needed) the gradebook at ``path``: write-ahead logging, set once."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        _patiently(connection, "PRAGMA journal_mode=WAL")
    _patiently(connection, SCHEMA)
    _patiently(connection, WRITTEN_SCHEMA)
    return connection


@contextmanager
def _transaction(path):
    """A connection to the gradebook inside one write transaction: committed at the end, rolled back on any error."""
    connection = connect(path)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield connection
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()


def record(path, report):
    """Record every assignment of one ``Report``, replacing that student's earlier entries, atomically.

    Returns the names of the assignments whose "not graded" result was not recorded because a graded
    row was already there.
    """
    kept = []
    with _transaction(path) as connection:
        for assignment, part in report.assignments.items():
            if not part.graded:
                stored = connection.execute("SELECT report FROM grades WHERE student = ? AND assignment = ?",
                                            (report.student, assignment)).fetchone()
                if stored and json.loads(stored[0])["assignments"][assignment].get("status", "graded") == "graded":
                    kept.append(assignment)
                    continue
            connection.execute(
                "INSERT OR REPLACE INTO grades VALUES (?, ?, ?, ?, ?, ?)",
                (report.student, assignment, part.score, part.max_score, report.graded_at,
                 json.dumps(report.only(assignment).to_dict())),
            )
    return kept


def rows(path):
    """All (student, assignment, score, max_score) rows as graded (without hand grades), sorted."""
    connection = connect(path)
    try:
        return connection.execute(
            "SELECT student, assignment, score, max_score FROM grades ORDER BY student, assignment"
        ).fetchall()
    finally:
        connection.close()


def stored_reports(path, problems=None):
    """All ``(student, assignment, Report)`` rows, sorted; each report holds that one assignment.

    A row that is not a valid report (an old or edited gradebook) is left out; with a ``problems``
    list, one line naming it is appended there.
    """
    connection = connect(path)
    try:
        stored = connection.execute(
            "SELECT student, assignment, report FROM grades ORDER BY student, assignment").fetchall()
        written = connection.execute("SELECT student, assignment, submission_hash, cell, points, max_points, comment "
                                     "FROM written_grades ORDER BY student, assignment, cell").fetchall()
    finally:
        connection.close()
    by_submission = {}
    for student, assignment, digest, *grade in written:
        by_submission.setdefault((student, assignment, digest), []).append(WrittenGrade(*grade))
    out = []
    for student, assignment, text in stored:
        try:
            report = report_from_dict(json.loads(text), expected_student=student, course_assignments=[assignment])
        except (ReportError, ValueError, RecursionError) as exc:
            if problems is not None:
                problems.append(f"left out {student!r} {assignment!r}: {str(exc).splitlines()[0][:200]}")
            continue
        part = report.assignments[assignment]
        if part.graded:
            part.notebook.written = by_submission.get((student, assignment, part.submission_hash), [])
        out.append((student, assignment, report))
    return out


def record_written(path, assignment, grades, source, recorded_at):
    """Record hand grades of written answers of ``assignment``, all or none, replacing earlier ones of the same cells.

    grades: ``(student, WrittenGrade, submission_hash or None)`` triples; a hash names the submission the grade
    was given for (None: the one graded now). source: where they come from ("formgrader", "sheet <file>").
    WrittenGradeError (nothing recorded) when a student has no graded row of ``assignment``, or was graded
    again (other work) since the grade's hash was taken. Returns the number recorded.
    """
    with _transaction(path) as connection:
        for student, grade, digest in grades:
            stored = connection.execute("SELECT report FROM grades WHERE student = ? AND assignment = ?",
                                        (student, assignment)).fetchone()
            part = json.loads(stored[0])["assignments"][assignment] if stored else {}
            if part.get("status", "graded") != "graded" or "submission_hash" not in part:
                raise WrittenGradeError(f"{student} {assignment} {grade.cell}: the gradebook has no graded "
                                        f"{assignment} of {student!r}")
            if digest is not None and digest != part["submission_hash"]:
                raise WrittenGradeError(f"{student} {assignment} {grade.cell}: {student} was graded again on other "
                                        "work since these answers were prepared; run `manual prepare` again")
            connection.execute("INSERT OR REPLACE INTO written_grades VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               (student, assignment, grade.cell, grade.points, grade.max_points, grade.comment,
                                part["submission_hash"], recorded_at, source))
    return len(grades)


def version_problems(stored, current=None):
    """One line per assignment whose graded rows come from more than one grading version.

    stored: ``stored_reports`` rows; current: ``{assignment: version}`` of this checkout (the
    students to regrade are those on another one; without it, those not on the newest-graded one).
    """
    versions = {}
    for student, assignment, report in stored:
        part = report.assignments[assignment]
        if part.graded:
            versions.setdefault(assignment, {}).setdefault(part.grading_version or "unknown", []).append(
                (report.graded_at, student))
    lines = []
    for assignment, found in sorted(versions.items()):
        if len(found) < 2:
            continue
        keep = (current or {}).get(assignment)
        if keep not in found:
            keep = max(found, key=lambda v: max(found[v]))
        regrade = sorted(s for v, rows in found.items() if v != keep for _, s in rows)
        lines.append(f"{assignment}: graded by {len(found)} grading versions (hidden suite, notebook or grader "
                     f"changed); {len(regrade)} student(s) not on the current one {keep}: {', '.join(regrade)}. "
                     "Regrade them (grade-roster --stale) or pass --allow-mixed.")
    return lines


def collect(path, report_files, course_assignments, roster=None):
    """Verify each report file and record the good ones; one bad file never stops the others.

    report_files: paths named ``<student>.json``; course_assignments: the names a report may grade;
    roster: the student ids allowed (None: any). Returns one result per file, in order:
    ``{"file", "report", "claimed", "kept"}`` (the verified ``Report`` as recorded; the total the file
    stated when it differs from the recomputed one, else None; the assignments whose "not graded"
    result left an earlier grade in place) or ``{"file", "error"}`` (one line naming the file).
    """
    results, seen = [], {}
    for file in report_files:
        try:
            stated = read_report(file)
            report = verify_report(stated, student_of_file(file), course_assignments, roster)
            if report.student in seen:
                raise ReportError(f"student {report.student!r} was already collected from "
                                  f"{seen[report.student]} in this run; collect one report per student")
            kept = record(path, report)
        except Exception as exc:  # noqa: BLE001 - one bad report must not stop the others
            reason = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
            if not isinstance(exc, (ReportError, sqlite3.Error)):
                reason = f"could not be verified ({type(exc).__name__}: {reason[:200]})"
            reason = reason if reason.startswith(str(file)) else f"{file}: {reason}"
            results.append({"file": str(file), "error": reason})
            continue
        seen[report.student] = str(file)
        claimed = stated.get("score")
        results.append({"file": str(file), "report": report, "kept": kept,
                        "claimed": None if _same_number(claimed, report.score) else claimed})
    return results


def _same_number(stated, computed):
    try:
        return not isinstance(stated, bool) and abs(float(stated) - computed) <= 1e-6
    except (TypeError, ValueError, OverflowError):
        return False
