"""The gradebook: one SQLite row per (student, assignment), replaced when re-graded."""

import json
import sqlite3
from pathlib import Path

from grader.report import ReportError, read_report, student_of_file, verify_report

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


def connect(path):
    """Open (and create if needed) the gradebook at ``path``."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=60, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(SCHEMA)
    return connection


def record(path, report):
    """Record every assignment of one report, replacing that student's earlier entries, atomically."""
    connection = connect(path)
    try:
        connection.execute("BEGIN IMMEDIATE")
        for assignment, part in report["assignments"].items():
            single = dict(report, assignments={assignment: part}, score=part["score"], max_score=part["max_score"])
            connection.execute(
                "INSERT OR REPLACE INTO grades VALUES (?, ?, ?, ?, ?, ?)",
                (report["student"], assignment, part["score"], part["max_score"], report.get("graded_at", ""),
                 json.dumps(single)),
            )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()


def rows(path):
    """All (student, assignment, score, max_score) rows, sorted."""
    connection = connect(path)
    try:
        return connection.execute(
            "SELECT student, assignment, score, max_score FROM grades ORDER BY student, assignment"
        ).fetchall()
    finally:
        connection.close()


def stored_reports(path):
    """All ``(student, assignment, report dict)`` rows, sorted; each report holds that one assignment."""
    connection = connect(path)
    try:
        stored = connection.execute(
            "SELECT student, assignment, report FROM grades ORDER BY student, assignment").fetchall()
    finally:
        connection.close()
    return [(student, assignment, json.loads(text)) for student, assignment, text in stored]


def collect(path, report_files, course_assignments, roster=None):
    """Verify each report file and record the good ones; one bad file never stops the others.

    report_files: paths named ``<student>.json``; course_assignments: the names a report may grade;
    roster: the student ids allowed (None: any). Returns one result per file, in order:
    ``{"file", "report", "claimed"}`` (the verified report as recorded; the total the file stated when
    it differs from the recomputed one, else None) or ``{"file", "error"}`` (one line naming the file).
    """
    results, seen = [], {}
    for file in report_files:
        try:
            stated = read_report(file)
            report = verify_report(stated, student_of_file(file), course_assignments, roster)
            if report["student"] in seen:
                raise ReportError(f"student {report['student']!r} was already collected from "
                                  f"{seen[report['student']]} in this run; collect one report per student")
            record(path, report)
        except Exception as exc:  # noqa: BLE001 - one bad report must not stop the others
            reason = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
            if not isinstance(exc, (ReportError, sqlite3.Error)):
                reason = f"could not be verified ({type(exc).__name__}: {reason[:200]})"
            reason = reason if reason.startswith(str(file)) else f"{file}: {reason}"
            results.append({"file": str(file), "error": reason})
            continue
        seen[report["student"]] = str(file)
        claimed = stated.get("score")
        results.append({"file": str(file), "report": report,
                        "claimed": None if _same_number(claimed, report["score"]) else claimed})
    return results


def _same_number(stated, computed):
    try:
        return not isinstance(stated, bool) and abs(float(stated) - computed) <= 1e-6
    except (TypeError, ValueError, OverflowError):
        return False
