"""What a workflow run works on: the assignments due, the student template, and the class as shards.

``grade.yml`` grades a class of any size as a GitHub matrix, which holds at most 256 jobs. The
roster is therefore split, in its own order, into at most ``MAX_JOBS`` shards of nearly equal size
(300 students: 44 shards of 2 and 212 of 1; 20 students: 20 shards of 1), and each job grades the
students of its shard. Every roster submission must name a GitHub repository: the workflow clones
``owner/name`` and reads its push timeline, so a local path stops the plan with one line.
"""

import json

from grader.errors import GraderError

MAX_JOBS = 256                   # GitHub's limit on the jobs of one matrix


class PlanError(GraderError, ValueError):
    """A roster the GitHub workflow cannot grade; the message is one line."""


def shards(students, max_jobs=MAX_JOBS):
    """``students`` split in order into ``min(len, max_jobs)`` runs whose sizes differ by at most one."""
    students = list(students)
    count = min(len(students), max_jobs)
    if count == 0:
        return []
    size, extra = divmod(len(students), count)
    out, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        out.append(students[start:end])
        start = end
    return out


def roster_repositories(path):
    """``[(student, owner/name)]`` of a roster, in order; PlanError naming the line of a non-GitHub value."""
    from grader.semester.github import GitHubError, repository_slug
    from grader.semester.roster import read_roster

    out = []
    for number, entry in enumerate(read_roster(path), start=2):
        line = getattr(entry, "line", number)
        try:
            out.append((entry.student, repository_slug(entry.submission)))
        except GitHubError:
            raise PlanError(f"roster {path}:{line}: student {entry.student}'s submission {entry.submission!r} "
                            "is not a GitHub repository; the GitHub workflow needs owner/name (or its github.com "
                            "URL)") from None
    return out


def plan(course, assignments=None, with_roster=False, now=None):
    """What a workflow run works on, as ``{name: value}`` outputs for ``$GITHUB_OUTPUT``.

    ``assignments``: the requested names (checked against course.toml), or, when none, every
    assignment whose due date has passed. With ``with_roster`` the roster becomes ``matrix``, a JSON
    ``{"include": [{"shard": "1", "students": "s1,s2"}, ...]}`` of at most MAX_JOBS shards (empty,
    without reading the roster, when there is nothing to grade).
    """
    names = list(assignments) if assignments else course.past_due(now)
    for name in names:
        course.assignment(name)
    out = {"assignments": ",".join(names), "student_template": course.student_template}
    if with_roster:
        include = []
        if names:
            students = [student for student, _ in roster_repositories(course.roster)]
            include = [{"shard": str(number), "students": ",".join(group)}
                       for number, group in enumerate(shards(students), start=1)]
        out["matrix"] = json.dumps({"include": include})
    return out
