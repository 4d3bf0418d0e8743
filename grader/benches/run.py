"""``make bench``: wall time of grading the reference, and each assignment's own bench."""

import importlib
import importlib.util
from pathlib import Path

from grader.benches import grading
from grader.paths import known_assignments


def run_bench(runs=3, out=Path("build/bench.md"), only=None):
    """Run every bench; write and return the Markdown."""
    names = only or known_assignments()
    sections = ["# Benchmarks", grading.run(names, runs).strip()]
    for name in names:
        if importlib.util.find_spec(f"grader.benches.{name}") is not None:
            module = importlib.import_module(f"grader.benches.{name}")
            sections.append(module.run().strip())
    sections.append(importlib.import_module("grader.benches.time_limits").run(names).strip())
    sections.append(importlib.import_module("grader.benches.sandbox").run().strip())
    if only is None:
        sections.append(importlib.import_module("grader.benches.roster").run().strip())
    text = "\n\n".join(sections) + "\n"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return text


def run_steady(times=10, burners=4, out=Path("build/bench-steady.md"), only=None):
    """Grade the whole reference ``times`` times under ``burners`` CPU burners; write and return the Markdown."""
    text = grading.steady(times, burners, only).strip() + "\n"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return text
