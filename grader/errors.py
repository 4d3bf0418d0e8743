"""The one base of every error a user can fix: its message is the one line ``python -m grader`` shows.

Each stage raises its own subclass (``CourseError``, ``RosterError``, ``ReportError``, ...); the command
line catches ``GraderError`` once, prints ``error: <message>`` and exits with status 2, never a
traceback. Anything else that escapes is a bug in the grader, and shows as one.
"""


class GraderError(Exception):
    """A problem with the user's input or machine, described in one line."""
