"""Roster throughput: 20 a1_cells submissions (local git repositories made from the template: reference,
stub and mutants), graded by grade-roster with the hidden suite only, with 1 and with 2 worker
processes; then the daily regrade of the same, unchanged class, which reuses every stored result."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from grader.semester.course import load_course
from grader.authoring.mutants import build_mutant, mutant_paths
from grader.paths import ASSIGNMENTS, SOLUTIONS
from grader.semester.grade_roster import grade_roster

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
    """``count`` student repositories under ``root`` (the template's commit, then the student's);
    returns the course.toml path."""
    mutants = mutant_paths(ASSIGNMENT)
    env = dict(os.environ, **GIT_ENV)
    lines = ["student,submission"]
    for index in range(count):
        repo = root / f"s{index:02d}"
        shutil.copytree(ASSIGNMENTS / ASSIGNMENT, repo / ASSIGNMENT, ignore=shutil.ignore_patterns("__pycache__"))
        git = ["git", "-C", str(repo)]
        for args in (["init", "--quiet"], ["add", "--all"], ["commit", "--quiet", "-m", "template"]):
            subprocess.run(git + args, check=True, capture_output=True, env=env)
        shutil.rmtree(repo / ASSIGNMENT)
        kind = index % 4
        if kind == 0:
            shutil.copytree(ASSIGNMENTS / ASSIGNMENT, repo / ASSIGNMENT)
            (repo / ASSIGNMENT / "notes.md").write_text("started\n")
        elif kind == 1:
            shutil.copytree(SOLUTIONS / ASSIGNMENT, repo / ASSIGNMENT, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            build_mutant(ASSIGNMENT, mutants[index % len(mutants)], repo)
        for args in (["add", "--all"], ["commit", "--quiet", "-m", "submission"]):
            subprocess.run(git + args, check=True, capture_output=True, env=env)
        lines.append(f"{repo.name},{repo.name}")
    (root / "roster.csv").write_text("\n".join(lines) + "\n")
    (root / "course.toml").write_text(COURSE)
    return root / "course.toml"


def _grade(root, course, out, **options):
    start = time.perf_counter()
    _, results = grade_roster(root / "roster.csv", course, root / out, assignments=[ASSIGNMENT], notebooks=False,
                              **options)
    seconds = time.perf_counter() - start
    failed = [r for r in results if "error" in r or r["status"] != "graded"]
    if failed:
        raise RuntimeError(f"bench submissions not graded: {failed[:2]}")
    return seconds, sum(len(r["reused"]) for r in results)


def measure(count=SUBMISSIONS, jobs=(1, 2)):
    """``({jobs: seconds}, (daily regrade seconds, results reused))`` for the same class."""
    with tempfile.TemporaryDirectory(prefix="grader-bench-roster-") as tmp:
        root = Path(tmp)
        course = load_course(make_class(root, count))
        times = {workers: _grade(root, course, f"reports-{workers}", jobs=workers, force=True)[0]
                 for workers in jobs}
        book = root / "gradebook.sqlite"
        _grade(root, course, "first", jobs=max(jobs), gradebook=book)
        daily = _grade(root, course, "daily", jobs=max(jobs), gradebook=book)
    return times, daily


def run():
    times, (daily, reused) = measure()
    lines = [f"## Roster throughput: grade-roster, {SUBMISSIONS} {ASSIGNMENT} submissions, hidden suite only", "",
             "| workers (--jobs) | wall time (s) | submissions per minute | speed-up |", "|---|---|---|---|"]
    for workers, seconds in times.items():
        lines.append(f"| {workers} | {seconds:.1f} | {SUBMISSIONS / seconds * 60:.1f} | {times[1] / seconds:.2f}x |")
    lines += ["", f"Target: at least 1.8x with two workers (measured here on {os.cpu_count()} cores).", "",
              f"Daily regrade of the same, unchanged class (results stored in the gradebook): {daily:.1f} s, "
              f"{reused} of {SUBMISSIONS} results reused."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
