"""``python -m grader``: thin commands over the grading steps.

  grade SUBMISSION --student ID --report PATH   grade every assignment in a submission folder
  release [--check]                             regenerate assignments/ from solutions/
  mutants [--assignment A]                      check that the hidden suites catch every mutant
  collect REPORT...                             verify reports (<student>.json), record the good ones
  export --csv PATH                             one row per student, a column per assignment
  bench                                         time grading and run the assignments' benches

The semester (configured in course.toml):
  grade-roster [ROSTER] --jobs N --out DIR      grade every student of a roster, then collect the reports
  feedback --out DIR                            one HTML feedback page per student and assignment
  summary                                       the class summary (Markdown) from the gradebook
  publish-solutions --assignment A --out DIR    the solutions of an assignment past its due date
  student-template --out DIR                    build the student template repository's contents
  push-template BUILD --checkout DIR            commit a build into a template clone and push it
  plan                                          what a workflow run grades or publishes ($GITHUB_OUTPUT)
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
    from grader.runner import unisolated_warning

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
    warning = unisolated_warning()
    if warning:
        print(warning, file=sys.stderr)
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
    from grader.gradebook import collect
    from grader.report import is_official

    results = collect(args.gradebook, args.reports, _course_assignments(args.course), _roster_ids(args.roster))
    for result in results:
        if "error" in result:
            print(f"rejected {result['error']}", file=sys.stderr)
            continue
        report, claimed = result["report"], result["claimed"]
        notes = [] if is_official(report) else [
            f"unofficial: graded without isolation ({str(report.get('isolation', 'not stated'))[:40]})"]
        if claimed is not None:
            notes.append(f"the report claimed {str(claimed)[:40]}; recomputed from its tests")
        print(f"recorded {report['student']}: {report['score']:g} / {report['max_score']:g}"
              + "".join(f" ({note})" for note in notes))
    rejected = sum("error" in r for r in results)
    if rejected:
        print(f"{rejected} of {len(results)} report(s) rejected and not recorded: re-grade those students "
              "or fix their reports, then collect them again", file=sys.stderr)
    return 1 if rejected else 0


def _course_assignments(path):
    """The assignments a report may grade: those of --course, else of ./course.toml, else the repository's."""
    from grader.paths import known_assignments

    if path or Path("course.toml").is_file():
        return list(_course(path or "course.toml").assignments)
    return known_assignments()


def _roster_ids(path):
    """The student ids of a roster file (None without one)."""
    from grader.roster import RosterError, read_roster

    if not path:
        return None
    try:
        return {entry.student for entry in read_roster(path)}
    except RosterError as exc:
        raise UsageError(str(exc)) from None


def cmd_export(args):
    from grader.export import export_csv

    course = _course(args.course) if args.course else None
    count, problems = export_csv(args.gradebook, args.csv, late=args.late, course=course)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"wrote {count} student(s) to {args.csv}")
    return 1 if problems else 0


def _course(path):
    from grader.course import CourseError, load_course

    try:
        return load_course(path)
    except CourseError as exc:
        raise UsageError(str(exc)) from None


def _names(values):
    """Assignment names from repeated and/or comma-separated options."""
    return [name.strip() for value in values or [] for name in value.split(",") if name.strip()]


def cmd_grade_roster(args):
    from grader.course import CourseError
    from grader.roster import RosterError, grade_roster, results_table
    from grader.runner import RunnerError, official_isolation, require_root, revoke_sudo

    # Fail closed, before anything else: no student code runs unless it is isolated (or the dry run
    # was asked for), and on GitHub not before the runner user has lost its sudo rights.
    try:
        if args.revoke_sudo is not None:
            require_root("--revoke-sudo")
        warning = official_isolation(args.allow_unisolated)
        if warning:
            print(warning, file=sys.stderr)
        if args.revoke_sudo is not None:
            for line in revoke_sudo(args.revoke_sudo):
                print(f"revoke-sudo: {line}", file=sys.stderr)
    except RunnerError as exc:
        raise UsageError(str(exc)) from None
    course = _course(args.course)
    try:
        results = grade_roster(args.roster or course.roster, course, args.out, jobs=args.jobs,
                               assignments=_names(args.assignment) or None, only=args.only,
                               submissions=args.submissions, notebooks=not args.skip_notebooks,
                               gradebook=None if args.no_gradebook else args.gradebook)
    except (RosterError, CourseError) as exc:
        raise UsageError(str(exc)) from None
    print(results_table(results))
    return 1 if any("error" in r for r in results) else 0


def cmd_feedback(args):
    from grader.feedback import write_feedback

    paths, problems = write_feedback(args.gradebook, args.out, students=args.student,
                                     assignments=_names(args.assignment))
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"wrote {len(paths)} feedback page(s) to {args.out}")
    return 1 if problems else 0


def cmd_summary(args):
    from grader.summary import class_summary

    print(class_summary(args.gradebook))
    return 0


def cmd_publish_solutions(args):
    from grader.course import CourseError
    from grader.publish import PublishError, publish_solutions

    course = _course(args.course)
    names = _names(args.assignment) or (course.past_due() if args.due else [])
    if not names:
        if args.due:
            print("no assignment is past its due date: nothing to publish")
            return 0
        raise UsageError("name an assignment (--assignment aN) or use --due")
    try:
        for name in names:
            for path in publish_solutions(name, args.out, course, force=args.force):
                print(f"published {path}")
    except (PublishError, CourseError) as exc:
        raise UsageError(str(exc)) from None
    return 0


