"""Where things live in the course repository."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
ASSIGNMENTS = REPO / "assignments"
SUITES = REPO / "grader" / "suites"
MUTANTS = REPO / "grader" / "mutants"
BENCHES = REPO / "grader" / "benches"


def known_assignments():
    """Assignments that have both an instructor source and a hidden suite, in order."""
    return sorted(
        p.name for p in SOLUTIONS.iterdir() if p.is_dir() and (SUITES / p.name).is_dir() and not p.name.startswith(".")
    )
