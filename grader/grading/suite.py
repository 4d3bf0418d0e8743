"""Run one assignment's hidden suite against a submission folder and score it."""

import os
import re
from pathlib import Path

import pytest

from grader.paths import SUITES
from grader.records.results import SuiteResult, TestResult
from grader.sandbox import Submission, SubmissionFailure

DEFAULT_SECRET_SEED = 20261122

# Seconds of CPU time one call into student code may use in an assignment's hidden suite, unless the
# test gives that call a limit of its own (``timeout=``, also seconds of CPU time). About 20 times the
# reference solution's CPU time for its slowest call under this limit, never below CPU_LIMIT_FLOOR;
# ``python -m grader.benches.time_limits`` measures the reference. Waiting (sleeps, input()) stands
# under the wall-clock backstop of ``grader.sandbox.client.TimeLimit`` instead.
# Measured (solutions/, CPU seconds of the slowest call under this limit; the calls with a limit of their
# own in brackets):
CPU_LIMIT_FLOOR = 10.0
CPU_LIMITS = {
    "a1_cells": 10.0,       # 0.01 (cells.rnn_cell): the floor
    "a2_bptt": 10.0,        # 0.01 (bptt.rnn_backward): the floor [hello training steps: 0.01 each, within 60 s]
    "a3_airline": 10.0,     # 0.03 (an AirlineRNN forward): the floor [fit_forecaster 1.9 of 120]
    "a4_next_char": 35.0,   # 1.6-1.7 (next_char.sample: 2000 calls of the grader's model) [train_char_lm 2.3-2.8
                            # of 240, train_alphabet 2.0 of 120]
    "a5_attention": 10.0,   # under 0.5 (a beam search of the grader's decoder): the floor [train_seq2seq 6.2-8.8
                            # of 240]
}


def cpu_limit(assignment):
    """Seconds of CPU time per call of ``assignment``'s hidden suite."""
    return max(CPU_LIMIT_FLOOR, CPU_LIMITS.get(assignment, CPU_LIMIT_FLOOR))


def secret_seed_from_env():
    """The seed for data the grader generates at grading time (GRADER_SECRET_SEED)."""
    value = os.environ.get("GRADER_SECRET_SEED", "")
    return int(value) if value.strip() else DEFAULT_SECRET_SEED


class SuitePlugin:
    """A pytest plugin: the ``student`` and ``secret_seed`` fixtures, and the score sheet."""

    def __init__(self, folder, secret_seed, staged=False, left_out=None, stop_after=None, cpu_limit=CPU_LIMIT_FLOOR):
        self.folder = Path(folder)
        self.cpu_limit = cpu_limit
        self.stop_after = stop_after
        self.staged, self.left_out = staged, left_out
        self.seed = secret_seed
        self.results = {}
        self.order = []
        self.submission = None
        self.errors = []

    def start(self, early=False):
        """Launch the submission's worker (``early``: before pytest collects the suite, so that the worker starts
        meanwhile; a failure then is left for the ``student`` fixture to meet again inside the tests)."""
        try:
            self.submission = Submission(self.folder, cpu_limit=self.cpu_limit, staged=self.staged,
                                         left_out=self.left_out)
        except Exception:
            if not early:
                raise

    def close(self):
        if self.submission is not None:
            self.submission.close()

    @pytest.fixture(scope="session")
    def student(self):
        if self.submission is None:
            self.start()
        yield self.submission

    @pytest.fixture(scope="session")
    def secret_seed(self):
        return self.seed

    def pytest_collection_modifyitems(self, items):
        for item in items:
            marker = item.get_closest_marker("points")
            if marker is None or not marker.args or not isinstance(marker.args[0], (int, float)):
                self.errors.append(f"{item.nodeid} has no @pytest.mark.points(p)")
                continue
            name = item.nodeid.split("/")[-1]
            self.order.append(item.nodeid)
            self.results[item.nodeid] = {
                "name": name,
                "points": 0.0,
                "max_points": float(marker.args[0]),
                "passed": False,
                "feedback": "",
                "_ok": True,
            }
        # Quick checks first, then the ones that train (their report order stays the collection order): a
        # student's grade is the same, and a mutant run that stops at its first diagnosis rarely trains.
        items.sort(key=lambda item: item.get_closest_marker("trains") is not None)

    def pytest_collectreport(self, report):
        if report.failed:
            self.errors.append(f"could not collect {report.nodeid}: {report.longreprtext[-1500:]}")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        result = self.results.get(item.nodeid)
        if result is None:
            return
        if report.failed or report.skipped:
            result["_ok"] = False
            if not result["feedback"]:
                result["feedback"] = cut_feedback(feedback_for(call.excinfo, report))
        if report.when == "teardown" and result["_ok"]:
            result["passed"] = True
            result["points"] = result["max_points"]
        if report.when == "teardown" and self.stop_after is not None and self.stop_after(
                TestResult(result["name"], result["max_points"], result["_ok"], result["feedback"])):
            item.session.shouldstop = f"stopped after {result['name']}"


