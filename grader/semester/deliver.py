"""Delivery: each student's feedback pages and the published solutions, pushed to a branch of the student's
own repository (course.toml ``[feedback] deliver = "branch"``).

The branch (``feedback`` unless ``[feedback] branch`` says otherwise) holds:

    README.md                what is on the branch (written from its files)
    <assignment>.md          the feedback page of each graded assignment, replaced when graded again
    solutions/<assignment>/  the solution, once the assignment's late window has closed

A branch rather than an issue per assignment: it works with plain git and a push right, so local bare
repositories stand in for GitHub in the tests; it keeps every earlier page in its history; and the
solutions fit on it too. Only that branch is pushed, never forced: the student's other branches are never
touched. A delivery that changes nothing makes no commit. One student's failure (no repository, no
access, a rejected push) is that student's outcome; the others are still delivered.

The roster names each repository: ``owner/name`` (or its GitHub URL) is pushed to on GitHub with the token
given, through ``grader.semester.github``'s credential helper (never in a URL or a file); a local path
(relative to the roster) is pushed to as it is, without the token.

Standard library only: the grade workflow's collect job runs it on a bare Python.
"""

import datetime
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError
from grader.records.feedback_markdown import render_markdown
from grader.records.gradebook import stored_reports
from grader.semester.github import GITHUB_URL, GitHubError, git_environment, redacted, repository_url
from grader.semester.roster import read_roster

GIT_TIMEOUT = 300                        # seconds per git command
PUSH_ATTEMPTS = 3                        # pushes of one delivery when the branch keeps moving
SOLUTIONS_FOLDER = "solutions"
GRADER_IDENTITY = {"GIT_AUTHOR_NAME": "Course grader", "GIT_AUTHOR_EMAIL": "grader@course.invalid",
                   "GIT_COMMITTER_NAME": "Course grader", "GIT_COMMITTER_EMAIL": "grader@course.invalid"}


class DeliveryError(GraderError, RuntimeError):
    """Something stops delivery to one student (or to all, when the course is misconfigured); one line."""


@dataclass(frozen=True)
class Outcome:
    """What delivery did for one student: "delivered", "unchanged", "would deliver" (dry run) or "failed"."""

    student: str
    status: str
    detail: str = ""


# ---------------------------------------------------------------------------------------------
# What goes on the branch


def feedback_files(gradebook, students, problems):
    """``{student: {"<assignment>.md": Markdown}}`` from the gradebook, for the students named.

    Every student gets a page for every assignment the gradebook holds for anyone: the stored report's,
    or one saying that no report of theirs came in. A row that is not a valid report is a problem
    (appended to ``problems``) and left out.
    """
    stored = stored_reports(gradebook, problems)
    reports = {(student, assignment): report for student, assignment, report in stored}
    names = sorted({assignment for _, assignment, _ in stored})
    return {student: {f"{name}.md": render_markdown(student, name, reports.get((student, name)))
                      for name in names}
            for student in students}


def solutions_ready(course, folder, now=None):
    """``(files, refused)`` of a folder of published solutions (``publish-solutions --out``).

    files: ``{"solutions/<assignment>/<path>": bytes}`` of the assignments whose late window has closed;
    refused: one line per assignment whose window is still open, saying when it closes. Folders that
    are not course assignments are refused too; symbolic links are never followed. A missing folder
    (nothing published yet) is one line of ``refused``.
    """
    folder = Path(folder)
    if not folder.is_dir():     # publish-solutions --due writes nothing until a late window closes
        return {}, [f"{folder}: no solutions published there (yet): none delivered"]
    now = now or datetime.datetime.now(datetime.timezone.utc)
    files, refused = {}, []
    for source in sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()):
        name = source.name
        if name not in course.assignments:
            refused.append(f"{name}: not an assignment of {course.path.name}; not delivered")
            continue
        closes = course.late_window_closes(name)
        if now < closes:
            days = (closes - now).total_seconds() / 86400
            refused.append(f"{name}: solution not delivered: late work is accepted until {closes.isoformat()} "
                           f"({days:.1f} days from now); it is delivered on the first run after that")
            continue
        for path in sorted(source.rglob("*")):
            if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts:
                files[f"{SOLUTIONS_FOLDER}/{name}/{path.relative_to(source).as_posix()}"] = path.read_bytes()
    return files, refused


