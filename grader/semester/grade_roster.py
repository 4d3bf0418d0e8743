"""Grading a roster: every student's due assignments, in a process pool, one report each, nobody lost.

For each student: find the submission (``grader.semester.roster``), read the graded branch's history
(``grader.semester.history``) and when each commit was submitted (``grader.semester.pushes``, or commit dates), decide
per assignment which commit is graded and its penalty (``grader.semester.lateness``), grade those trees
(``grader.grading.grade``), and write ``<out>/<student>.json``. A student who cannot be graded (no such
repository, a failed checkout, a grader error) gets a "not graded" report with the reason, so every
roster student ends up with a report.

Unchanged work is not graded twice: when an earlier report of the student (``--previous`` reports or
the gradebook) graded the same content with the same grading version and secret seed, its results
are reused and only the lateness is decided again (``force`` regrades).
"""

import concurrent.futures
import datetime
import multiprocessing
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.semester.history import HistoryError, export_commit, first_parent_history, graded_branch
from grader.semester.lateness import decide, submissions_of, unknown
from grader.semester.pushes import TimelineError, push_times, read_timeline
from grader.records.report import ReportError, load_report, write_report
from grader.records.results import not_graded_report
from grader.semester.roster import RosterError, locate, read_roster, submission_root


@dataclass
class Options:
    """How a roster run grades each student."""

    course: object
    assignments: list
    roster_dir: Path
    out_dir: Path
    submissions: Path = None
    push_times: Path = None
    notebooks: bool = True
    force: bool = False
    now: datetime.datetime = None
    previous: dict = field(default_factory=dict)    # {student: Report} of earlier runs


def assignments_to_grade(course, requested=None, now=None):
    """The assignments a roster run grades: the requested ones (``all``: every one), or else exactly
    those past their due date (the rule ``plan`` uses); each checked against course.toml."""
    if requested == ["all"]:
        return list(course.assignments)
    names = list(requested) if requested else course.past_due(now)
    for name in names:
        course.assignment(name)
    return names


def _submission_times(path, history, student, options):
    """``(times, time_source, notes)`` of the history's commits (root commits aside)."""
    candidates = [c.sha for c in history if not c.is_root]
    if options.push_times is None:
        return {c.sha: c.committed_at for c in history}, "commit dates", []
    timeline = Path(options.push_times) / f"{student}.json"
    if not timeline.is_file():
        raise RosterError(f"no push timeline {timeline} (the grade job fetches one per student); "
                          "grading without it would trust commit dates the student can set")
    branch = graded_branch(path)
    if branch is None:
        raise RosterError("the checkout's HEAD is not on a branch, so no push to it can be matched")
    found = push_times(path, read_timeline(timeline), branch, candidates, options.now)
    return found.times, "pushes", found.notes


def grade_student(entry, options):
    """The ``Report`` of one roster entry (lateness per assignment; penalties as fields)."""
    from grader.grading.grade import grade_assignment, new_report
    from grader.grading.suite import secret_seed_from_env

    seed = secret_seed_from_env()
    previous = options.previous.get(entry.student)
    earlier = previous.assignments if previous is not None and previous.secret_seed == seed and not options.force else {}
    report = new_report(entry.student, seed)
    with tempfile.TemporaryDirectory(prefix="grader-roster-") as tmp:
        kind, path = locate(entry, options.roster_dir, options.submissions, tmp)
        if kind == "folder":
            for name in options.assignments:
                part = grade_assignment(submission_root(path), name, options.notebooks, seed, earlier.get(name))
                part.lateness = unknown()
                report.assignments[name] = part
            report.submission = {"location": entry.submission}
            return report
        history = first_parent_history(path)
        times, source, notes = _submission_times(path, history, entry.student, options)
        decisions = {}
        for name in options.assignments:
            due, extended = options.course.due_for(entry.student, name)
            found = submissions_of(history, (f"assignments/{name}", name), times)
            decisions[name] = decide(found, due, options.course.late, extended, source,
                                     options.course.assignment(name).due)
        groups = {}
        for name in options.assignments:
            groups.setdefault(decisions[name].commit or history[0].sha, []).append(name)
        parts = {}
        for commit, names in groups.items():
            tree = export_commit(path, commit, Path(tmp) / commit[:16])
            for name in names:
                parts[name] = grade_assignment(submission_root(tree), name, options.notebooks, seed, earlier.get(name))
            shutil.rmtree(tree, ignore_errors=True)
    for name in options.assignments:
        part, lateness = parts[name], decisions[name]
        if notes and lateness.status != "not-submitted":
            lateness.note = " ".join([lateness.note, *notes])
        part.lateness = lateness
        report.assignments[name] = part
    report.submission = {"location": entry.submission, "commit": history[0].sha}
    return report


def _grade_task(task):
    """Pool task: grade one entry and write its report, a "not graded" one when grading fails; never raises."""
    entry, options = task
    reused = []
    try:
        report = grade_student(entry, options)
        reused = _reused(report, options.previous.get(entry.student))
    except (RosterError, HistoryError, TimelineError) as exc:
        report = _not_graded(entry, options, str(exc))
    except Exception as exc:  # noqa: BLE001 - one broken submission must not stop the roster
        report = _not_graded(entry, options, f"grader error ({type(exc).__name__}: {exc})")
    path = Path(options.out_dir) / f"{entry.student}.json"
    write_report(report, path)
    return {"student": entry.student, "report": str(path), "score": report.score, "max_score": report.max_score,
            "status": report.status, "reason": report.reason, "reused": reused,
            "lateness": {name: part.lateness.status for name, part in report.assignments.items() if part.lateness}}


