"""The gradebook: one SQLite row per (student, assignment), replaced when re-graded."""

import json
import sqlite3
from pathlib import Path

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
