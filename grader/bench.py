"""``make bench``: wall time of grading the reference, and each assignment's own bench."""

import importlib
import statistics
import time
from pathlib import Path

from grader.grade import grade_assignment
from grader.paths import BENCHES, SOLUTIONS, known_assignments


def time_grading(assignment, runs):
    """Median wall time (s) of the hidden suite and of the notebook autograde on the reference."""
    suite_times, notebook_times = [], []
    for _ in range(runs):
        start = time.perf_counter()
        grade_assignment(SOLUTIONS.parent / "solutions", assignment, notebooks=False)
        suite_times.append(time.perf_counter() - start)
    start = time.perf_counter()
    from grader.notebook import grade_notebooks

    grade_notebooks(assignment, SOLUTIONS / assignment)
    notebook_times.append(time.perf_counter() - start)
    return statistics.median(suite_times), statistics.median(notebook_times)


def run_bench(runs=3, out=Path("build/bench.md"), only=None):
    """Run every bench; write and return the Markdown."""
    names = only or known_assignments()
    lines = ["# Benchmarks", "", f"## Grading the reference submission (median of {runs} suite runs)", "",
             "| assignment | hidden suite (s) | notebook autograde (s) |", "|---|---|---|"]
    for name in names:
        suite_s, notebook_s = time_grading(name, runs)
        lines.append(f"| {name} | {suite_s:.1f} | {notebook_s:.1f} |")
    sections = ["\n".join(lines)]
    for name in names:
        if (BENCHES / f"{name}.py").exists():
            module = importlib.import_module(f"grader.benches.{name}")
            sections.append(module.run().strip())
    text = "\n\n".join(sections) + "\n"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return text
