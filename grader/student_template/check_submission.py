"""Check your work before you push: the public tests of each assignment you have started and
`nbgrader validate` of its notebook. Prints a Markdown table (also written to the GitHub Actions job
summary when it runs there) and exits with 1 when a started assignment fails.

An assignment counts as started once a file you edit in it (its module, its notebook) differs from the
release: tools/released.json holds a fingerprint of each as released. Running the notebook does not count
(outputs are left out), nor do spaces at the end of a line; changing a line of code or of a notebook cell
does. An assignment you have not started is "not started": not checked, and no failure.

    python tools/check_submission.py                          every assignment you have started
    python tools/check_submission.py --assignment a1_cells    this one, started or not
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELEASED = ROOT / "tools" / "released.json"
TIMEOUT = 1200
EDITED = (".py", ".ipynb")


def edited_files(folder):
    """The files of an assignment a student edits: its modules and notebooks (not its tests/).

    Args: folder: the assignment's folder. Returns: their paths, sorted."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in EDITED)


def fingerprint(path):
    """The SHA-256 of what a student writes in one file, blind to what running it or an editor changes.

    A module counts by its lines, a notebook by its cells' types and sources (not outputs, execution counts
    or metadata); line endings and spaces at the end of a line do not count.
    Args: path: a .py or .ipynb file. Returns: the hex digest ("unreadable" for a notebook that is not JSON)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        try:
            cells = json.loads(text)["cells"]
            text = json.dumps([[cell.get("cell_type"), "".join(cell.get("source") or "")] for cell in cells])
        except (ValueError, KeyError, TypeError, AttributeError):
            return "unreadable"
    lines = [line.rstrip() for line in text.splitlines()]
    return hashlib.sha256("\n".join(lines).strip().encode()).hexdigest()


def release_fingerprints(assignments):
    """The fingerprints of every assignment's edited files as released (what tools/released.json holds).

    Args: assignments: the assignments/ folder of a release. Returns: {assignment: {file name: fingerprint}}."""
    return {folder.name: {p.name: fingerprint(p) for p in edited_files(folder)}
            for folder in assignment_folders(assignments)}


def assignment_folders(assignments):
    """The assignment folders of an assignments/ folder, sorted."""
    return sorted(p for p in assignments.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def is_started(folder, released):
    """Whether the student has changed, added or removed a file they edit in this assignment.

    Args: folder: the assignment's folder; released: release_fingerprints() of the release.
    Returns: True when it differs from the release, or when the release does not list it."""
    if folder.name not in released:
        return True
    return {p.name: fingerprint(p) for p in edited_files(folder)} != released[folder.name]


def read_released():
    """tools/released.json, or {} (every assignment then counts as started) when it is missing or broken."""
    try:
        data = json.loads(RELEASED.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def last_line(text, default):
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else default


def public_tests(folder):
    """Run pytest on the assignment's tests/ folder.

    Args: folder: the assignment's folder. Returns: (passed, total, problems): problems are one line each,
    a failing test with its message's first line, or what kept pytest from running the tests."""
    if not (folder / "tests").is_dir():
        return 0, 0, []
    with tempfile.TemporaryDirectory() as scratch:
        junit = Path(scratch) / "junit.xml"
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}",
                              "tests"], cwd=folder, capture_output=True, text=True, timeout=TIMEOUT)
        try:
            cases = list(ElementTree.parse(junit).getroot().iter("testcase"))
        except (OSError, ElementTree.ParseError):
            return 0, 0, [f"pytest did not run: {last_line(run.stderr or run.stdout, 'no output')}"]
    passed, problems = 0, []
    for case in cases:
        outcome = next((child for child in case if child.tag in ("failure", "error", "skipped")), None)
        if outcome is None:
            passed += 1
        elif outcome.tag != "skipped":
            message = (outcome.get("message") or outcome.tag).strip().splitlines() or [outcome.tag]
            problems.append(f"{case.get('name')}: {message[0]}")
    if run.returncode not in (0, 5) and not problems:
        problems.append(f"pytest failed: {last_line(run.stdout, 'no output')}")
    return passed, len(cases), problems


def validate(notebook):
    """Run `nbgrader validate` on one notebook.

    Args: notebook: its path. Returns: (valid, one line saying what failed, or "")."""
    run = subprocess.run([sys.executable, "-m", "nbgrader", "validate", notebook.name], cwd=notebook.parent,
                         capture_output=True, text=True, timeout=TIMEOUT)
    text = run.stdout + run.stderr
    if run.returncode == 0 and "Success!" in text:
        return True, ""
    failed = text.count("The following cell failed")
    return False, f"{failed} cell(s) failed" if failed else last_line(text, "nbgrader validate failed")


def check(folder):
    """Check one assignment: its public tests and every notebook.

    Args: folder: the assignment's folder. Returns: (table row, problems, passed)."""
    passed, total, problems = public_tests(folder)
    notebooks = []
    for notebook in sorted(folder.glob("*.ipynb")):
        valid, why = validate(notebook)
        notebooks.append("yes" if valid else f"no ({why})")
        if not valid:
            problems.append(f"{notebook.name}: nbgrader validate: {why}")
    ok = not problems and passed == total
    tests = f"{passed}/{total}" if total else ("did not run" if problems else "none")
    row = f"| {folder.name} | {'passed' if ok else 'failed'} | {tests} | {', '.join(notebooks) or 'no notebook'} |"
    return row, problems, ok


HEADER = ["## Checks of your submission", "",
          "| assignment | status | public tests passed | notebook valid (nbgrader validate) |", "|---|---|---|---|"]
FOOTER = ["", "*not started*: no file you edit differs from the release yet; it is not checked and is no failure. "
          "These are the public checks only; the official grade comes from hidden tests."]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assignment", action="append", help="only this assignment, started or not (repeatable)")
    args = parser.parse_args(argv)
    folders = assignment_folders(ROOT / "assignments")
    if args.assignment:
        unknown = sorted(set(args.assignment) - {p.name for p in folders})
        if unknown:
            print(f"error: no assignment {unknown[0]!r} in assignments/", file=sys.stderr)
            return 2
        folders = [p for p in folders if p.name in args.assignment]
    released = read_released()
    lines, details, failed = list(HEADER), [], []
    for folder in folders:
        if not args.assignment and not is_started(folder, released):
            lines.append(f"| {folder.name} | not started | – | – |")
            continue
        row, problems, ok = check(folder)
        lines.append(row)
        if not ok:
            failed.append(folder.name)
            details += [f"- {folder.name}: {problem}" for problem in problems]
    lines += FOOTER
    if details:
        lines += ["", "### What failed", "", *details]
    text = "\n".join(lines) + "\n"
    print(text)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a") as handle:
            handle.write(text)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
