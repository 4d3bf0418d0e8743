"""The leak check: no line of a solution block or of a hidden test may reach the student release.

A line is *secret* when it stands inside a ``### BEGIN SOLUTION`` block of a module or
notebook, inside ``### BEGIN HIDDEN TESTS`` of a notebook, or anywhere in a hidden suite,
and does not also stand in the public part of the instructor source (outside those
blocks, or in the public tests). Lines shorter than ``MIN_LENGTH`` characters after
stripping (``return h``, ``else:``, ``)``) say nothing and are ignored.
"""

import json
import re
from pathlib import Path

from grader.paths import ASSIGNMENTS, SOLUTIONS, SUITES

MIN_LENGTH = 16
MARKERS = {
    "### BEGIN SOLUTION": "### END SOLUTION",
    "### BEGIN HIDDEN TESTS": "### END HIDDEN TESTS",
}


def _normal(line):
    return re.sub(r"\s+", " ", line.strip())


def _meaningful(line):
    return len(line) >= MIN_LENGTH and not line.startswith("### ")


def split_secret(text):
    """Split a source text into (secret lines, public lines), normalised."""
    secret, public, closing = set(), set(), None
    for raw in text.splitlines():
        line = _normal(raw)
        if closing is None and line in MARKERS:
            closing = MARKERS[line]
        elif closing is not None and line == closing:
            closing = None
        elif _meaningful(line):
            (secret if closing else public).add(line)
    return secret, public


def source_texts(path):
    """The texts of a file: the cells' sources for a notebook, the file itself otherwise."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text()).get("cells", [])
        return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]
    try:
        return [path.read_text()]
    except UnicodeDecodeError:
        return []


def secret_lines(assignment):
    """The secret lines of one assignment (solution blocks and hidden tests, minus public lines)."""
    secret, public = set(), set()
    for path in sorted((SOLUTIONS / assignment).rglob("*")):
        if path.is_file() and path.suffix in (".py", ".ipynb", ".md", ".txt"):
            for text in source_texts(path):
                s, p = split_secret(text)
                secret |= s
                public |= p
    suite = SUITES / assignment
    for path in sorted(suite.rglob("*.py")) if suite.exists() else []:
        secret |= {_normal(l) for l in path.read_text().splitlines() if _meaningful(_normal(l))}
    return secret - public


def find_leaks(assignment, release_root=ASSIGNMENTS):
    """Return ``[(file, line)]`` for every secret line found in the release of ``assignment``."""
    secret = secret_lines(assignment)
    leaks = []
    folder = Path(release_root) / assignment
    for path in sorted(folder.rglob("*")) if folder.exists() else []:
        if not path.is_file():
            continue
        for text in source_texts(path):
            for raw in text.splitlines():
                line = _normal(raw)
                if line in secret:
                    leaks.append((str(path.relative_to(release_root)), line))
    return leaks
