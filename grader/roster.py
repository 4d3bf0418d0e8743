"""Grading a roster: every student's submission, graded in a process pool, one report each.

A roster is a CSV file with the header ``student,submission``. A submission is a git repository
(a local path, relative to the roster file, or a URL / GitHub ``owner/name`` that is cloned) or a
plain folder. A value of the form ``owner/name`` is a local path when that folder exists, a GitHub
repository otherwise (write ``./folder/name`` for a local path that must not be taken for one). For a git repository the graded commit is chosen per assignment from the commit
times on the first-parent history of HEAD (the committer date):

- newest commit on time (up to the grace period after the due date): graded, status ``on-time``;
- otherwise, with ``late.policy = "last-before-due"``, the newest commit on time is graded instead,
  status ``last-before-due``; when there is none, the newest commit is graded with the penalty;
- with ``late.policy = "penalty"`` (or the fall-back above) the newest commit is graded and
  ``penalty_per_day`` of its score is taken off per started day late, status ``penalty``
  (all of it after ``max_late_days``).

Each assignment of the report gets a ``lateness`` entry (status, graded commit and its time, the
due date, days late, penalty, raw score) and a sentence in its ``feedback`` when it was late.
A plain folder is graded as it is, status ``unknown``.
"""

import concurrent.futures
import csv
import datetime
import io
import math
import multiprocessing
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.report import write_report

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
GITHUB_SLUG = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
GIT_TIMEOUT = 300


class RosterError(ValueError):
    """A roster or a submission that cannot be used; the message is one line."""


@dataclass(frozen=True)
class Entry:
    student: str
    submission: str
    line: int


def read_roster(path):
    """The entries of a roster CSV (header ``student,submission``), checked."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise RosterError(f"roster {path}: cannot be read ({exc.strerror or exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"student", "submission"} <= {f.strip() for f in reader.fieldnames}:
        raise RosterError(f"roster {path}: the first line must be the header `student,submission`")
    entries, seen = [], set()
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
        student, submission = row.get("student", ""), row.get("submission", "")
        if not student and not submission:
            continue
        if not STUDENT_ID.match(student):
            raise RosterError(f"roster {path}:{number}: student id {student!r} must be letters, digits, '.', '_' or '-'")
        if not submission:
            raise RosterError(f"roster {path}:{number}: student {student} has no submission")
        if student in seen:
            raise RosterError(f"roster {path}:{number}: student {student} is listed twice")
        seen.add(student)
        entries.append(Entry(student, submission, number))
    if not entries:
        raise RosterError(f"roster {path}: lists no student")
    return entries


# ---------------------------------------------------------------------------------------------
# Which commit to grade


def _iso(moment):
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _when(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def penalty_for(late_days, rule):
    """The fraction of the score taken off for a submission ``late_days`` days late."""
    if late_days <= 0:
        return 0.0
    if late_days > rule.max_late_days:
        return 1.0
    return min(1.0, math.ceil(late_days - 1e-9) * rule.penalty_per_day)


def decide(commits, due, rule):
    """Choose the commit to grade for one assignment.

    ``commits``: ``[(sha, datetime)]`` newest first (first-parent history of HEAD); ``due``: an
    aware datetime; ``rule``: a ``LateRule``. Returns the ``lateness`` dict of the report.
    """
    if not commits:
        raise RosterError("the repository has no commit")
    head, head_time = commits[0]
    limit = due + datetime.timedelta(minutes=rule.grace_minutes)
    late_days = max(0.0, (head_time - due).total_seconds() / 86400)
    out = {"due": _iso(due), "head": head, "head_committed_at": _iso(head_time),
           "late_days": round(late_days, 3), "penalty": 0.0}
    if head_time <= limit:
        return dict(out, status="on-time", commit=head, committed_at=_iso(head_time),
                    note="Submitted on time.")
    lateness = (f"Your newest commit {head[:10]} ({_when(head_time)}) came {late_days:.2f} days after the "
                f"due date ({_when(due)}).")
    if rule.policy == "last-before-due":
        for sha, moment in commits:
            if moment <= limit:
                return dict(out, status="last-before-due", commit=sha, committed_at=_iso(moment),
                            note=f"{lateness} Graded at your last commit before the due date, {sha[:10]} "
                                 f"({_when(moment)}); later commits were not graded.")
        lateness += " No commit came before the due date."
    penalty = penalty_for(late_days, rule)
    if penalty >= 1.0 and late_days > rule.max_late_days:
        how = f"more than {rule.max_late_days:g} days late, so it earns no points"
    else:
        how = (f"with a late penalty of {penalty:.0%} ({math.ceil(late_days - 1e-9)} started day(s) "
               f"x {rule.penalty_per_day:.0%})")
    return dict(out, status="penalty", commit=head, committed_at=_iso(head_time), penalty=round(penalty, 4),
                note=f"{lateness} Graded at your newest commit, {how}.")


# ---------------------------------------------------------------------------------------------
# Git


def _git(repo, *args):
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        run = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, env=env, timeout=GIT_TIMEOUT,
                             text=True)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RosterError(f"git {args[0]} failed in {repo}: {exc}") from None
    if run.returncode != 0:
        error = run.stderr
        last = error.strip().splitlines()[-1] if error.strip() else f"exit status {run.returncode}"
        raise RosterError(f"git {args[0]} failed in {repo}: {last}")
    return run.stdout


def first_parent_commits(repo):
    """``[(sha, committer datetime)]`` of HEAD's first-parent history, newest first."""
    out = []
    for line in _git(repo, "log", "--first-parent", "--format=%H %cI", "HEAD").splitlines():
        sha, when = line.split(" ", 1)
        out.append((sha, datetime.datetime.fromisoformat(when)))
    return out