def _reused(report, previous):
    """The assignments whose results were taken over from ``previous`` (``grade_assignment`` returns a
    copy sharing the earlier suite result) instead of being graded again."""
    if previous is None:
        return []
    return [name for name, part in report.assignments.items()
            if name in previous.assignments and part.suite is previous.assignments[name].suite]


def _not_graded(entry, options, reason):
    from grader.grading.grade import new_report
    from grader.grading.suite import secret_seed_from_env

    stamp = new_report(entry.student, secret_seed_from_env())
    first = reason.strip().splitlines()[0] if reason.strip() else "not graded"
    report = not_graded_report(entry.student, options.assignments, first[:300], graded_at=stamp.graded_at,
                               grader_version=stamp.grader_version, secret_seed=stamp.secret_seed,
                               isolation=stamp.isolation, isolation_detail=stamp.isolation_detail)
    report.submission = {"location": entry.submission}
    return report


def _init_worker():
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")


def previous_reports(folder=None, gradebook=None, students=None):
    """``{student: Report}`` of earlier runs: the report files in ``folder`` (named <student>.json), or
    the gradebook's stored reports; unreadable ones are skipped (they are simply graded again)."""
    out = {}
    if folder is not None and Path(folder).is_dir():
        for file in sorted(Path(folder).glob("*.json")):
            student = file.name[:-len(".json")]
            if students is not None and student not in students:
                continue
            try:
                out[student] = load_report(file, expected_student=student)
            except ReportError:
                continue
    elif gradebook is not None and Path(gradebook).is_file():
        from grader.records.gradebook import stored_reports

        for student, assignment, report in stored_reports(gradebook):
            if students is None or student in students:
                whole = out.setdefault(student, report)
                whole.assignments[assignment] = report.assignments[assignment]
    return out


def stale_students(previous, assignments):
    """Students one of whose graded ``assignments`` was graded by another grading version than today's."""
    from grader.records.version import grading_version

    return sorted(student for student, report in previous.items()
                  if any(part.graded and part.grading_version != grading_version(name)
                         for name, part in report.assignments.items() if name in assignments))


def grade_roster(roster, course, out_dir, jobs=1, assignments=None, only=None, submissions=None, notebooks=True,
                 gradebook=None, push_times=None, previous=None, force=False, stale=False, now=None):
    """Grade the due assignments of every student of ``roster`` with ``jobs`` worker processes.

    Returns ``(assignments graded, results)``, one result per student: ``{"student", "report", "score",
    "max_score", "status", "reason", "reused", "lateness"}``. Reports are written to
    ``out_dir/<student>.json`` and, when ``gradebook`` is given, recorded there (the collect step)
    in roster order; a report the gradebook refuses adds ``"error"`` to its result.
    ``previous``: a folder of earlier reports to reuse (default: the gradebook's); ``stale``: grade
    only the students with a report from another grading version.
    """
    if jobs < 1:
        raise RosterError(f"--jobs must be at least 1, not {jobs}")
    now = now or datetime.datetime.now(datetime.timezone.utc)
    entries = read_roster(roster)
    if only:
        unknown_students = sorted(set(only) - {e.student for e in entries})
        if unknown_students:
            raise RosterError(f"student {unknown_students[0]} is not on the roster {roster}")
        entries = [e for e in entries if e.student in set(only)]
    names = assignments_to_grade(course, assignments, now)
    if not names:
        return names, []
    earlier = {} if force and not stale else previous_reports(previous, gradebook, {e.student for e in entries})
    if stale:
        wanted = set(stale_students(earlier, names))
        entries = [e for e in entries if e.student in wanted]
        earlier = {} if force else earlier
    options = Options(course=course, assignments=names, roster_dir=Path(roster).resolve().parent,
                      out_dir=Path(out_dir), submissions=submissions, push_times=push_times, notebooks=notebooks,
                      force=force, now=now, previous=earlier)
    options.out_dir.mkdir(parents=True, exist_ok=True)
    if not entries:
        return names, []
    tasks = [(e, options) for e in entries]
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context,
                                                initializer=_init_worker) as pool:
        results = list(pool.map(_grade_task, tasks))
    if gradebook is not None:
        from grader.records.gradebook import collect

        recorded = collect(gradebook, [r["report"] for r in results], list(course.assignments),
                           {e.student for e in entries})
        rejected = {Path(r["file"]).stem: r["error"] for r in recorded if "error" in r}
        results = [dict(r, error=rejected[r["student"]]) if r["student"] in rejected else r for r in results]
    return names, results


def results_table(results):
    """A Markdown table of grade_roster's results."""
    lines = ["| student | status | score | lateness | reused |", "|---|---|---|---|---|"]
    for result in results:
        late = ", ".join(f"{a}: {s}" for a, s in result["lateness"].items())
        status = result["status"] + (f": {result['reason']}" if result["reason"] else "")
        if "error" in result:
            status = f"not recorded: {result['error']}"
        lines.append(f"| {result['student']} | {status} | {result['score']:g} / {result['max_score']:g} | {late} | "
                     f"{', '.join(result['reused']) or '-'} |")
    graded = sum(r["status"] == "graded" and "error" not in r for r in results)
    reused = sum(len(r["reused"]) for r in results)
    lines += ["", f"{graded} graded, {len(results) - graded} not (fully) graded or not recorded; "
                  f"{reused} assignment result(s) reused unchanged from an earlier run."]
    return "\n".join(lines) + "\n"
