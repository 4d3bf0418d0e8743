"""Check your work before you push: the public tests of each assignment and `nbgrader validate`
of each notebook. Prints a Markdown table (also written to the GitHub Actions job summary when
it runs there) and exits with 1 when something fails.

    python tools/check_submission.py                 every assignment in assignments/
    python tools/check_submission.py --assignment a1_cells
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 1200


def last_line(text, default):
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else default


def public_tests(folder):
    """(passed, one-line result) of pytest on the assignment's tests/ folder."""
    if not (folder / "tests").is_dir():
        return True, "no public tests"
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=folder,
                         capture_output=True, text=True, timeout=TIMEOUT)
    return run.returncode == 0, last_line(run.stdout, "pytest printed nothing")


def validate(notebook):
    """(passed, one-line result) of `nbgrader validate` on one notebook."""
    run = subprocess.run([sys.executable, "-m", "nbgrader", "validate", notebook.name], cwd=notebook.parent,
                         capture_output=True, text=True, timeout=TIMEOUT)
    text = run.stdout + run.stderr
    passed = run.returncode == 0 and "Success!" in text
    if passed:
        return True, "every test cell passes"
    failed = text.count("The following cell failed")
    return False, f"{failed} cell(s) failed" if failed else last_line(text, "nbgrader validate failed")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    args = parser.parse_args(argv)
    folders = sorted(p for p in (ROOT / "assignments").iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    if args.assignment:
        unknown = sorted(set(args.assignment) - {p.name for p in folders})
        if unknown:
            print(f"error: no assignment {unknown[0]!r} in assignments/", file=sys.stderr)
            return 2
        folders = [p for p in folders if p.name in args.assignment]
    lines = ["## Checks of your submission", "", "| assignment | public tests | notebook (nbgrader validate) |",
             "|---|---|---|"]
    ok = True
    for folder in folders:
        tests_ok, tests = public_tests(folder)
        passed = tests_ok
        cells = []
        for notebook in sorted(folder.glob("*.ipynb")):
            valid, result = validate(notebook)
            passed = passed and valid
            cells.append(f"{'pass' if valid else 'FAIL'}: {notebook.name}: {result}")
        ok = ok and passed
        lines.append(f"| {folder.name} | {'pass' if tests_ok else 'FAIL'}: {tests} | {'<br>'.join(cells) or 'no notebook'} |")
    lines += ["", "These are the public checks only; the official grade comes from hidden tests."]
    text = "\n".join(lines) + "\n"
    print(text)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a") as handle:
            handle.write(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
