"""Reading a JSON file that came from elsewhere (a grading job, GitHub): bounded in size, one line on failure."""

import json


def read_json(path, limit, error, what="JSON"):
    """The parsed content of the file at ``path``.

    limit: the largest size read, in bytes; error: the exception class raised, with one line naming
    the file and saying it is not a readable ``what`` (unreadable, larger than ``limit``, not UTF-8
    JSON, nested too deep).
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise error(f"{path}: not a readable {what} ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise error(f"{path}: not a readable {what} (larger than {limit >> 20} MB)")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise error(f"{path}: not a readable {what} ({reason[:200]})") from None
