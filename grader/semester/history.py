"""A student's git history: the graded branch, its commits, what each changed, and a commit's files.

Every call to git is bounded in time and runs without prompts or the user's configuration; every
failure is a ``HistoryError`` with one line. Standard library only.
"""

import datetime
import os
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError

GIT_TIMEOUT = 300
EXPORT_MAX_MEMBERS = 20000
EXPORT_MAX_BYTES = 512 << 20
EXPORT_MAX_DEPTH = 16


class HistoryError(GraderError, ValueError):
    """A repository whose history cannot be read; the message is one line."""


@dataclass(frozen=True)
class Commit:
    """One commit of the graded branch's first-parent history."""

    sha: str
    committed_at: datetime.datetime   # the committer date: written by the student's git
    is_root: bool                     # no parent: the repository's first commit (the template's)
    changed: tuple                    # paths changed against the first parent


def _env():
    return dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C", GIT_CONFIG_NOSYSTEM="1",
                GIT_CONFIG_GLOBAL=os.devnull)


def git(repo, *args):
    """The standard output of ``git -C repo ARGS``; HistoryError (one line) when it fails."""
    try:
        run = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, env=_env(), timeout=GIT_TIMEOUT,
                             text=True, errors="replace")
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HistoryError(f"git {args[0]} failed in {repo}: {exc}") from None
    if run.returncode != 0:
        error = run.stderr.strip()
        last = error.splitlines()[-1] if error else f"exit status {run.returncode}"
        raise HistoryError(f"git {args[0]} failed in {repo}: {last}")
    return run.stdout


def is_git_repository(path):
    return (Path(path) / ".git").exists()


def graded_branch(repo):
    """The full name of the branch checked out (``refs/heads/main``), or None when HEAD is detached."""
    try:
        return git(repo, "symbolic-ref", "--quiet", "HEAD").strip() or None
    except HistoryError:
        return None


def first_parent_history(repo):
    """The ``Commit`` list of HEAD's first-parent history, newest first, each with the paths it changed.

    A merge's changes are taken against its first parent (what the merge brought to the branch).
    """
    try:
        git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except HistoryError:
        raise HistoryError(f"the repository {repo} has no commit") from None
    out = git(repo, "log", "--first-parent", "--diff-merges=first-parent", "--no-renames", "--name-only",
              "-z", "--format=%x01%H %cI %P", "HEAD")
    commits = []
    for record in out.split("\x01")[1:]:
        head, _, names = record.partition("\n")
        sha, when, *parents = head.strip("\x00").split(" ")
        parents = [p for p in parents if p]
        paths = tuple(n.strip("\n") for n in names.split("\x00") if n.strip("\n"))
        commits.append(Commit(sha, datetime.datetime.fromisoformat(when), not parents, paths))
    return commits


def changes_folder(commit, folder):
    """Whether ``commit`` changed anything under ``folder`` (a path relative to the repository)."""
    prefix = folder.rstrip("/") + "/"
    return any(path.startswith(prefix) for path in commit.changed)


def ancestors(repo, commit):
    """The set of commits reachable from ``commit`` (itself included); empty when it is not here."""
    try:
        git(repo, "cat-file", "-e", f"{commit}^{{commit}}")
    except HistoryError:
        return set()
    return set(git(repo, "rev-list", commit).split())


def export_commit(repo, commit, dest):
    """Write the tree of ``commit`` into ``dest`` (tracked files only; no links, nothing outside).

    Bounded like every read of student files: at most EXPORT_MAX_MEMBERS entries and
    EXPORT_MAX_BYTES bytes, nothing deeper than EXPORT_MAX_DEPTH folders (the grading copies
    of each assignment folder then apply their own, tighter limits and say what they left out).
    """
    dest = Path(dest)
    dest.mkdir(parents=True)
    command = ["git", "-C", str(repo), "archive", "--format=tar", commit]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env()) as process:
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
            raise HistoryError(f"git archive of {commit[:10]} in {repo} failed: {exc}") from None
        if stopped:
            process.kill()
            process.wait()
            return dest
        error = process.stderr.read().decode(errors="replace")
    if process.returncode != 0:
        last = error.strip().splitlines()[-1] if error.strip() else f"exit status {process.returncode}"
        raise HistoryError(f"git archive failed in {repo}: {last}")
    return dest
