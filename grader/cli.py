"""``python -m grader``: thin commands over the grading steps.

  grade SUBMISSION --student ID --report PATH   grade every assignment in a submission folder
  release [--check]                             regenerate assignments/ from solutions/
  mutants [--assignment A]                      check that the hidden suites catch every mutant
  collect REPORT...                             verify reports (<student>.json), record the good ones
  export --csv PATH [--format canvas|moodle]    one row per student, a column per assignment
  bench                                         time grading and run the assignments' benches

The semester (configured in course.toml):
  grade-roster [ROSTER] --jobs N --out DIR      grade the due assignments of every roster student, then collect
  fetch --students S1,S2 --out DIR              clone students' repositories and their push timelines (GitHub)
  not-graded --students S1,S2 --reason TEXT     a "not graded" report for each student left without one
  feedback --out DIR                            one HTML feedback page per student and assignment
  summary                                       the class summary (Markdown) from the gradebook
  publish-solutions --assignment A --out DIR    the solutions of an assignment whose late window has closed
  deliver --feedback [--solutions DIR]          push feedback pages and solutions to each student's repository
  similarity --assignment A [ROSTER]            compare every pair of submissions' code (HTML and CSV report)
  manual prepare|sheet|import --assignment A    written answers graded by hand (formgrader or a CSV sheet)
  student-template --out DIR                    build the student template repository's contents
  push-template BUILD --checkout DIR            commit a build into a template clone and push it
  plan                                          what a workflow run grades or publishes ($GITHUB_OUTPUT)
"""

import argparse
import os
import sys
from pathlib import Path

from grader.errors import GraderError

DEFAULT_GRADEBOOK = os.environ.get("GRADER_GRADEBOOK", "gradebook.sqlite")


class UsageError(GraderError):
    """Bad input from the command line: printed as one line, exit status 2."""


def cmd_grade(args):
    from grader.grading.grade import grade_submission
    from grader.records.gradebook import record
    from grader.records.report import markdown_summary, write_report
    from grader.runner import unisolated_warning

    report = grade_submission(args.submission, args.student, args.assignment or None,
                              notebooks=not args.skip_notebooks)
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
    from grader.authoring.leaks import find_leaks
    from grader.paths import known_assignments
    from grader.authoring.release import release, stale_files

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
    from grader.authoring.mutants import run_mutants, survived, undiagnosed
    from grader.paths import known_assignments

    def tests(names):
        shown = ", ".join(f"`{t}`" for t in names[:3])
        return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")

    failures = 0
    for name in args.assignment or known_assignments():
        results = run_mutants(name, exitfirst=args.quick)
        print(f"## Mutants of {name}: {len(results)}\n")
        print("| mutant | suite score | caught by | diagnosed as |\n|---|---|---|---|")
        for result in results:
            if "error" in result:
                print(f"| {result['mutant']} | ERROR | {result['error'].splitlines()[-1][:150]} | |")
                failures += 1
                continue
            caught = tests(result["caught_by"]) or "**nothing: not caught**"
            if result["diagnosis"] is not True:
                diagnosis = f"({result['diagnosis'][:120]})"
            elif result["diagnosed_as"]:
                named = result["diagnosed_as"]
                diagnosis = f"{len(named)} of {len(result['caught_by'])} failure messages, e.g. `{named[0]}`"
            else:
                diagnosis = "**no message names it**"
            print(f"| {result['mutant']} | {result['score']:g} / {result['max_score']:g} | {caught} | {diagnosis} |")
            failures += survived(result) or (undiagnosed(result) and not args.quick)
        print()
    if failures:
        print(f"{failures} mutant(s) not caught, not diagnosed or not gradable.")
    return 1 if failures else 0


