"""Provenance and durability: what a report records, repeatable scores, and a gradebook that
neither loses, duplicates nor half-records a report."""

import datetime
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.records.gradebook import record, rows
from grader.paths import REPO
from grader.records.results import report_from_dict
from grader.benches.load import cpu_burners
from tests.conftest import fake_report

FIXTURES = Path(__file__).parent / "fixtures"
A1 = "a1_cells"
# A partly wrong submission (gru_cell has an extra axis): some tests pass, some fail.
PARTLY_WRONG = FIXTURES / "bad_submissions" / "wrong_shape"


def git_head():
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()


def outcomes(report):
    return {(a, t["name"]): (t["passed"], t["points"]) for a, part in report["assignments"].items()
            for t in part["suite"]["tests"]}


def submission_hashes(report):
    """The content hashes a report records: one per assignment (and one for the whole, if any)."""
    hashes = [part.get("submission_hash") for part in report["assignments"].values()]
    if "submission_hash" in report:
        hashes.append(report["submission_hash"])
    return hashes


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_report_records_hash_version_seed_and_time_and_regrading_is_repeatable(tmp_path):
    from grader.grading.grade import grade_submission

    copy = tmp_path / "copy"
    shutil.copytree(PARTLY_WRONG, copy)
    graded = [grade_submission(PARTLY_WRONG, "ada", notebooks=False) for _ in range(2)]
    graded.append(grade_submission(copy, "ada", notebooks=False))
    reports = [report.to_dict() for report in graded]
    first = reports[0]

    hashes = submission_hashes(first)
    assert hashes and all(isinstance(h, str) and re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), hashes
    version = first.get("grader_version", "")
    assert version.split("+")[0] == git_head(), f"grader_version {version!r} is not the repository's commit"
    assert isinstance(first.get("secret_seed"), int)
    assert all(re.fullmatch(r"[0-9a-f]{16}", part["grading_version"]) for part in first["assignments"].values())
    when = datetime.datetime.fromisoformat(first["graded_at"])
    assert when.tzinfo is not None, "graded_at must carry its time zone"

    # The same content (here, and in another folder) gives the same hash, score and outcome per test.
    for other in reports[1:]:
        assert submission_hashes(other) == hashes
        assert other["score"] == first["score"] and outcomes(other) == outcomes(first)
    assert 0 < first["score"] < first["max_score"], "the fixture should pass some tests and fail others"

    # A one-byte change changes the hash.
    module = copy / A1 / "cells.py"
    module.write_text(module.read_text() + "\n")
    from grader.grading.grade import content_hash

    assert content_hash(copy / A1) != hashes[0]

    # The gradebook keeps the provenance with the grade.
    book = tmp_path / "gradebook.sqlite"
    record(book, graded[0])
    connection = sqlite3.connect(book)
    try:
        (stored,) = connection.execute("SELECT report FROM grades WHERE student = 'ada' AND assignment = ?", (A1,)).fetchone()
    finally:
        connection.close()
    stored = json.loads(stored)
    assert stored["grader_version"] == version and stored["secret_seed"] == first["secret_seed"]
    assert stored["graded_at"] == first["graded_at"]
    assert submission_hashes(stored)[0] == hashes[0]