MAX_FEEDBACK_CHARS = 4000


def cut_feedback(text):
    """A failed test's message, bounded: whatever the student's code printed or raised."""
    if len(text) <= MAX_FEEDBACK_CHARS:
        return text
    return text[:MAX_FEEDBACK_CHARS] + f"\n... [{len(text) - MAX_FEEDBACK_CHARS} more characters cut]"


def feedback_for(excinfo, report):
    """The message a student reads for a failed test."""
    if excinfo is None:
        return "This test was skipped." if report.skipped else "This test failed."
    exc = excinfo.value
    if isinstance(exc, SubmissionFailure):
        return str(exc)
    if isinstance(exc, AssertionError):
        text = str(exc)
        text = re.split(r"\nassert ", text, maxsplit=1)[0]
        return text.strip() or "An assertion about your result failed."
    if isinstance(exc, pytest.skip.Exception):
        return f"Skipped: {exc}"
    return (
        f"The check could not be completed ({type(exc).__name__}: {exc}). This usually means a value "
        "of an unexpected shape or kind came back from your code."
    )


def run_suite(assignment, folder, secret_seed=None, exitfirst=False, staged=False, left_out=None, stop_after=None):
    """Run ``grader/suites/<assignment>`` against ``folder``; return its ``SuiteResult``.

    ``staged``: ``folder`` is already a bounded copy (``grader.sandbox.copy_submission``, whose
    ``CopyResult`` is ``left_out``); otherwise one is made. With ``exitfirst`` the run stops at the
    first failed test, with ``stop_after`` (a function of a ``TestResult``) after the first test for
    which it is true (both used to check mutants quickly); the tests not run count as failed.
    Every call into the student's code may use ``cpu_limit(assignment)`` seconds of CPU time; a function
    stopped at its limit is not run again: its later calls fail at once with the same message.
    """
    suite_dir = SUITES / assignment
    plugin = SuitePlugin(folder, secret_seed_from_env() if secret_seed is None else secret_seed, staged, left_out,
                         stop_after, cpu_limit(assignment))
    args = [
        str(suite_dir),
        "-c", str(SUITES / "pytest.ini"),
        "--rootdir", str(SUITES),
        "--import-mode=importlib",
        "-p", "no:cacheprovider",
        "-p", "no:terminal",
    ] + (["--exitfirst"] if exitfirst else [])
    plugin.start(early=True)
    try:
        exit_code = pytest.main(args, plugins=[plugin])
    finally:
        plugin.close()
    if plugin.errors or exit_code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        details = "; ".join(plugin.errors) or f"pytest exit code {int(exit_code)}"
        raise RuntimeError(f"the hidden suite of {assignment} is broken: {details}")
    return SuiteResult([TestResult(r["name"], r["max_points"], r["passed"], r["feedback"])
                        for r in (plugin.results[nodeid] for nodeid in plugin.order)])