def branch_readme(tree, branch):
    """The README of the delivery branch, listing the pages and solutions ``tree`` holds."""
    pages = sorted(p.name for p in tree.glob("*.md") if p.name != "README.md")
    solved = sorted(p.name for p in (tree / SOLUTIONS_FOLDER).glob("*") if p.is_dir())
    lines = ["# Your feedback and the solutions", "",
             f"The course's grader writes this branch (`{branch}`) after each official grading. Do not commit "
             "here: your work stays on your own branches, which the grader never touches.", "",
             "## Feedback", ""]
    lines += [f"- [{page[:-3]}]({page})" for page in pages] or ["No assignment has been graded yet."]
    lines += ["", "## Solutions", ""]
    lines += [f"- [{name}]({SOLUTIONS_FOLDER}/{name}/)" for name in solved] or [
        "A solution appears here once no late work of its assignment can come in any more."]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Git


def push_target(submission, roster_dir, base_url=GITHUB_URL):
    """``(url, remote)`` of a roster submission: a local repository's path, or a GitHub repository's URL."""
    path = Path(submission) if Path(submission).is_absolute() else Path(roster_dir) / submission
    if "://" not in submission and not submission.startswith("git@"):
        if path.exists():
            return str(path.resolve()), False
        if submission.startswith(("/", "./", "../", "~")):
            raise DeliveryError(f"no repository at {path}")
    try:
        return repository_url(submission, base_url), True
    except GitHubError as exc:
        raise DeliveryError(f"no repository to deliver to: {exc}") from None


def _git(work, args, env, token=None):
    """Run ``git -C work ARGS``; its stdout, or DeliveryError with git's last line (the token redacted)."""
    try:
        run = subprocess.run(["git", "-C", str(work), *args], env=env, capture_output=True, text=True,
                             timeout=GIT_TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise DeliveryError(f"git {args[0]}: no answer within {GIT_TIMEOUT} s") from None
    except OSError as exc:
        raise DeliveryError(f"git cannot run ({exc.strerror or exc})") from None
    if run.returncode != 0:
        lines = [" ".join(line.split()) for line in redacted(run.stderr, token).splitlines()
                 if line.strip() and not line.startswith("hint:")] or [f"exit status {run.returncode}"]
        reasons = [line for line in lines[:-1] if line.startswith("remote:") or "rejected]" in line]
        raise DeliveryError(f"git {args[0]}: {'; '.join(dict.fromkeys(reasons[-2:] + lines[-1:]))[:300]}")
    return run.stdout


def _write(tree, files, replace):
    """Write ``files`` (``{relative path: str or bytes}``) into ``tree``, first removing the folders ``replace``."""
    for folder in replace:
        shutil.rmtree(tree / folder, ignore_errors=True)
    for relative, content in files.items():
        path = tree / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)


def _remote_head(work, url, ref, env, token):
    """The commit ``ref`` names in the repository at ``url``, or None when it has no such branch."""
    line = _git(work, ["ls-remote", "--heads", "--", url, ref], env, token).split()
    return line[0] if line else None