@pytest.mark.timeout(300)
def test_parallel_collect_loses_nothing_and_duplicates_nothing(tmp_path):
    students = [f"s{i:03d}" for i in range(60)]
    assignments = ["a1_cells", "a2_bptt", "a3_airline"]
    expected = []
    paths = []
    for i, student in enumerate(students):
        scores = {a: float((i + j) % 11) for j, a in enumerate(assignments)}
        expected += [(student, a, scores[a], 10.0) for a in assignments]
        path = tmp_path / "reports" / f"{student}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(fake_report(student, scores)))
        paths.append(str(path))
    # The same reports of ten students, recorded again by a fifth process at the same time: a
    # re-grade replaces a row, it never adds one (same content, so the final state is known).
    stale = []
    for student in students[:10]:
        path = tmp_path / "again" / f"{student}.json"
        path.parent.mkdir(exist_ok=True)
        i = students.index(student)
        path.write_text(json.dumps(fake_report(student, {a: float((i + j) % 11) for j, a in enumerate(assignments)})))
        stale.append(str(path))
    book = tmp_path / "gradebook.sqlite"
    chunks = [paths[k::7] for k in range(7)] + [stale]          # eight writers at once, on a busy machine
    with cpu_burners():
        processes = [
            subprocess.Popen([sys.executable, "-m", "grader", "collect", *chunk, "--gradebook", str(book)],
                             cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for chunk in chunks
        ]
        results = [(p.wait(timeout=240), p.stderr.read()) for p in processes]
    for process in processes:
        process.stdout.close()
        process.stderr.close()
    assert all(code == 0 for code, _ in results), [err[-500:] for code, err in results if code]
    got = rows(book)
    assert len(got) == len(set((s, a) for s, a, *_ in got)), "duplicate (student, assignment) rows"
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    assert not missing and not extra, f"lost {len(missing)} rows (e.g. {missing[:3]}), unexpected {extra[:3]}"


def snapshot(book):
    """Every column of every row (not only the scores), to compare before and after."""
    connection = sqlite3.connect(book)
    try:
        return connection.execute("SELECT * FROM grades ORDER BY student, assignment").fetchall()
    finally:
        connection.close()


def test_a_failing_insert_leaves_the_gradebook_as_it_was(tmp_path):
    book = tmp_path / "gradebook.sqlite"
    record(book, report_from_dict(fake_report("ada", {"a1_cells": 4.0, "a2_bptt": 5.0})))
    record(book, report_from_dict(fake_report("bo", {"a1_cells": 7.0})))
    before = snapshot(book)
    # A re-grade of ada whose first assignment is fine but whose second cannot be stored (a NaN
    # score, stored as NULL, breaks the NOT NULL constraint, after the first row was already written).
    broken = report_from_dict(fake_report("ada", {"a1_cells": 9.0, "a2_bptt": 9.0}, stamp="2026-11-23T00:00:00+00:00"))
    broken.assignments["a2_bptt"].suite.tests[0].max_points = float("nan")   # sqlite stores NaN as NULL
    with pytest.raises(sqlite3.IntegrityError):
        record(book, broken)
    assert snapshot(book) == before
    # ... and one whose second assignment cannot even be serialised.
    unserialisable = report_from_dict(fake_report("ada", {"a1_cells": 9.0, "a2_bptt": 9.0}))
    unserialisable.assignments["a2_bptt"].suite.tests[0].feedback = object()
    with pytest.raises(TypeError):
        record(book, unserialisable)
    assert snapshot(book) == before
    # The gradebook is not left locked: the next report goes in.
    record(book, report_from_dict(fake_report("cy", {"a1_cells": 1.0})))
    assert ("cy", "a1_cells", 1.0, 10.0) in rows(book)


KILLED_MIDWAY = """
import json, os, signal, sys
from grader.records import gradebook

calls = []
real_dumps = json.dumps

def dumps_then_die(*args, **kwargs):
    calls.append(1)
    if len(calls) == 2:  # the first assignment's row is written, the second is being prepared
        os.kill(os.getpid(), signal.SIGKILL)
    return real_dumps(*args, **kwargs)

gradebook.json.dumps = dumps_then_die
from grader.records.results import report_from_dict
gradebook.record(sys.argv[1], report_from_dict(json.loads(open(sys.argv[2]).read())))
"""


@pytest.mark.timeout(120)
def test_a_process_killed_while_recording_leaves_the_gradebook_as_it_was(tmp_path):
    book = tmp_path / "gradebook.sqlite"
    record(book, report_from_dict(fake_report("ada", {"a1_cells": 4.0, "a2_bptt": 5.0})))
    before = snapshot(book)
    report = tmp_path / "regrade.json"
    report.write_text(json.dumps(fake_report("ada", {"a1_cells": 9.0, "a2_bptt": 9.0, "a3_airline": 9.0})))
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(KILLED_MIDWAY), str(book), str(report)],
                         cwd=REPO, capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert run.returncode == -signal.SIGKILL, f"the recording process was not killed mid-way: {run.stderr[-1000:]}"
    assert snapshot(book) == before, "a report recorded half-way is visible in the gradebook"
    record(book, report_from_dict(fake_report("bo", {"a1_cells": 2.0})))
    assert ("bo", "a1_cells", 2.0, 10.0) in rows(book)


def test_a_locked_database_is_waited_for_and_other_errors_are_not():
    """A change of journal mode that meets another writer's lock fails at once in SQLite; the gradebook
    retries it (within its busy time) instead of losing the report."""
    from grader.records import gradebook

    class Busy:
        def __init__(self, failures, message="database is locked"):
            self.failures, self.message, self.calls = failures, message, 0

        def execute(self, statement):
            self.calls += 1
            if self.calls <= self.failures:
                raise sqlite3.OperationalError(self.message)
            return statement

    busy = Busy(3)
    assert gradebook._patiently(busy, "PRAGMA journal_mode=WAL") == "PRAGMA journal_mode=WAL" and busy.calls == 4
    broken = Busy(1, "no such table: grades")
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        gradebook._patiently(broken, "SELECT 1")
    assert broken.calls == 1