def cmd_student_template(args):
    from grader.template import TemplateError, build_student_template

    try:
        files = build_student_template(args.out)
    except TemplateError as exc:
        raise UsageError(str(exc)) from None
    print(f"built the student template in {args.out}: {len(files)} files")
    return 0


def cmd_push_template(args):
    from grader.template import TemplateError, push_template

    try:
        commit = push_template(args.build, args.checkout, args.message, push=not args.no_push)
    except TemplateError as exc:
        raise UsageError(str(exc)) from None
    print(f"pushed {commit}" if commit else "the student template is already up to date: nothing to push")
    return 0


def cmd_plan(args):
    from grader.course import CourseError
    from grader.roster import RosterError, plan

    course = _course(args.course)
    try:
        outputs = plan(course, _names(args.assignment), with_roster=args.roster)
    except (RosterError, CourseError) as exc:
        raise UsageError(str(exc)) from None
    text = "".join(f"{key}={value}\n" for key, value in outputs.items())
    if args.github_output:
        with open(args.github_output, "a") as handle:
            handle.write(text)
    print(text, end="")
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

    collect = sub.add_parser("collect", help="verify reports and record the good ones in the gradebook")
    collect.add_argument("reports", nargs="+", help="report files, each named <student>.json")
    collect.add_argument("--gradebook", default=DEFAULT_GRADEBOOK)
    collect.add_argument("--course", help="course.toml: the assignments a report may grade "
                                          "(default: ./course.toml if present, else the repository's assignments)")
    collect.add_argument("--roster", help="CSV student,submission: accept reports of these students only")
    collect.set_defaults(run=cmd_collect)

    export = sub.add_parser("export", help="export the gradebook as CSV")
    export.add_argument("--csv", required=True)
    export.add_argument("--gradebook", default=DEFAULT_GRADEBOOK)
    export.add_argument("--late", action="store_true",
                        help="add <assignment>_late (status) and <assignment>_late_days columns")
    export.add_argument("--course", help="course.toml: add course_points (scores scaled to each assignment's points)")
    export.set_defaults(run=cmd_export)

    roster = sub.add_parser("grade-roster", help="grade every student of a roster with a process pool")
    roster.add_argument("roster", nargs="?", help="CSV student,submission (default: the roster in course.toml)")
    roster.add_argument("--jobs", type=int, default=1, help="worker processes (default: %(default)s)")
    roster.add_argument("--out", default="build/reports", help="folder for the reports (default: %(default)s)")
    roster.add_argument("--assignment", action="append", help="grade only these (repeatable or comma-separated; "
                                                               "default: every assignment in course.toml)")
    roster.add_argument("--only", action="append", help="grade only this student (repeatable)")
    roster.add_argument("--submissions", help="folder with a checkout per student (<folder>/<student>) "
                                              "used instead of the roster's location")
    roster.add_argument("--course", help="course configuration (default: course.toml)")
    roster.add_argument("--gradebook", default=DEFAULT_GRADEBOOK)
    roster.add_argument("--no-gradebook", action="store_true", help="write the reports only (collect them later)")
    roster.add_argument("--skip-notebooks", action="store_true", help="run the hidden suites only")
    roster.add_argument("--allow-unisolated", action="store_true",
                        help="grade even where student code cannot be isolated (a dry run: reports say "
                             "isolation 'none' and are not official)")
    roster.add_argument("--revoke-sudo", metavar="USER",
                        help="as root, before any student code runs: take USER's sudo rights away and verify "
                             "(grade.yml passes the runner user)")
    roster.set_defaults(run=cmd_grade_roster)

    feedback = sub.add_parser("feedback", help="one HTML feedback page per student and assignment")
    feedback.add_argument("--out", required=True)
    feedback.add_argument("--gradebook", default=DEFAULT_GRADEBOOK)
    feedback.add_argument("--student", action="append", help="only this student (repeatable)")
    feedback.add_argument("--assignment", action="append")
    feedback.set_defaults(run=cmd_feedback)

    summary = sub.add_parser("summary", help="class summary: score distribution, per-test pass rates (Markdown)")
    summary.add_argument("--gradebook", default=DEFAULT_GRADEBOOK)
    summary.set_defaults(run=cmd_summary)

    publish = sub.add_parser("publish-solutions", help="publish the solutions of an assignment past its due date")
    publish.add_argument("--assignment", action="append")
    publish.add_argument("--due", action="store_true", help="every assignment past its due date")
    publish.add_argument("--out", required=True)
    publish.add_argument("--force", action="store_true", help="publish even before the due date")
    publish.add_argument("--course", help="course configuration (default: course.toml)")
    publish.set_defaults(run=cmd_publish_solutions)

    template = sub.add_parser("student-template", help="build the student template repository's contents")
    template.add_argument("--out", required=True, help="a new (or empty) folder")
    template.set_defaults(run=cmd_student_template)

    push = sub.add_parser("push-template", help="commit a student-template build into a clone and push it")
    push.add_argument("build")
    push.add_argument("--checkout", required=True, help="a git clone of the student template repository")
    push.add_argument("--message", default="Update the student release")
    push.add_argument("--no-push", action="store_true", help="commit only")
    push.set_defaults(run=cmd_push_template)

    plan = sub.add_parser("plan", help="what a workflow run works on (key=value lines; --github-output appends)")
    plan.add_argument("--assignment", action="append", help="default: every assignment past its due date")
    plan.add_argument("--roster", action="store_true", help="also the roster as a JSON matrix")
    plan.add_argument("--course")
    plan.add_argument("--github-output", help="append the lines to this file ($GITHUB_OUTPUT)")
    plan.set_defaults(run=cmd_plan)

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