def deliver_to(url, files, branch, message, token=None, base_url=GITHUB_URL, replace=(), dry_run=False):
    """Commit ``files`` onto ``branch`` of the repository at ``url`` and push that branch alone.

    files: ``{relative path: text or bytes}``; replace: folders of the branch to empty first (a solution
    published again). The branch is created (with no history of its own) when the repository has none.
    When the branch moves between the fetch and the push (the other workflow delivering to the same
    student at that moment), the commit is made again on the new head, at most ``PUSH_ATTEMPTS`` times.
    Returns "delivered", "unchanged" (no commit made) or "would deliver" (dry run: nothing pushed);
    DeliveryError with one line when the repository cannot be read or the push is refused.
    """
    env = git_environment(base_url, token)
    env.update(GRADER_IDENTITY, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    ref = f"refs/heads/{branch}"
    with tempfile.TemporaryDirectory(prefix="grader-deliver-") as tmp:
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            work = Path(tmp) / f"branch-{attempt}"
            _git(tmp, ["init", "--quiet", str(work)], env)
            try:
                head = _remote_head(work, url, ref, env, token)
            except DeliveryError as exc:
                raise DeliveryError(f"no repository, or no access: {exc}") from None
            if head:
                _git(work, ["fetch", "--quiet", "--", url, ref], env, token)
                _git(work, ["checkout", "--quiet", "-B", branch, "FETCH_HEAD"], env)
            else:
                _git(work, ["symbolic-ref", "HEAD", ref], env)
            _write(work, files, replace)
            (work / "README.md").write_text(branch_readme(work, branch))
            _git(work, ["add", "--all"], env)
            if not _git(work, ["diff", "--cached", "--name-only"], env).split():
                return "unchanged"
            if dry_run:
                return "would deliver"
            _git(work, ["commit", "--quiet", "--no-verify", "-m", message], env)
            try:
                _git(work, ["push", "--quiet", "--", url, f"HEAD:{ref}"], env, token)
                return "delivered"
            except DeliveryError as exc:
                refused = exc
            if _remote_head(work, url, ref, env, token) == head:   # not a concurrent delivery: a refusal
                raise DeliveryError(f"push refused: {refused}")
    raise DeliveryError(f"push refused: the {branch} branch moved during each of {PUSH_ATTEMPTS} attempts "
                        f"(last: {refused})")


# ---------------------------------------------------------------------------------------------
# The class


def deliver(course, gradebook=None, solutions=None, only=None, token=None, base_url=GITHUB_URL, dry_run=False,
            now=None):
    """Deliver feedback (from ``gradebook``) and/or solutions (a ``publish-solutions`` folder) to every
    roster student (or those in ``only``); return ``(outcomes, notes)``.

    outcomes: one ``Outcome`` per student, in roster order; notes: lines for the instructor (rows left
    out of the gradebook, solutions not yet delivered and when they will be). DeliveryError when the
    course does not deliver or a named student is not on the roster.
    """
    if course.delivery.mode != "branch":
        raise DeliveryError(f"{course.path.name}: feedback delivery is off (set [feedback] deliver = \"branch\")")
    entries = read_roster(course.roster)
    wanted = list(dict.fromkeys(only or ()))
    unknown = [s for s in wanted if s not in {e.student for e in entries}]
    if unknown:
        raise DeliveryError(f"student {unknown[0]} is not on the roster {course.roster}")
    entries = [e for e in entries if not wanted or e.student in wanted]
    notes = []
    pages = feedback_files(gradebook, [e.student for e in entries], notes) if gradebook else {}
    shared, replace = {}, []
    if solutions is not None:
        if not course.delivery.solutions:
            notes.append(f"{course.path.name}: [feedback] solutions = false: no solution delivered")
        else:
            shared, refused = solutions_ready(course, solutions, now)
            notes += refused
            replace = sorted({"/".join(path.split("/")[:2]) for path in shared})
    subject = " and ".join(part for part, present in (("Feedback", pages), ("solutions", shared)) if present)
    outcomes = []
    for entry in entries:
        files = {**pages.get(entry.student, {}), **shared}
        if not files:
            outcomes.append(Outcome(entry.student, "unchanged", "nothing to deliver"))
            continue
        try:
            url, remote = push_target(entry.submission, course.roster.parent, base_url)
            status = deliver_to(url, files, course.delivery.branch, f"{subject} from the course's grader",
                                token if remote else None, base_url, replace, dry_run)
        except (DeliveryError, OSError) as exc:
            outcomes.append(Outcome(entry.student, "failed", " ".join(str(exc).split())[:300]))
            continue
        outcomes.append(Outcome(entry.student, status, f"{course.delivery.branch} of {entry.submission}"))
    return outcomes, notes
