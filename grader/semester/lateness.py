"""Which submission of an assignment is graded, and its late penalty: one decision per assignment.

A submission of assignment aN is a commit of the graded branch's first-parent history that changes
something under ``assignments/aN/`` (or ``aN/`` in a repository without the template's layout).
Commits that touch nothing of aN never make aN late, and the repository's first commit (the
template's, made by GitHub when the repository was created from the student template) is never a
submission: a student who never changed aN has "not submitted" it.

Each submission has a time: when a push delivered it to GitHub (``grader.semester.pushes``) or, without a
push timeline, its commit date (which the student's git writes, so the report says so). The due date
is the course's, or the student's extension; a submission up to ``grace_minutes`` after it is on time.

- ``last-before-due``: the newest submission on time is graded (status "on-time" when it is the
  newest of all, "last-before-due" when later ones came after the due date and are not graded);
  when none came on time, the newest one is graded with the penalty below.
- ``penalty``: the newest submission is graded, less ``penalty_per_day`` of its score per started
  day late (status "penalty"); more than ``max_late_days`` late it earns nothing.

The decision is a ``grader.records.results.Lateness``: the score is never overwritten, the penalty is a
field and the final score is computed from the raw one. Standard library only.
"""

import datetime
import math
from dataclasses import dataclass

from grader.records.results import Lateness

TIME_SOURCES = {"pushes": "push times recorded by GitHub",
                "commit dates": "commit dates (can be set by the student)"}


@dataclass(frozen=True)
class Submission:
    """One submission of an assignment: the commit and when it counts as submitted."""

    commit: str
    at: datetime.datetime


def iso(moment):
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def when(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def submissions_of(history, folders, times):
    """The submissions of one assignment, newest first.

    history: ``grader.semester.history.Commit`` list, newest first; folders: the paths that hold the
    assignment (``assignments/aN`` and ``aN``); times: ``{sha: datetime}`` when each was submitted.
    """
    from grader.semester.history import changes_folder

    return [Submission(c.sha, times[c.sha]) for c in history
            if not c.is_root and any(changes_folder(c, f) for f in folders)]


def penalty_for(late_days, rule):
    """The fraction of the score taken off for a submission ``late_days`` days late."""
    if late_days <= 0:
        return 0.0
    if late_days > rule.max_late_days:
        return 1.0
    return min(1.0, math.ceil(late_days - 1e-9) * rule.penalty_per_day)


def decide(submissions, due, rule, extended=False, time_source="pushes", course_due=None):
    """The ``Lateness`` of one assignment of one student.

    submissions: ``Submission`` list, newest first; due: the due date that applies to this student
    (an extension when ``extended``; ``course_due`` is then the course's); rule: ``LateRule``.
    """
    course_due = course_due or due
    base = {"due": iso(course_due), "extension": iso(due) if extended else None,
            "time_source": TIME_SOURCES[time_source]}
    due_text = f"the due date ({when(due)}{', your extension' if extended else ''})"
    if not submissions:
        return Lateness(status="not-submitted", penalty=1.0, **base,
                        note="Not submitted: no commit of yours changes this assignment's folder (the template's "
                             "first commit is not a submission), so it earns no points.")
    newest = submissions[0]
    limit = due + datetime.timedelta(minutes=rule.grace_minutes)
    source = f" (time source: {TIME_SOURCES[time_source]})"
    if newest.at <= limit:
        return Lateness(status="on-time", commit=newest.commit, submitted_at=iso(newest.at), **base,
                        note=f"Submitted on time: {newest.commit[:10]}, {when(newest.at)}{source}.")
    late_days = (newest.at - due).total_seconds() / 86400
    lateness = (f"Your newest submission {newest.commit[:10]} ({when(newest.at)}) came {late_days:.2f} days after "
                f"{due_text}{source}.")
    if rule.policy == "last-before-due":
        for submission in submissions[1:]:
            if submission.at <= limit:
                return Lateness(status="last-before-due", commit=submission.commit,
                                submitted_at=iso(submission.at), newest=newest.commit, **base,
                                note=f"{lateness} Graded at your last submission before the due date, "
                                     f"{submission.commit[:10]} ({when(submission.at)}); later ones were not graded.")
        lateness += " None of your submissions came before it."
    penalty = penalty_for(late_days, rule)
    if late_days > rule.max_late_days:
        how = f"more than {rule.max_late_days:g} days late, so it earns no points"
    else:
        how = (f"with a late penalty of {penalty:.0%} ({math.ceil(late_days - 1e-9)} started day(s) "
               f"x {rule.penalty_per_day:.0%})")
    return Lateness(status="penalty", commit=newest.commit, submitted_at=iso(newest.at), newest=newest.commit,
                    late_days=round(late_days, 3), penalty=round(penalty, 4), **base,
                    note=f"{lateness} Graded at your newest submission, {how}.")


def unknown():
    """The lateness of a plain folder: no history, so no due-date check."""
    return Lateness(status="unknown", note="Not a git repository: graded as it is, without a due-date check.")
