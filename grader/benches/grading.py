"""Grading the reference: each assignment by stage, the whole submission on a quiet and on a busy
machine, and the same grade again and again under load (``python -m grader bench --steady 10``)."""

import contextlib
import statistics
import time

from grader.benches.load import cpu_burners
from grader.grading.grade import grade_assignment, grade_submission
from grader.grading.notebook import grade_notebooks
from grader.grading.suite import run_suite
from grader.paths import SOLUTIONS

STAGES = ("suite", "cells", "checks", "notebook rest", "notebook", "side by side")


def stage_times(assignment):
    """Wall seconds of grading the reference's ``assignment`` once per stage (keys: ``STAGES``).

    "suite" and "notebook" are each alone; "cells" (the notebook worker's start included), "checks" and
    "notebook rest" (reading, staging, stopping the worker) make up "notebook"; "side by side" is
    ``grade_assignment``, suite and notebook at once, as the grader runs them.
    """
    timings = {}
    start = time.perf_counter()
    run_suite(assignment, SOLUTIONS / assignment)
    timings["suite"] = time.perf_counter() - start
    grade_notebooks(assignment, SOLUTIONS / assignment, timings=timings)
    timings["notebook"] = timings.pop("total")
    timings["notebook rest"] = timings["notebook"] - timings.get("cells", 0.0) - timings.get("checks", 0.0)
    start = time.perf_counter()
    grade_assignment(SOLUTIONS, assignment)
    timings["side by side"] = time.perf_counter() - start
    return timings


def whole_submission(assignments=None, burners=0):
    """``(wall seconds, Report)`` of grading the reference's assignments (all by default), suites and
    notebooks, with ``burners`` CPU burners running meanwhile."""
    with cpu_burners(burners) if burners else contextlib.nullcontext():
        start = time.perf_counter()
        report = grade_submission(SOLUTIONS, "reference", assignments)
        return time.perf_counter() - start, report


def marks(report):
    """``a1_cells 50/50, ...``: the score of every assignment of a report."""
    return ", ".join(f"{name} {part.score:g}/{part.max_score:g}" for name, part in report.assignments.items())


def run(names, runs=3, burners=4):
    """Markdown: the stages per assignment (medians of ``runs``), then the whole submission quiet and under load."""
    lines = [f"## Grading the reference submission (wall seconds, median of {runs} runs)", "",
             "Suite and notebook each alone, the notebook's stages, then both side by side as the grader runs "
             "them. nbgrader is not run at grading time (its overhead is 0): the notebook runs in the sandboxed "
             "IPython shell, up to its last test cell and without the cells tagged `skip-in-grading`.", "",
             "| assignment | " + " | ".join(STAGES) + " |", "|---" * (len(STAGES) + 1) + "|"]
    for name in names:
        samples = [stage_times(name) for _ in range(runs)]
        medians = [statistics.median(s.get(stage, 0.0) for s in samples) for stage in STAGES]
        lines.append(f"| {name} | " + " | ".join(f"{m:.1f}" for m in medians) + " |")
    lines += ["", "## The whole reference submission (every assignment, suites and notebooks, one process)", "",
              "| machine | wall (s) | marks |", "|---|---|---|"]
    for label, count in (("quiet", 0), (f"{burners} CPU burners", burners)):
        seconds, report = whole_submission(names, count)
        lines.append(f"| {label} | {seconds:.1f} | {marks(report)} |")
    return "\n".join(lines)


def steady(times=10, burners=4, assignments=None):
    """Markdown: grade the whole reference ``times`` times in a row under ``burners`` CPU burners; every
    run must give full marks on every assignment (the table says which did not)."""
    lines = [f"## The same grade on a busy machine: the whole reference {times} times under {burners} CPU burners",
             "", "| run | wall (s) | full marks | marks |", "|---|---|---|---|"]
    full = 0
    for run_number in range(1, times + 1):
        seconds, report = whole_submission(assignments, burners)
        ok = all(part.score == part.max_score > 0 for part in report.assignments.values())
        full += ok
        lines.append(f"| {run_number} | {seconds:.1f} | {'yes' if ok else '**no**'} | {marks(report)} |")
    lines += ["", f"Full marks in {full} of {times} runs."]
    return "\n".join(lines)
