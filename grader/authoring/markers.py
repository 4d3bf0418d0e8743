"""The marker grammar of the instructor's sources: one parser for the release, the leak check and publish.

A solution module, or the source of a notebook cell, is plain text with marked blocks in it:

    ### BEGIN SOLUTION        what the student writes: the release puts a stub in its place,
    ...                       publish keeps it (without the markers)
    ### END SOLUTION
    ### BEGIN HIDDEN TESTS    checks the student never sees: the release and publish drop them
    ...
    ### END HIDDEN TESTS

A marker is a line of its own: indentation, the marker, nothing else but trailing spaces. Blocks do
not nest, and a BEGIN is closed by the END of its own kind. These are nbgrader's delimiters (the
release runs nbgrader on the notebooks), and nbgrader takes any line that merely *contains* one for
a marker. So a line that mentions a marker without being one (``### BEGIN SOLUTION  # part 1``,
``# End Solution``) is refused too: read as code, it would ship the solution to students.

Every malformed input raises a MarkerError whose message is one line, ``where:line: problem``.
Standard library only (and ``grader.errors``, which imports nothing).
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError

TEXT, SOLUTION, HIDDEN = "text", "solution", "hidden"
KINDS = {"SOLUTION": SOLUTION, "HIDDEN TESTS": HIDDEN}
MARKER = re.compile(r"^(\s*)### (BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$")
LOOKALIKE = re.compile(r"\b(BEGIN|END)\s+(SOLUTION|HIDDEN\s+TESTS|MARK\s+SCHEME)\b", re.IGNORECASE)


class MarkerError(GraderError, RuntimeError):
    """A malformed marker or block, or an unreadable notebook; the message is one line."""


@dataclass(frozen=True)
class Block:
    """A run of lines of one kind.

    - kind: TEXT (outside every marked block), SOLUTION or HIDDEN.
    - lines: the lines inside the block, each with its line ending; never the markers themselves.
    - start, end: the block's first and last line numbers (1-based, markers included).
    - indent: the whitespace before the BEGIN marker ("" for text).
    """

    kind: str
    lines: tuple
    start: int
    end: int
    indent: str = ""


def parse(text, where="<text>"):
    """
    Split a source text into its blocks, in order.

    Inputs:
    - text: a module's text or a notebook cell's source (str).
    - where: what the text is, for error messages, e.g. "solutions/a1_cells/cells.py".

    Returns a list of Block. Their lines, with the marker lines put back between them, are ``text``
    again; a text without markers is a single TEXT block (none if it is empty).
    Raises MarkerError for a marker look-alike, an END without BEGIN, a BEGIN never closed,
    a BEGIN inside an open block, or a BEGIN closed by the END of another kind.
    """
    blocks, lines, first = [], [], 1  # the block being read: its lines and its first line number
    kind = indent = None  # the open marked block: its marker name ("SOLUTION", ...) and indentation
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        marker = _marker(line, f"{where}:{number}")
        if marker is None:
            lines.append(line)
            continue
        margin, verb, name = marker
        if verb == "BEGIN":
            if kind is not None:
                raise MarkerError(f"{where}:{number}: BEGIN {name} inside another block "
                                  f"(the BEGIN {kind} of line {first} is still open)")
            if lines:
                blocks.append(Block(TEXT, tuple(lines), first, number - 1))
            kind, indent, lines, first = name, margin, [], number
        elif kind is None:
            raise MarkerError(f"{where}:{number}: END {name} without BEGIN {name}")
        elif name != kind:
            raise MarkerError(f"{where}:{number}: END {name} closes the BEGIN {kind} of line {first}")
        else:
            blocks.append(Block(KINDS[kind], tuple(lines), first, number, indent))
            kind, lines, first = None, [], number + 1
    if kind is not None:
        raise MarkerError(f"{where}:{first}: BEGIN {kind} is never closed")
    if lines:
        blocks.append(Block(TEXT, tuple(lines), first, first + len(lines) - 1))
    return blocks


def _marker(line, where):
    """(indent, "BEGIN" or "END", name) of a marker line, None for any other line; refuses look-alikes."""
    if match := MARKER.match(line):
        return match.groups()
    if LOOKALIKE.search(line):
        raise MarkerError(f"{where}: {line.strip()[:60]!r} looks like a marker but is not one (a marker "
                          "stands alone on its line, e.g. '### BEGIN SOLUTION' or '### END HIDDEN TESTS')")
    return None


def notebook_cells(path):
    """The cells of a notebook as ``(source, nbgrader metadata)`` pairs, in order (read as JSON)."""
    try:
        cells = json.loads(Path(path).read_text()).get("cells", [])
        return [("".join(c["source"]) if isinstance(c["source"], list) else c["source"],
                 c.get("metadata", {}).get("nbgrader", {})) for c in cells]
    except (ValueError, AttributeError, KeyError, TypeError) as exc:
        raise MarkerError(f"{path}: not a readable notebook ({type(exc).__name__}: {exc})") from None
