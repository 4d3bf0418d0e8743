"""The cost of crossing the sandbox: one call, one callback round trip, and a worker's start.

``python -m grader.benches.sandbox`` prints the Markdown; ``make bench`` includes it. Wall times
depend on the machine's load; CPU times hardly do.
"""

import statistics
import tempfile
import time
from pathlib import Path

from grader.paths import SOLUTIONS
from grader.sandbox import Submission
from grader.suites.a4_next_char.reference import FixedLogits

ROUND_TRIPS = 3000
RUNS = 3
GRADER_WORK = 2.0   # seconds of CPU the grader spends between starting a worker and its first call
MODULE = '''
import torch

def add(a, b):
    return a + b

def call_back(function, n):
    for i in range(n):
        function(i)
    return n
'''


def per_round_trip(run):
    """Median microseconds of wall time per round trip of ``run()``, which makes ROUND_TRIPS of them."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) / ROUND_TRIPS * 1e6)
    return statistics.median(times)


def round_trips(folder):
    """``{what: us per round trip}`` for plain calls, plain callbacks and the a4 suite's model callbacks."""
    sub = Submission(folder)
    try:
        mod = sub.module("mod")
        mod.add(1, 2)
        figures = {"call from the grader (`mod.add(i, 1)`)": per_round_trip(
            lambda: [mod.add(i, 1) for i in range(ROUND_TRIPS)])}
        figures["callback to a grader function"] = per_round_trip(
            lambda: mod.call_back(sub.callback(lambda i: i), ROUND_TRIPS))
    finally:
        sub.close()
    reference = Submission(SOLUTIONS / "a4_next_char")
    try:
        nc = reference.module("next_char")
        vocab = nc.CharVocab.remote("abcdef")
        figures["callback to a grader model (a4 `sample`, one per character)"] = per_round_trip(
            lambda: nc.sample(reference.callback(FixedLogits([1.0, 0.5, 0.0, -0.5, 0.2, -1.0]), kind="module"),
                              vocab, "a", ROUND_TRIPS, temperature=1.0))
    finally:
        reference.close()
    return figures


def busy(seconds):
    """Spin the grader's own CPU for ``seconds`` (as collecting a hidden suite does)."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def first_call(folder, grader_work):
    """Seconds from a Submission's construction (after ``grader_work`` s of the grader's own work) to its first answer.

    Returns (wall seconds, of which after the grader's work, the worker's CPU seconds to get ready).
    """
    start = time.perf_counter()
    sub = Submission(folder)
    try:
        busy(grader_work)
        worked = time.perf_counter()
        sub.call("mod", "add", 1, 2)   # waits for the worker's ready, imports mod (and torch), calls
        end = time.perf_counter()
        return end - start, end - worked, sub.worker.tree.cpu()
    finally:
        sub.close()


def run():
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        folder = Path(tmp)
        (folder / "mod.py").write_text(MODULE)
        figures = round_trips(folder)
        starts = {work: first_call(folder, work) for work in (0.0, GRADER_WORK)}
    lines = ["## The sandbox's round trips and start", "",
             f"| round trip | us (median of {RUNS} runs of {ROUND_TRIPS}) |", "|---|---|"]
    lines += [f"| {what} | {us:.0f} |" for what, us in figures.items()]
    lines += ["", "A module importing torch (preloaded by the worker while it starts):", "",
              "| grader's own work before the first call | first call answered after (s) | of which after the "
              "grader's work (s) | worker's CPU time so far (s) |", "|---|---|---|---|"]
    lines += [f"| {work:g} s | {total:.2f} | {after:.2f} | {cpu:.2f} |" for work, (total, after, cpu) in starts.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
