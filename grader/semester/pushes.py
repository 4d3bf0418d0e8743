"""When each commit reached GitHub: a student's push timeline, read and applied to their history.

Commit dates are written by the student's own git (``GIT_COMMITTER_DATE`` sets any date), so they
cannot decide lateness. GitHub records when each push arrived: the repository activity API
(``GET /repos/{owner}/{repo}/activity``) lists events with ``before``, ``after``, ``ref``,
``timestamp`` and ``activity_type``. ``grade.yml`` fetches that list for each student
(``python -m grader fetch``) and the grader reads it here (``--push-times``).

A commit counts as submitted at the first push to the graded branch after which it was reachable
from the branch: the first event whose ``after`` has the commit among its ancestors. A commit
pushed and later removed by a force-push is not in the graded history, so it is never a submission.
A push whose ``after`` is no longer in the repository (removed by a later force-push) cannot be
inspected; the commits it carried count from the next push that still shows them, and the report
says so. A commit that no recorded push delivered counts as submitted when it was graded.

Standard library only.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import GraderError
from grader.records.jsonfile import read_json
from grader.semester.history import ancestors

MAX_TIMELINE_BYTES = 16 << 20
MAX_EVENTS = 10000


class TimelineError(GraderError, ValueError):
    """A push timeline that cannot be used; one line naming the file and the event."""


@dataclass(frozen=True)
class Push:
    """One event of the activity API that moved a branch."""

    ref: str
    after: str
    at: datetime.datetime
    kind: str


@dataclass
class PushTimes:
    """When each commit of a history was submitted, and what could not be inspected."""

    times: dict = field(default_factory=dict)       # {sha: datetime of the first push that delivered it}
    notes: list = field(default_factory=list)       # one line each, for the report


def _moment(value, where):
    if not isinstance(value, str):
        raise TimelineError(f"{where}.timestamp: must be a date-time string, not {type(value).__name__}")
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise TimelineError(f"{where}.timestamp: {value[:40]!r} is not a date-time") from None
    if moment.tzinfo is None:
        raise TimelineError(f"{where}.timestamp: {value[:40]!r} has no time zone")
    return moment


def read_timeline(path):
    """The pushes of an activity timeline file (the API's JSON list of events), oldest first."""
    path = Path(path)
    events = read_json(path, MAX_TIMELINE_BYTES, TimelineError, "push timeline (JSON)")
    if not isinstance(events, list):
        raise TimelineError(f"{path}: must be the activity API's list of events, not {type(events).__name__}")
    if len(events) > MAX_EVENTS:
        raise TimelineError(f"{path}: {len(events)} events, more than {MAX_EVENTS}")
    pushes = []
    for index, event in enumerate(events):
        where = f"{path.name}[{index}]"
        if not isinstance(event, dict):
            raise TimelineError(f"{where}: must be an object")
        after, ref = event.get("after"), event.get("ref")
        if not isinstance(ref, str) or not isinstance(after, str):
            raise TimelineError(f"{where}: needs `ref` and `after` strings")
        if set(after) == {"0"}:          # a branch deletion: delivers nothing
            continue
        pushes.append(Push(ref, after, _moment(event.get("timestamp"), where), str(event.get("activity_type", ""))))
    return sorted(pushes, key=lambda p: p.at)


def _same_ref(ref, branch):
    return ref == branch or (not ref.startswith("refs/") and f"refs/heads/{ref}" == branch)


def push_times(repo, pushes, branch, commits, now):
    """``PushTimes`` of ``commits`` (shas of the graded history) from the ``pushes`` to ``branch``.

    ``now``: the time a commit that no recorded push delivered counts as submitted.
    """
    out = PushTimes()
    waiting = set(commits)
    for push in pushes:
        if not waiting:
            break
        if not _same_ref(push.ref, branch):
            continue
        reached = ancestors(repo, push.after)
        if not reached:
            out.notes.append(f"The push of {push.after[:10]} at {push.at.isoformat()} could not be inspected "
                             "(that commit is no longer in the repository, e.g. after a force-push); the "
                             "commits it carried count from a later push.")
            continue
        for sha in waiting & reached:
            out.times[sha] = push.at
        waiting -= reached
    for sha in waiting:
        out.times[sha] = now
    if waiting:
        out.notes.append(f"{len(waiting)} commit(s) of the graded branch appear in no recorded push; they count as "
                         f"submitted when graded ({now.isoformat(timespec='seconds')}).")
    return out