def cmd_collect(args):
    from grader.records.gradebook import collect

    results = collect(args.gradebook, args.reports, _course_assignments(args.course), _roster_ids(args.roster))
    for result in results:
        if "error" in result:
            print(f"rejected {result['error']}", file=sys.stderr)
            continue
        report, claimed = result["report"], result["claimed"]
        notes = [] if report.official else [
            f"unofficial: graded without isolation ({report.isolation[:40]})"]
        if claimed is not None:
            notes.append(f"the report claimed {str(claimed)[:40]}; recomputed from its tests")
        if report.status != "graded":
            notes.append(f"{report.status}: {report.reason[:200]}")
        if result["kept"]:
            notes.append(f"kept the earlier grade of {', '.join(result['kept'])}")
        print(f"recorded {report.student}: {report.score:g} / {report.max_score:g}"
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
    from grader.semester.roster import read_roster

    return {entry.student for entry in read_roster(path)} if path else None


def cmd_export(args):
    from grader.records.export import ExportError, export_csv

    if args.format != "csv":
        return export_for_lms(args)
    if args.lms_id_column:
        raise UsageError("--lms-id-column is for --format canvas or moodle")
    course = _course(args.course) if args.course else None
    try:
        count, problems, mixed = export_csv(args.gradebook, args.csv, late=args.late, course=course,
                                            allow_mixed=args.allow_mixed,
                                            roster=roster_students(course) if course is not None else None)
    except ExportError as exc:
        print(f"error: nothing exported: {exc}", file=sys.stderr)
        return 1
    for problem in problems:
        print(problem, file=sys.stderr)
    for line in mixed:
        print(f"warning (--allow-mixed): {line}", file=sys.stderr)
    print(f"wrote {count} student(s) to {args.csv}")
    return 1 if problems else 0


def export_for_lms(args):
    """``export --format canvas|moodle``: course points per assignment, students found by a roster column."""
    from grader.records.export import ExportError
    from grader.records.lms import export_lms
    from grader.semester.roster import read_roster

    if args.late:
        raise UsageError("--late adds columns to --format csv only")
    course = _course(args.course or "course.toml")
    identities = {entry.student: entry.identity for entry in read_roster(course.roster)}
    try:
        count, problems, mixed, empty = export_lms(args.gradebook, args.csv, args.format, course, identities,
                                                   args.lms_id_column, args.allow_mixed)
    except ExportError as exc:
        print(f"error: nothing exported: {exc}", file=sys.stderr)
        return 1
    for line in problems + empty:
        print(line, file=sys.stderr)
    for line in mixed:
        print(f"warning (--allow-mixed): {line}", file=sys.stderr)
    print(f"wrote {count} student(s) to {args.csv} ({args.format}; {len(empty)} grade(s) left empty)")
    return 1 if problems else 0


def roster_students(course):
    """The student ids of the course's roster, or [] when it has none readable here."""
    from grader.semester.roster import RosterError, read_roster

    try:
        return [entry.student for entry in read_roster(course.roster)]
    except RosterError:
        return []


def _course(path):
    from grader.semester.course import load_course

    return load_course(path)


def _names(values):
    """Names from repeated and/or comma-separated options (the parser has split them already)."""
    return list(values or [])


def cmd_grade_roster(args):
    from grader.runner import hand_back, official_isolation, require_root, revoke_sudo

    # Fail closed, before anything else: no student code runs unless it is isolated (or the dry run
    # was asked for), and on GitHub not before the runner user has lost its sudo rights.
    if args.revoke_sudo is not None:
        require_root("--revoke-sudo")
    warning = official_isolation(args.allow_unisolated)
    if warning:
        print(warning, file=sys.stderr)
    if args.revoke_sudo is not None:
        for line in revoke_sudo(args.revoke_sudo):
            print(f"revoke-sudo: {line}", file=sys.stderr)
    from grader.semester.grade_roster import grade_roster, results_table

    course = _course(args.course)
    try:
        names, results = grade_roster(args.roster or course.roster, course, args.out, jobs=args.jobs,
                                      assignments=args.assignment or None, only=args.only,
                                      submissions=args.submissions, notebooks=not args.skip_notebooks,
                                      gradebook=None if args.no_gradebook else args.gradebook,
                                      push_times=args.push_times, previous=args.previous, force=args.force,
                                      stale=args.stale)
    finally:
        hand_back(args.out)   # run through sudo (grade.yml): the runner user's next steps write there too
    if not names:
        print("No assignment is past its due date: nothing to grade (--assignment all grades every one).")
        return 0
    if not results:
        print(f"Nobody to grade for {', '.join(names)}" + (": no report is stale." if args.stale else "."))
        return 0
    print(f"Graded {', '.join(names)}.\n")
    print(results_table(results))
    return 1 if any("error" in r or r["status"] != "graded" for r in results) else 0


def cmd_feedback(args):
    from grader.records.feedback import write_feedback

    roster = roster_students(_course(args.course)) if args.course else None
    paths, problems = write_feedback(args.gradebook, args.out, students=args.student,
                                     assignments=_names(args.assignment), roster=roster)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"wrote {len(paths)} feedback page(s) to {args.out}")
    return 1 if problems else 0


