"""``make bench``: wall time of grading the reference, and each assignment's own bench."""

import importlib
import importlib.util
import statistics
import time
from pathlib import Path

from grader.grading.notebook import grade_notebooks
from grader.paths import SOLUTIONS, known_assignments
from grader.grading.suite import run_suite


def time_grading(assignment, runs):
    """Median wall times (s) of the hidden suite, the notebook run and checks, and both, on the reference."""
    suite_times, notebook_times = [], []
    for _ in range(runs):
        start = time.perf_counter()
        run_suite(assignment, SOLUTIONS / assignment)
        middle = time.perf_counter()
        grade_notebooks(assignment, SOLUTIONS / assignment)
        suite_times.append(middle - start)
        notebook_times.append(time.perf_counter() - middle)
    totals = [a + b for a, b in zip(suite_times, notebook_times)]
    return statistics.median(suite_times), statistics.median(notebook_times), statistics.median(totals)


def run_bench(runs=3, out=Path("build/bench.md"), only=None):
    """Run every bench; write and return the Markdown."""
    names = only or known_assignments()
    lines = ["# Benchmarks", "", f"## Grading the reference submission (wall time, median of {runs} runs)", "",
             "| assignment | hidden suite (s) | notebook (s) | total (s) |", "|---|---|---|---|"]
    for name in names:
        suite_s, notebook_s, total_s = time_grading(name, runs)
        lines.append(f"| {name} | {suite_s:.1f} | {notebook_s:.1f} | {total_s:.1f} |")
    sections = ["\n".join(lines)]
    for name in names:
        if importlib.util.find_spec(f"grader.benches.{name}") is not None:
            module = importlib.import_module(f"grader.benches.{name}")
            sections.append(module.run().strip())
    sections.append(importlib.import_module("grader.benches.time_limits").run(names).strip())
    if only is None:
        sections.append(importlib.import_module("grader.benches.roster").run().strip())
    text = "\n\n".join(sections) + "\n"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return text