EXPORT_MAX_MEMBERS = 20000
EXPORT_MAX_BYTES = 512 << 20
EXPORT_MAX_DEPTH = 16


def export_commit(repo, commit, dest):
    """Write the tree of ``commit`` into ``dest`` (tracked files only; no links, nothing outside).

    Bounded like every read of student files: at most EXPORT_MAX_MEMBERS entries and
    EXPORT_MAX_BYTES bytes, nothing deeper than EXPORT_MAX_DEPTH folders (the grading copies
    of each assignment folder then apply their own, tighter limits and say what they left out).
    """
    dest = Path(dest)
    dest.mkdir(parents=True)
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    command = ["git", "-C", str(repo), "archive", "--format=tar", commit]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as process:
        try:
            stopped = False
            with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
                count, size = 0, 0
                for member in archive:
                    count, size = count + 1, size + max(member.size, 0)
                    if count > EXPORT_MAX_MEMBERS or size > EXPORT_MAX_BYTES:
                        stopped = True
                        break
                    if (member.isfile() or member.isdir()) and len(Path(member.name).parts) <= EXPORT_MAX_DEPTH:
                        archive.extract(member, dest, filter="data")
        except tarfile.TarError as exc:
            process.kill()
            raise RosterError(f"git archive of {commit[:10]} in {repo} failed: {exc}") from None
        if stopped:
            process.kill()
            process.wait()
            return dest
        error = process.stderr.read().decode(errors="replace")
    if process.returncode != 0:
        last = error.strip().splitlines()[-1] if error.strip() else f"exit status {process.returncode}"
        raise RosterError(f"git archive failed in {repo}: {last}")
    return dest


def is_git_repository(path):
    return (Path(path) / ".git").exists()


def locate(entry, roster_dir, submissions=None, workdir=None):
    """Resolve a roster entry to ``(kind, path)``, kind "git" or "folder" (cloning a URL into workdir)."""
    if submissions is not None and (Path(submissions) / entry.student).is_dir():
        path = Path(submissions) / entry.student
        return ("git" if is_git_repository(path) else "folder"), path
    location = entry.submission
    remote = "://" in location or location.startswith("git@")
    path = Path(location) if Path(location).is_absolute() else Path(roster_dir) / location
    if not remote and not path.exists() and GITHUB_SLUG.match(location):
        location, remote = f"https://github.com/{location}.git", True
    if remote:
        clone = Path(workdir) / "clone"
        try:
            _git(workdir, "clone", "--quiet", "--no-checkout", location, str(clone))
        except RosterError as exc:
            raise RosterError(f"{entry.submission}: not a local folder, and cloning {location} failed "
                              f"({str(exc).split(': ', 1)[-1]})") from None
        return "git", clone
    if not path.is_dir():
        raise RosterError(f"{entry.submission}: no such submission folder or repository")
    return ("git" if is_git_repository(path) else "folder"), path


def submission_root(tree):
    """The folder holding the assignment folders: ``assignments/`` in a student template clone."""
    tree = Path(tree)
    return tree / "assignments" if (tree / "assignments").is_dir() else tree


# ---------------------------------------------------------------------------------------------
# Grading


def apply_lateness(part, lateness):
    """Record ``lateness`` in an assignment part and apply its penalty to the part's score."""
    raw = part["score"]
    part["lateness"] = dict(lateness, raw_score=raw)
    if lateness.get("penalty"):
        part["score"] = round(raw * (1.0 - lateness["penalty"]), 4)
    if lateness["status"] not in ("on-time", "unknown"):
        part["feedback"] = " ".join(x for x in (part.get("feedback"), lateness["note"]) if x)
    return part