def cmd_summary(args):
    from grader.records.summary import MixedVersions, class_summary

    roster = None
    if args.course:
        roster = roster_students(_course(args.course))
    try:
        print(class_summary(args.gradebook, roster, allow_mixed=args.allow_mixed))
    except MixedVersions as exc:
        print(f"error: no summary: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_publish_solutions(args):
    from grader.authoring.publish import publish_solutions

    course = _course(args.course)
    names = _names(args.assignment) or (course.publishable() if args.due else [])
    if not names:
        if args.due:
            print("no assignment's late window has closed (due date or latest extension, plus grace and "
                  "max_late_days): nothing to publish")
            return 0
        raise UsageError("name an assignment (--assignment aN) or use --due")
    for name in names:
        for path in publish_solutions(name, args.out, course, force=args.force):
            print(f"published {path}")
    return 0


def cmd_deliver(args):
    """Push each roster student's feedback pages and/or the published solutions to a branch of their repository."""
    from grader.semester.deliver import deliver
    from grader.semester.github import GITHUB_URL

    course = _course(args.course)
    if not args.feedback and args.solutions is None:
        raise UsageError("name what to deliver: --feedback (the gradebook's pages) and/or --solutions DIR")
    if course.delivery.mode == "off":
        print(f"feedback delivery is off in {course.path.name} ([feedback] deliver = \"branch\" turns it on): "
              "nothing delivered")
        return 0
    if args.feedback and not Path(args.gradebook).is_file():
        raise UsageError(f"no gradebook at {args.gradebook}: collect the reports first")
    outcomes, notes = deliver(course, args.gradebook if args.feedback else None, args.solutions, _names(args.only),
                              os.environ.get("GRADER_GITHUB_TOKEN") or None,
                              os.environ.get("GRADER_GITHUB_URL") or GITHUB_URL, args.dry_run)
    for note in notes:
        print(note)
    for outcome in outcomes:
        print(f"{outcome.status} {outcome.student}: {outcome.detail}")
    failed = sum(outcome.status == "failed" for outcome in outcomes)
    if failed:
        print(f"{failed} of {len(outcomes)} student(s) not delivered (reasons above); the others were")
    return 1 if failed else 0


def cmd_student_template(args):
    from grader.authoring.template import build_student_template

    files = build_student_template(args.out)
    print(f"built the student template in {args.out}: {len(files)} files")
    return 0


def cmd_push_template(args):
    from grader.authoring.template import push_template

    commit = push_template(args.build, args.checkout, args.message, push=not args.no_push)
    print(f"pushed {commit}" if commit else "the student template is already up to date: nothing to push")
    return 0


def cmd_plan(args):
    from grader.semester.plan import plan

    outputs = plan(_course(args.course), _names(args.assignment), with_roster=args.roster)
    text = "".join(f"{key}={value}\n" for key, value in outputs.items())
    if args.github_output:
        with open(args.github_output, "a") as handle:
            handle.write(text)
    print(text, end="")
    return 0


def cmd_fetch(args):
    """Clone each student's repository and fetch its push timeline; a failure is that student's only."""
    import json
    import shutil

    from grader.semester.github import GITHUB_API, GITHUB_URL, GitHubError, clone, fetch_activity, repository_slug
    from grader.semester.roster import read_roster

    course = _course(args.course)
    entries = {entry.student: entry for entry in read_roster(course.roster)}
    students = _names(args.students)
    if not students:
        raise UsageError("--students names no student")
    unknown = [student for student in students if student not in entries]
    if unknown:
        raise UsageError(f"student {unknown[0]} is not on the roster {course.roster}")
    token = os.environ.get("GRADER_GITHUB_TOKEN") or None
    base = os.environ.get("GRADER_GITHUB_URL") or GITHUB_URL
    api = os.environ.get("GRADER_GITHUB_API") or GITHUB_API
    out, timelines = Path(args.out), Path(args.push_times)
    out.mkdir(parents=True, exist_ok=True)
    timelines.mkdir(parents=True, exist_ok=True)
    failed = 0
    for student in dict.fromkeys(students):
        submission = entries[student].submission
        dest, marker, timeline = out / student, out / f"{student}.not-graded", timelines / f"{student}.json"
        try:
            try:
                slug = repository_slug(submission)
            except GitHubError as exc:
                raise GitHubError(f"no repository owner/name on the roster: {exc}") from None
            try:
                clone(slug, dest, token, base)
            except GitHubError as exc:
                raise GitHubError(f"no repository {slug}, or no read access: {exc}") from None
            try:
                events = fetch_activity(slug, token, api)
            except GitHubError as exc:
                shutil.rmtree(dest, ignore_errors=True)
                raise GitHubError(f"no push timeline of {slug}: {exc}") from None
        except GitHubError as exc:
            failed += 1
            reason = " ".join(str(exc).split())
            marker.write_text(reason + "\n")
            timeline.unlink(missing_ok=True)
            print(f"not fetched {student}: {reason}")
            continue
        timeline.write_text(json.dumps(events, indent=1) + "\n")
        marker.unlink(missing_ok=True)
        print(f"fetched {student}: {slug} into {dest}, {len(events)} activity event(s) into {timeline}")
    if failed:
        print(f"{failed} of {len(dict.fromkeys(students))} student(s) not fetched: their reasons are in "
              f"{out}/<student>.not-graded; the grader reports them as not graded")
    return 1 if failed else 0


def cmd_not_graded(args):
    """A "not graded" report, with the reason, for every student who has no report in --out."""
    from grader.records.report import write_report
    from grader.records.results import check_assignment_name, check_student_id, not_graded_report

    students, assignments = _names(args.students), _names(args.assignment)
    if not students or not assignments:
        raise UsageError("name the students (--students) and the assignments (--assignment)")
    for student in students:
        check_student_id(student)
    for name in assignments:
        check_assignment_name(name)
    out = Path(args.out)
    written = 0
    for student in dict.fromkeys(students):
        path = out / f"{student}.json"
        if path.exists():
            print(f"kept {path}")
            continue
        try:
            write_report(not_graded_report(student, assignments, args.reason), path)
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        written += 1
        print(f"wrote {path}: not graded ({' '.join(args.reason.split())[:200]})")
    print(f"{written} not-graded report(s) written, {len(dict.fromkeys(students)) - written} student(s) had one")
    return 0


def cmd_bench(args):
    from grader.benches.run import run_bench, run_steady

    if args.steady:
        text = run_steady(args.steady, args.burners, Path(args.out or "build/bench-steady.md"), args.assignment or None)
        print(text)
        return 0 if f"Full marks in {args.steady} of {args.steady} runs." in text else 1
    print(run_bench(runs=args.runs, out=Path(args.out or "build/bench.md"), only=args.assignment or None))
    return 0


def cmd_similarity(args):
    """Compare every pair of roster students' module code of each assignment; write its HTML and CSV report."""
    from grader.semester.similarity import SimilarityError, compare_submissions, gather_submissions, released_modules
    from grader.semester.similarity_report import write_similarity_report

    names = _names(args.assignment)
    if not names:
        raise UsageError("name the assignment(s) to compare: --assignment a1_cells")
    if not 0 <= args.threshold <= 100:
        raise UsageError(f"--threshold is a percentage from 0 to 100, not {args.threshold:g}")
    roster = args.roster or _course(args.course).roster
    failed = 0
    for name in names:
        try:
            stubs = released_modules(name)
            found, skipped = gather_submissions(roster, name, list(stubs), args.submissions, args.reports)
            for student in skipped:
                print(f"{name}: not compared: {student.student}: {student.reason}", file=sys.stderr)
            comparison = compare_submissions(name, stubs, found, skipped)
        except SimilarityError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
            continue
        page, table = write_similarity_report(comparison, args.out, args.threshold / 100)
        shown = [p for p in comparison.pairs if 100 * p.similarity >= args.threshold]
        print(f"{name}: {len(found)} submissions compared, {len(comparison.pairs)} pairs, {len(shown)} at or above "
              f"{args.threshold:g}%: {page} (every pair in {table})")
        for pair in shown[:10]:
            print(f"  {pair.student_a} {100 * pair.similarity_a:.0f}% / "
                  f"{pair.student_b} {100 * pair.similarity_b:.0f}%")
    return 2 if failed else 0


def cmd_manual(args):
    """Written answers graded by hand: prepare formgrader's course folder or a CSV sheet, or import the grades."""
    from grader.semester import manual

    names = _names(args.assignment)
    if len(names) != 1:
        raise UsageError("name one assignment: manual ... --assignment a1_cells")
    assignment = names[0]
    cells = manual.written_cells(assignment)
    if args.action == "import":
        return manual_import(args, assignment, cells)
    if args.action == "sheet" and not args.out:
        raise UsageError("manual sheet writes a CSV file: give it with --out sheet.csv")
    parts, skipped = manual.graded_parts(assignment, args.gradebook, args.reports)
    roster = None if args.submissions else _course(args.course).roster
    work, more = manual.gather_work(assignment, parts, roster, args.submissions)
    for line in skipped + more:
        print(f"{assignment}: left out {line}", file=sys.stderr)
    for one in work:
        if one.note:
            print(f"{assignment}: {one.student}: {one.note}", file=sys.stderr)
    if not work:
        raise manual.ManualError(f"no graded submission of {assignment} to grade by hand")
    if args.action == "prepare":
        added = manual.prepare_course(args.course_folder, assignment, work)
        print(f"{assignment}: {len(work)} submission(s) in {args.course_folder} ({len(added)} new or changed; the "
              f"others keep their hand grades). Grade them: cd {args.course_folder} && jupyter lab, then "
              f"Nbgrader > Formgrader > Manual Grading; then: python -m grader manual import --assignment {assignment}")
        return 0
    from grader.records.gradebook import stored_reports
    from grader.semester.manual_sheet import write_sheet

    graded = {(student, grade.cell): grade for student, name, report in stored_reports(args.gradebook)
              if name == assignment for grade in report.assignments[name].notebook.written}
    count = write_sheet(args.out, work, cells, lambda one: manual.answers(one, cells), graded)
    print(f"{assignment}: wrote {count} row(s) ({len(work)} student(s)) to {args.out}; fill in points and comment, "
          f"then: python -m grader manual import --assignment {assignment} --sheet {args.out}")
    return 0


def manual_import(args, assignment, cells):
    """``manual import``: the hand grades of formgrader's course folder or of a sheet into the gradebook."""
    from datetime import datetime, timezone

    from grader.records.gradebook import record_written
    from grader.semester import manual
    from grader.semester.manual_sheet import read_sheet

    if args.sheet:
        parts, _ = manual.graded_parts(assignment, args.gradebook)
        grades, source = read_sheet(args.sheet, cells, set(parts)), f"sheet {args.sheet}"
    else:
        grades, source = manual.read_formgrader_grades(args.course_folder, assignment), "formgrader"
    count = record_written(args.gradebook, assignment, grades, source, datetime.now(timezone.utc).isoformat())
    print(f"{assignment}: recorded {count} hand grade(s) from {source} in {args.gradebook}")
    return 0


def comma_list(value):
    """``a1_cells,a2_bptt`` -> ["a1_cells", "a2_bptt"]: every list option takes commas and repeats."""
    return [name.strip() for name in value.split(",") if name.strip()]


def options():
    """The options several commands share, as argparse parents (one definition each)."""
    def parent():
        return argparse.ArgumentParser(add_help=False)

    shared = {name: parent() for name in ("gradebook", "course", "assignment", "notebooks", "out")}
    shared["gradebook"].add_argument("--gradebook", default=DEFAULT_GRADEBOOK,
                                     help="the SQLite gradebook (default: $GRADER_GRADEBOOK or %(default)s)")
    shared["course"].add_argument("--course", help="the course configuration (default: course.toml)")
    shared["assignment"].add_argument("--assignment", type=comma_list, action="extend",
                                      help="these assignments only (comma-separated or repeated)")
    shared["notebooks"].add_argument("--skip-notebooks", action="store_true", help="run the hidden suites only")
    shared["out"].add_argument("--out", required=True, help="the output folder")
    return shared


def setup_grade(cmd):
    cmd.add_argument("submission", help="folder with the same layout as assignments/")
    cmd.add_argument("--student", required=True, help="the student's id, recorded in the report")
    cmd.add_argument("--report", required=True, help="where to write the JSON report")
    cmd.add_argument("--no-gradebook", action="store_true", help="do not record the report")
    cmd.add_argument("--quiet", action="store_true", help="do not print the summary")


def setup_release(cmd):
    cmd.add_argument("--check", action="store_true", help="only check that assignments/ is fresh and leak-free")


def setup_mutants(cmd):
    cmd.add_argument("--quick", action="store_true", help="stop each mutant at its first failed test")


def setup_collect(cmd):
    cmd.add_argument("reports", nargs="+", help="report files, each named <student>.json")
    cmd.add_argument("--roster", help="CSV student,submission: accept reports of these students only")


def setup_export(cmd):
    cmd.add_argument("--csv", required=True)
    cmd.add_argument("--late", action="store_true", help="add <assignment>_late (status) and <assignment>_late_days")
    cmd.add_argument("--allow-mixed", action="store_true",
                     help="export even when one assignment's grades come from different grading versions")
    cmd.add_argument("--format", choices=["csv", "canvas", "moodle"], default="csv",
                     help="csv (default): every column of the gradebook; canvas or moodle: the file that LMS's "
                          "grade import reads (course points per assignment; needs course.toml and its roster)")
    cmd.add_argument("--lms-id-column", metavar="COLUMN",
                     help="roster column the LMS finds students by (canvas: sis_user_id (default), lms_id, "
                          "sis_login_id; moodle: email (default), sis_user_id, sis_login_id, lms_id; either: "
                          "student, the grader's student id as the login name)")


def setup_grade_roster(cmd):
    cmd.add_argument("roster", nargs="?", help="CSV student,submission (default: the roster in course.toml)")
    cmd.add_argument("--jobs", type=int, default=1, help="worker processes (default: %(default)s)")
    cmd.add_argument("--out", default="build/reports", help="folder for the reports (default: %(default)s)")
    cmd.add_argument("--only", type=comma_list, action="extend", help="grade only these students")
    cmd.add_argument("--submissions", help="folder with a checkout per student (<folder>/<student>), "
                                           "used instead of the roster's location")
    cmd.add_argument("--no-gradebook", action="store_true", help="write the reports only (collect them later)")
    cmd.add_argument("--push-times", metavar="DIR",
                     help="folder of push timelines, <student>.json (GitHub's repository activity, fetched by "
                          "`grader fetch`): lateness from the times GitHub received each push; without it, "
                          "commit dates (which students can set), and every report says so")
    cmd.add_argument("--previous", metavar="DIR", help="reports of an earlier run (<student>.json) to reuse for "
                                                       "unchanged submissions (default: the gradebook's)")
    cmd.add_argument("--force", action="store_true", help="grade everything again, reusing nothing")
    cmd.add_argument("--stale", action="store_true",
                     help="grade only the students with a report from another grading version (see export)")
    cmd.add_argument("--allow-unisolated", action="store_true",
                     help="grade even where student code cannot be isolated (a dry run: reports say "
                          "isolation 'none' and are not official)")
    cmd.add_argument("--revoke-sudo", metavar="USER",
                     help="as root, before any student code runs: take USER's sudo rights away and verify "
                          "(grade.yml passes the runner user)")


def setup_feedback(cmd):
    cmd.add_argument("--student", type=comma_list, action="extend", help="only these students")


def setup_summary(cmd):
    cmd.add_argument("--allow-mixed", action="store_true",
                     help="summarise even when one assignment's grades come from different grading versions")


def setup_publish(cmd):
    cmd.add_argument("--due", action="store_true", help="every assignment whose late window has closed "
                                                        "(due date or latest extension, plus grace and max_late_days)")
    cmd.add_argument("--force", action="store_true", help="publish even before the late window closes")


def setup_deliver(cmd):
    cmd.add_argument("--feedback", action="store_true", help="each student's feedback pages, from the gradebook")
    cmd.add_argument("--solutions", metavar="DIR", help="the solutions published in DIR (publish-solutions --out): "
                                                        "those whose late window has closed")
    cmd.add_argument("--only", type=comma_list, action="extend", help="only these students")
    cmd.add_argument("--dry-run", action="store_true", help="say what would change; push nothing")


def setup_similarity(cmd):
    cmd.add_argument("roster", nargs="?", help="CSV student,submission (default: the roster in course.toml)")
    cmd.add_argument("--submissions",
                     help="folder with a checkout per student (<folder>/<student>), as in grade-roster")
    cmd.add_argument("--reports", metavar="DIR", default="build/reports",
                     help="reports naming each student's graded commit, <student>.json (default: %(default)s, where "
                          "grade-roster writes them); a student without one: the newest commit")
    cmd.add_argument("--out", default="build/similarity", help="folder for <assignment>.html and .csv "
                                                                "(default: %(default)s)")
    cmd.add_argument("--threshold", type=float, default=50.0,
                     help="show the pairs where at least this percentage of one student's code is in the other's "
                          "(default: %(default)g; the CSV lists every pair)")


def setup_manual(cmd):
    cmd.add_argument("action", choices=["prepare", "sheet", "import"],
                     help="prepare: the nbgrader course folder for formgrader; sheet: a CSV sheet to fill in; "
                          "import: the hand grades (of --sheet, else of the course folder) into the gradebook")
    cmd.add_argument("--course-folder", default="build/formgrader",
                     help="the nbgrader course folder (default: %(default)s)")
    cmd.add_argument("--reports", metavar="DIR", help="the graded students from these reports (<student>.json) "
                                                      "instead of the gradebook")
    cmd.add_argument("--submissions", metavar="DIR", help="folder with a checkout or folder per student "
                                                          "(<folder>/<student>), instead of the roster's location")
    cmd.add_argument("--out", metavar="CSV", help="manual sheet: the sheet to write")
    cmd.add_argument("--sheet", metavar="CSV", help="manual import: a filled-in sheet")


def setup_push_template(cmd):
    cmd.add_argument("build")
    cmd.add_argument("--checkout", required=True, help="a git clone of the student template repository")
    cmd.add_argument("--message", default="Update the student release")
    cmd.add_argument("--no-push", action="store_true", help="commit only")


def setup_plan(cmd):
    cmd.add_argument("--roster", action="store_true", help="also the roster, in shards, as a JSON matrix")
    cmd.add_argument("--github-output", help="append the lines to this file ($GITHUB_OUTPUT)")


def setup_fetch(cmd):
    cmd.add_argument("--students", type=comma_list, action="extend", required=True, help="student ids")
    cmd.add_argument("--push-times", required=True, help="folder for the activity timelines (<student>.json)")


def setup_not_graded(cmd):
    cmd.add_argument("--students", type=comma_list, action="extend", required=True, help="student ids")
    cmd.add_argument("--reason", required=True, help="one line: why these students were not graded")


def setup_bench(cmd):
    cmd.add_argument("--runs", type=int, default=3, help="gradings per median (default 3)")
    cmd.add_argument("--out", help="Markdown file (default build/bench.md, or build/bench-steady.md with --steady)")
    cmd.add_argument("--steady", type=int, metavar="N", default=0,
                     help="instead: grade the whole reference N times in a row under --burners CPU burners; exit 1 "
                          "unless every run gives full marks")
    cmd.add_argument("--burners", type=int, default=4, help="CPU burners for --steady (default 4)")


def setup_nothing(cmd):
    pass


# name, help, run, setup, the shared options it takes
COMMANDS = [
    ("grade", "grade one submission folder", "cmd_grade", setup_grade, ["gradebook", "assignment", "notebooks"]),
    ("release", "regenerate assignments/ from solutions/", "cmd_release", setup_release, ["assignment"]),
    ("mutants", "grade every known-wrong mutant with the hidden suite", "cmd_mutants", setup_mutants, ["assignment"]),
    ("collect", "verify reports and record the good ones in the gradebook", "cmd_collect", setup_collect,
     ["gradebook", "course"]),
    ("export", "export the gradebook as CSV", "cmd_export", setup_export, ["gradebook", "course"]),
    ("grade-roster", "grade the due assignments of every roster student", "cmd_grade_roster", setup_grade_roster,
     ["gradebook", "course", "assignment", "notebooks"]),
    ("feedback", "one HTML feedback page per student and assignment", "cmd_feedback", setup_feedback,
     ["gradebook", "course", "assignment", "out"]),
    ("summary", "class summary: who was not graded, score distribution, per-test pass rates (Markdown)",
     "cmd_summary", setup_summary, ["gradebook", "course"]),
    ("publish-solutions", "publish the solutions of an assignment whose late window has closed",
     "cmd_publish_solutions", setup_publish, ["course", "assignment", "out"]),
    ("deliver", "push feedback pages and solutions to a branch of each student's repository", "cmd_deliver",
     setup_deliver, ["gradebook", "course"]),
    ("similarity", "compare every pair of submissions' module code (copydetect) into an HTML and CSV report",
     "cmd_similarity", setup_similarity, ["course", "assignment"]),
    ("manual", "written answers graded by hand in nbgrader's formgrader or a CSV sheet, and imported",
     "cmd_manual", setup_manual, ["gradebook", "course", "assignment"]),
    ("student-template", "build the student template repository's contents", "cmd_student_template",
     setup_nothing, ["out"]),
    ("push-template", "commit a student-template build into a clone and push it", "cmd_push_template",
     setup_push_template, []),
    ("plan", "what a workflow run works on (key=value lines)", "cmd_plan", setup_plan, ["course", "assignment"]),
    ("fetch", "clone students' GitHub repositories and fetch their push timelines", "cmd_fetch", setup_fetch,
     ["course", "out"]),
    ("not-graded", "a not-graded report for every student without a report", "cmd_not_graded", setup_not_graded,
     ["assignment", "out"]),
    ("bench", "benchmarks (grading time and each assignment's bench)", "cmd_bench", setup_bench, ["assignment"]),
]


def parser():
    top = argparse.ArgumentParser(prog="python -m grader", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", required=True)
    shared = options()
    for name, text, run, setup, parents in COMMANDS:
        cmd = sub.add_parser(name, help=text, parents=[shared[p] for p in parents])
        setup(cmd)
        cmd.set_defaults(run=globals()[run])
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except GraderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
