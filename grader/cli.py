"""``python -m grader``: thin commands over the grading steps.

  grade SUBMISSION --student ID --report PATH   grade every assignment in a submission folder
  release [--check]                             regenerate assignments/ from solutions/
  mutants [--assignment A]                      check that the hidden suites catch every mutant
  collect REPORT...                             record reports in the gradebook
  export --csv PATH                             one row per student, a column per assignment
  bench                                         time grading and run the assignments' benches
"""

import argparse
import os
import sys
from pathlib import Path

DEFAULT_GRADEBOOK = os.environ.get("GRADER_GRADEBOOK", "gradebook.sqlite")


class UsageError(Exception):
    """Bad input from the command line: printed as one line, exit status 2."""


def cmd_grade(args):
    from grader.grade import GradingError, grade_submission
    from grader.gradebook import record
    from grader.report import markdown_summary, write_report

    try:
        report = grade_submission(args.submission, args.student, args.assignment or None,
                                  notebooks=not args.skip_notebooks)
    except GradingError as exc:
        raise UsageError(str(exc)) from None
    write_report(report, args.report)
    if not args.no_gradebook:
        record(args.gradebook, report)
    if not args.quiet:
        print(markdown_summary(report))
    return 0


def cmd_release(args):
    from grader.leaks import find_leaks
    from grader.paths import known_assignments
    from grader.release import release, stale_files

    names = args.assignment or None
    if args.check:
        stale = stale_files(names)
        leaks = [leak for name in names or known_assignments() for leak in find_leaks(name)]
        for path in stale:
            print(f"stale: assignments/{path}")
        for path, line in leaks:
            print(f"leak: {path}: {line[:100]}")
        if stale or leaks:
            print(f"assignments/ is not a fresh, clean release ({len(stale)} stale, {len(leaks)} leaked lines): "
                  "run `make release`.")
            return 1
        print("assignments/ is up to date with solutions/ and leaks nothing.")
        return 0
    for folder in release(assignments=names):
        print(f"released {folder.relative_to(folder.parent.parent)}")
    return 0


def cmd_mutants(args):
    from grader.mutants import run_mutants, survived
    from grader.paths import known_assignments

    failures = 0
    for name in args.assignment or known_assignments():
        results = run_mutants(name, exitfirst=args.quick)
        print(f"## Mutants of {name}: {len(results)}\n")
        print("| mutant | suite score | caught by |\n|---|---|---|")
        for result in results:
            if "error" in result:
                print(f"| {result['mutant']} | ERROR | {result['error'].splitlines()[-1][:150]} |")
            else:
                caught = ", ".join(f"`{t}`" for t in result["caught_by"][:4]) or "**nothing: not caught**"
                more = f" and {len(result['caught_by']) - 4} more" if len(result["caught_by"]) > 4 else ""
                print(f"| {result['mutant']} | {result['score']:g} / {result['max_score']:g} | {caught}{more} |")
            failures += survived(result)
        print()
    if failures:
        print(f"{failures} mutant(s) not caught or not gradable.")
    return 1 if failures else 0


def cmd_collect(args):
    from grader.gradebook import record
    from grader.report import read_report

    for path in args.reports:
        try:
            report = read_report(path)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        record(args.gradebook, report)
        print(f"recorded {report['student']}: {report['score']:g} / {report['max_score']:g}")
    return 0


def cmd_export(args):
    from grader.export import export_csv

    count = export_csv(args.gradebook, args.csv)
    print(f"wrote {count} student(s) to {args.csv}")
    return 0


def cmd_bench(args):
    from grader.bench import run_bench

    print(run_bench(runs=args.runs, out=Path(args.out), only=args.assignment or None))
    return 0


def parser():
    top = argparse.ArgumentParser(prog="python -m grader", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", required=True)

    grade = sub.add_parser("grade", help="grade one submission folder")
    grade.add_argument("submission", help="folder with the same layout as assignments/")
    grade.add_argument("--student", required=True, help="the student's id, recorded in the report")
    grade.add_argument("--report", required=True, help="where to write the JSON report")
    grade.add_argument("--gradebook", default=DEFAULT_GRADEBOOK, help="SQLite gradebook (default: %(default)s)")
    grade.add_argument("--no-gradebook", action="store_true", help="do not record the report")
    grade.add_argument("--assignment", action="append", help="grade only this assignment (repeatable)")
    grade.add_argument("--skip-notebooks", action="store_true", help="run the hidden suites only")
    grade.add_argument("--quiet", action="store_true", help="do not print the summary")
    grade.set_defaults(run=cmd_grade)

    release = sub.add_parser("release", help="regenerate assignments/ from solutions/")
    release.add_argument("--check", action="store_true", help="only check that assignments/ is fresh and leak-free")
    release.add_argument("--assignment", action="append")
    release.set_defaults(run=cmd_release)

    mutants = sub.add_parser("mutants", help="grade every known-wrong mutant with the hidden suite")
    mutants.add_argument("--assignment", action="append")
    mutants.add_argument("--quick", action="store_true", help="stop each mutant at its first failed test")
    mutants.set_defaults(run=cmd_mutants)

    collect = sub.add_parser("collect", help="record reports in the gradebook")
    collect.add_argument("reports", nargs="+")
    collect.add_argument("--gradebook", default=DEFAULT_GRADEBOOK)
    collect.set_defaults(run=cmd_collect)

    export = sub.add_parser("export", help="export the gradebook as CSV")
    export.add_argument("--csv", required=True)
    export.add_argument("--gradebook", default=DEFAULT_GRADEBOOK)
    export.set_defaults(run=cmd_export)

    bench = sub.add_parser("bench", help="benchmarks (grading time and each assignment's bench)")
    bench.add_argument("--runs", type=int, default=3)
    bench.add_argument("--out", default="build/bench.md")
    bench.add_argument("--assignment", action="append")
    bench.set_defaults(run=cmd_bench)
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
