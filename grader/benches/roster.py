"""Roster throughput: 20 a1_cells submissions (local git repositories: reference, stub and mutants),
graded by grade-roster with the hidden suite only, with 1 and with 2 worker processes, in the same run."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from grader.course import load_course
from grader.mutants import build_mutant, mutant_paths
from grader.paths import ASSIGNMENTS, SOLUTIONS
from grader.roster import grade_roster

SUBMISSIONS = 20
ASSIGNMENT = "a1_cells"
COURSE = """[course]
name = "bench"
roster = "roster.csv"
student_template = "bench/template"

[assignments.a1_cells]
due = 2099-01-01T00:00:00Z
points = 1
"""
GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.org", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.org", "GIT_AUTHOR_DATE": "2027-01-01T00:00:00Z",
           "GIT_COMMITTER_DATE": "2027-01-01T00:00:00Z", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def make_class(root, count=SUBMISSIONS):
    """``count`` student repositories under ``root``; returns the course.toml path."""
    mutants = mutant_paths(ASSIGNMENT)
    env = dict(os.environ, **GIT_ENV)
    lines = ["student,submission"]
    for index in range(count):
        repo = root / f"s{index:02d}"
        kind = index % 4
        if kind == 0:
            shutil.copytree(ASSIGNMENTS / ASSIGNMENT, repo / ASSIGNMENT)
        elif kind == 1:
            shutil.copytree(SOLUTIONS / ASSIGNMENT, repo / ASSIGNMENT, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            build_mutant(ASSIGNMENT, mutants[index % len(mutants)], repo)
        for args in (["init", "--quiet"], ["add", "--all"], ["commit", "--quiet", "-m", "submission"]):
            subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)
        lines.append(f"{repo.name},{repo.name}")
    (root / "roster.csv").write_text("\n".join(lines) + "\n")
    (root / "course.toml").write_text(COURSE)
    return root / "course.toml"


def measure(count=SUBMISSIONS, jobs=(1, 2)):
    """``{jobs: seconds}`` for grading the same class with each number of workers."""
    with tempfile.TemporaryDirectory(prefix="grader-bench-roster-") as tmp:
        root = Path(tmp)
        course = load_course(make_class(root, count))
        times = {}
        for workers in jobs:
            start = time.perf_counter()
            results = grade_roster(root / "roster.csv", course, root / f"reports-{workers}", jobs=workers,
                                   notebooks=False)
            times[workers] = time.perf_counter() - start
            failed = [r for r in results if "error" in r]
            if failed:
                raise RuntimeError(f"bench submissions not graded: {failed[:2]}")
    return times


def run():
    times = measure()
    lines = [f"## Roster throughput: grade-roster, {SUBMISSIONS} {ASSIGNMENT} submissions, hidden suite only", "",
             "| workers (--jobs) | wall time (s) | submissions per minute | speed-up |", "|---|---|---|---|"]
    for workers, seconds in times.items():
        lines.append(f"| {workers} | {seconds:.1f} | {SUBMISSIONS / seconds * 60:.1f} | {times[1] / seconds:.2f}x |")
    lines += ["", f"Target: at least 1.8x with two workers (measured here on {os.cpu_count()} cores)."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
