"""The leak check: no line of a solution block or of a hidden test may reach the student release.

A line is *secret* when it stands inside a solution or hidden test block of a module, notebook
cell or text file of ``solutions/<aN>/`` (grammar in markers.py), or anywhere in the hidden suite
``grader/suites/<aN>/``, and does not also stand in the public part of the instructor source
(outside those blocks, or in the public tests). Lines are compared with their whitespace
normalised; lines shorter than ``MIN_LENGTH`` characters (``return h``, ``else:``, ``)``) and
lines starting with ``### `` (markdown headings) say nothing and are ignored.

A malformed marker in the sources raises MarkerError (one line, naming the file and line).
"""

import re
from pathlib import Path

from grader.authoring.markers import TEXT, notebook_cells, parse
from grader.paths import ASSIGNMENTS, SOLUTIONS, SUITES

MIN_LENGTH = 16
SOURCES = (".py", ".ipynb", ".md", ".txt")


def _normal(line):
    return re.sub(r"\s+", " ", line.strip())


def _meaningful(line):
    return len(line) >= MIN_LENGTH and not line.startswith("### ")


def split_secret(text, where="<text>"):
    """Split a source text into (secret lines, public lines), normalised."""
    secret, public = set(), set()
    for block in parse(text, where):
        lines = {_normal(line) for line in block.lines}
        (public if block.kind == TEXT else secret).update(filter(_meaningful, lines))
    return secret, public


def source_texts(path):
    """The texts of a file: the cells' sources for a notebook, the file itself otherwise."""
    if path.suffix == ".ipynb":
        return [source for source, _ in notebook_cells(path)]
    try:
        return [path.read_text()]
    except UnicodeDecodeError:
        return []


def secret_lines(assignment):
    """The secret lines of one assignment (solution blocks and hidden tests, minus public lines)."""
    secret, public = set(), set()
    for path in sorted((SOLUTIONS / assignment).rglob("*")):
        if path.is_file() and path.suffix in SOURCES:
            where = path.relative_to(SOLUTIONS.parent)
            for number, text in enumerate(source_texts(path), start=1):
                s, p = split_secret(text, f"{where} cell {number}" if path.suffix == ".ipynb" else where)
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