def grade_student(entry, course, assignments, roster_dir, submissions=None, notebooks=True):
    """Grade one roster entry; return the report (lateness per assignment, penalties applied)."""
    from grader.grade import grade_submission

    with tempfile.TemporaryDirectory(prefix="grader-roster-") as tmp:
        kind, path = locate(entry, roster_dir, submissions, tmp)
        if kind == "folder":
            report = grade_submission(submission_root(path), entry.student, assignments, notebooks)
            unknown = {"status": "unknown", "penalty": 0.0,
                       "note": "Not a git repository: graded as it is, without a due-date check."}
            for part in report["assignments"].values():
                apply_lateness(part, unknown)
            report["submission"] = {"location": entry.submission, "commit": None}
            return report
        commits = first_parent_commits(path)
        decisions = {name: decide(commits, course.assignment(name).due, course.late) for name in assignments}
        groups = {}
        for name in assignments:
            groups.setdefault(decisions[name]["commit"], []).append(name)
        parts, report = {}, None
        for commit, names in groups.items():
            tree = export_commit(path, commit, Path(tmp) / commit[:16])
            graded = grade_submission(submission_root(tree), entry.student, names, notebooks)
            parts.update(graded["assignments"])
            report = report or graded
            shutil.rmtree(tree, ignore_errors=True)
    report["assignments"] = {name: apply_lateness(parts[name], decisions[name]) for name in assignments}
    report["score"] = round(sum(p["score"] for p in report["assignments"].values()), 4)
    report["max_score"] = sum(p["max_score"] for p in report["assignments"].values())
    report["submission"] = {"location": entry.submission, "commit": commits[0][0]}
    return report


def _grade_task(task):
    """Pool task: grade one entry and write its report; never raises."""
    entry, course, assignments, roster_dir, submissions, notebooks, out_dir = task
    try:
        report = grade_student(entry, course, assignments, roster_dir, submissions, notebooks)
    except Exception as exc:  # noqa: BLE001 - one broken submission must not stop the roster
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return {"student": entry.student, "error": message[:300]}
    path = Path(out_dir) / f"{entry.student}.json"
    write_report(report, path)
    notes = {name: part["lateness"]["status"] for name, part in report["assignments"].items()}
    return {"student": entry.student, "report": str(path), "score": report["score"],
            "max_score": report["max_score"], "lateness": notes}


def _init_worker():
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")


def grade_roster(roster, course, out_dir, jobs=1, assignments=None, only=None, submissions=None,
                 notebooks=True, gradebook=None):
    """Grade every student of ``roster`` with ``jobs`` worker processes; return one result per student.

    Each result is ``{"student", "report", "score", "max_score", "lateness"}`` or
    ``{"student", "error"}``. Reports are written to ``out_dir/<student>.json`` and, when
    ``gradebook`` is given, recorded there (the collect step) in roster order.
    """
    if jobs < 1:
        raise RosterError(f"--jobs must be at least 1, not {jobs}")
    entries = read_roster(roster)
    if only:
        unknown = sorted(set(only) - {e.student for e in entries})
        if unknown:
            raise RosterError(f"student {unknown[0]} is not on the roster {roster}")
        entries = [e for e in entries if e.student in set(only)]
    names = list(assignments or course.assignments)
    for name in names:
        course.assignment(name)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    roster_dir = Path(roster).resolve().parent
    tasks = [(e, course, names, roster_dir, submissions, notebooks, str(out_dir)) for e in entries]
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context,
                                                initializer=_init_worker) as pool:
        results = list(pool.map(_grade_task, tasks))
    if gradebook is not None:
        from grader.gradebook import collect

        recorded = collect(gradebook, [r["report"] for r in results if "report" in r], list(course.assignments),
                           {e.student for e in entries})
        rejected = {Path(r["file"]).stem: r["error"] for r in recorded if "error" in r}
        results = [dict(r, error=rejected[r["student"]]) if r["student"] in rejected else r for r in results]
    return results


def results_table(results):
    """A Markdown table of grade_roster's results."""
    lines = ["| student | score | lateness |", "|---|---|---|"]
    for result in results:
        if "error" in result:
            lines.append(f"| {result['student']} | not graded | {result['error']} |")
        else:
            late = ", ".join(f"{a}: {s}" for a, s in result["lateness"].items())
            lines.append(f"| {result['student']} | {result['score']:g} / {result['max_score']:g} | {late} |")
    failed = sum("error" in r for r in results)
    lines.append("")
    lines.append(f"{len(results) - failed} graded, {failed} not graded.")
    return "\n".join(lines) + "\n"


def plan(course, assignments=None, with_roster=False, now=None):
    """What a workflow run works on, as ``{name: value}`` outputs for ``$GITHUB_OUTPUT``.

    ``assignments``: the requested names (checked against course.toml), or, when none, every
    assignment whose due date has passed. With ``with_roster`` the roster becomes ``matrix``, a JSON
    ``{"include": [{"student", "repository"}]}`` for a matrix job (empty, without reading the roster,
    when there is nothing to grade).
    """
    import json

    names = list(assignments) if assignments else course.past_due(now)
    for name in names:
        course.assignment(name)
    out = {"assignments": ",".join(names), "student_template": course.student_template}
    if with_roster and not names:
        out["matrix"] = json.dumps({"include": []})
    elif with_roster:
        entries = read_roster(course.roster)
        out["matrix"] = json.dumps({"include": [{"student": e.student, "repository": e.submission} for e in entries]})
    return out
