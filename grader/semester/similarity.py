"""Similarity of submissions: every pair of students' module code compared with winnowing fingerprints.

Each roster student's graded code of one assignment is gathered (``gather_submissions``): the commit
their report names as graded, the newest commit when there is no report, or the folder as it is.
Only the assignment's modules are compared: the ``*.py`` files of the released ``assignments/<aN>/``
(the stubs), not its tests or notebooks. ``compare_submissions`` fingerprints each module with
copydetect (k-grams of the tokenised code, names and strings replaced by one letter, so renaming
changes nothing; comments and layout are dropped), removes every fingerprint of the released stub,
and compares every pair. ``similarity_a`` of a pair is the share of A's own fingerprinted code (what
is left once the stub's is removed) that also occurs in B's; ``similarity_b`` the other way round.

Nothing here runs student code: it is read as text, from a bounded export of the graded commit.
"""

import io
import itertools
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import GraderError
from grader.paths import ASSIGNMENTS
from grader.records.report import ReportError, load_report
from grader.semester.history import HistoryError, export_commit, git
from grader.semester.roster import RosterError, locate, read_roster, submission_root

NOISE_CHARACTERS = 25        # copydetect's noise threshold: shorter matches of the tokenised code never count
GUARANTEE_CHARACTERS = 25    # every match at least this long is found (winnowing window = guarantee - noise + 1)
MAX_MODULE_BYTES = 1_000_000
COMMIT = re.compile(r"^[0-9a-f]{7,64}$")


class SimilarityError(GraderError, ValueError):
    """An assignment or a set of submissions that cannot be compared; the message is one line."""


@dataclass(frozen=True)
class Submission:
    """One student's code of the assignment: ``{module file name: source}`` and where it was taken from."""

    student: str
    modules: dict
    source: str


@dataclass(frozen=True)
class Skipped:
    """A roster student whose code could not be compared, and why (one line)."""

    student: str
    reason: str


@dataclass
class ModuleMatch:
    """The overlapping code of one module in a pair: character spans ``(start, end)`` of each student's own code."""

    module: str
    spans_a: list
    spans_b: list


@dataclass
class Pair:
    """Two students and how much of each one's own code also occurs in the other's (fractions 0..1)."""

    student_a: str
    student_b: str
    similarity_a: float
    similarity_b: float
    matches: list = field(default_factory=list)

    @property
    def similarity(self):
        """The larger of the two directions: what ranks the pair."""
        return max(self.similarity_a, self.similarity_b)


@dataclass
class Comparison:
    """Everything a similarity report shows: the pairs (most similar first), the inputs and the parameters."""

    assignment: str
    stubs: dict
    submissions: list
    pairs: list
    skipped: list
    stub_only: list
    own: dict = field(default_factory=dict)     # {student: {module: [(start, end)] of lines not from the stub}}
    noise: int = NOISE_CHARACTERS
    guarantee: int = GUARANTEE_CHARACTERS


def released_modules(assignment, released=ASSIGNMENTS):
    """The released stubs of ``assignment``: ``{file name: source}`` of the ``*.py`` in ``assignments/<aN>/``.

    Raises SimilarityError for an assignment that has no released folder or no module in it.
    """
    folder = Path(released) / assignment
    if not re.fullmatch(r"[A-Za-z0-9_]+", assignment or "") or not folder.is_dir():
        known = sorted(p.name for p in Path(released).iterdir() if p.is_dir() and not p.name.startswith("."))
        raise SimilarityError(f"unknown assignment {assignment!r} (released: {', '.join(known) or 'none'})")
    stubs = {path.name: path.read_text() for path in sorted(folder.glob("*.py"))}
    if not stubs:
        raise SimilarityError(f"assignments/{assignment} has no module (*.py) to compare")
    return stubs


def read_module(path):
    """The text of one student module file; SimilarityError (one line) when it cannot be used."""
    if path.is_symlink() or not path.is_file():
        raise SimilarityError(f"{path.name} is not a regular file")
    if path.stat().st_size > MAX_MODULE_BYTES:
        raise SimilarityError(f"{path.name} is larger than {MAX_MODULE_BYTES // 1000} kB")
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise SimilarityError(f"{path.name} is not UTF-8 text") from None
    except OSError as exc:
        raise SimilarityError(f"{path.name} cannot be read ({exc.strerror or exc})") from None


def modules_of_tree(tree, assignment, names):
    """``{name: source}`` of the assignment's modules found in a submission tree; SimilarityError when none is."""
    folder = submission_root(tree) / assignment
    found = {name: read_module(folder / name) for name in names if (folder / name).exists()}
    if not found:
        raise SimilarityError(f"no {' or '.join(names)} in {assignment}/")
    return found


def graded_commit(report_file, assignment, student):
    """``(commit or None, reason to skip or None)`` from a student's report file for ``assignment``."""
    try:
        report = load_report(report_file, expected_student=student)
    except ReportError as exc:
        return None, f"its report cannot be used ({exc})"
    part = report.assignments.get(assignment)
    if part is None:
        return None, f"its report has no {assignment}"
    if not part.graded:
        return None, f"{assignment} was not graded ({part.reason or 'no reason given'})"
    lateness = part.lateness
    if lateness is not None and lateness.status == "not-submitted":
        return None, f"nothing of {assignment} was submitted"
    commit = (lateness.commit if lateness is not None else None) or (report.submission or {}).get("commit")
    if commit is not None and not COMMIT.match(str(commit)):
        return None, f"its report names no valid commit ({str(commit)[:20]!r})"
    return commit, None


def gather_submission(entry, assignment, names, roster_dir, submissions=None, reports=None):
    """The ``Submission`` of one roster entry, or a ``Skipped`` with the reason."""
    commit, graded = None, False
    report_file = Path(reports) / f"{entry.student}.json" if reports is not None else None
    if report_file is not None and report_file.is_file():
        commit, reason = graded_commit(report_file, assignment, entry.student)
        if reason:
            return Skipped(entry.student, reason)
        graded = commit is not None
    with tempfile.TemporaryDirectory(prefix="grader-similarity-") as tmp:
        try:
            kind, path = locate(entry, roster_dir, submissions, tmp)
            if kind == "folder":
                return Submission(entry.student, modules_of_tree(path, assignment, names), "folder as it is")
            if commit is None:
                commit = git(path, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").strip()
            tree = export_commit(path, commit, Path(tmp) / "tree")
            modules = modules_of_tree(tree, assignment, names)
            shutil.rmtree(tree, ignore_errors=True)
        except (RosterError, HistoryError, SimilarityError) as exc:
            return Skipped(entry.student, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    source = f"commit {commit[:10]}" + (" (graded)" if graded else " (newest; no report names the graded one)")
    return Submission(entry.student, modules, source)


def gather_submissions(roster, assignment, names, submissions=None, reports=None):
    """Every roster student's code of ``assignment``: ``(submissions, skipped)``, each in roster order.

    roster: the roster CSV; names: the module file names to read; submissions: a folder with a checkout
    per student (as in grade-roster); reports: a folder of report files (``<student>.json``) naming
    each student's graded commit.
    """
    entries = read_roster(roster)
    roster_dir = Path(roster).resolve().parent
    found, skipped = [], []
    for entry in entries:
        outcome = gather_submission(entry, assignment, names, roster_dir, submissions, reports)
        (found if isinstance(outcome, Submission) else skipped).append(outcome)
    return found, skipped


def _fingerprint(name, code, noise, guarantee, boilerplate=None):
    from copydetect import CodeFingerprint

    return CodeFingerprint(name, noise, guarantee - noise + 1, boilerplate=boilerplate, language="python",
                           fp=io.StringIO(code))


def _spans(slices, length):
    """copydetect's 2xN slice array -> sorted, merged ``[(start, end)]`` character spans within ``length``."""
    spans = sorted((max(0, int(start)), min(length, int(end))) for start, end in zip(*slices) if end > start)
    merged = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        elif end > start:
            merged.append((start, end))
    return merged


def own_regions(code, stub):
    """The character spans ``(start, end)`` of the lines of ``code`` that are not lines of the released ``stub``.

    A line counts as the stub's when the stub has the same line anywhere (so reordered functions keep
    their docstrings grey); blank lines count as the stub's.
    """
    stub_lines = {line.rstrip() for line in stub.splitlines()}
    spans, position = [], 0
    for line in code.splitlines(keepends=True):
        if line.strip() and line.rstrip() not in stub_lines:
            if spans and spans[-1][1] == position:
                spans[-1] = (spans[-1][0], position + len(line))
            else:
                spans.append((position, position + len(line)))
        position += len(line)
    return spans


def intersect(spans, regions):
    """The parts of the sorted, disjoint ``spans`` that lie inside the sorted, disjoint ``regions``."""
    out = []
    for start, end in spans:
        for low, high in regions:
            if low < end and start < high:
                out.append((max(start, low), min(end, high)))
    return out


def compare_submissions(assignment, stubs, submissions, skipped=(), noise=NOISE_CHARACTERS,
                        guarantee=GUARANTEE_CHARACTERS):
    """Compare every pair of ``submissions`` module by module, the stubs' fingerprints removed.

    Returns a ``Comparison`` whose pairs are sorted, most similar first. A pair's similarity in one
    direction sums the overlap over the modules both have and divides it by all of that student's own
    fingerprinted code. Raises SimilarityError when fewer than two submissions are given.
    """
    import numpy as np
    from copydetect import compare_files

    if len(submissions) < 2:
        have = ", ".join(s.student for s in submissions) or "none"
        raise SimilarityError(f"{assignment}: {len(submissions)} submission(s) to compare ({have}); "
                              "at least two are needed")
    if not 0 < noise <= guarantee:
        raise SimilarityError(f"the noise threshold ({noise}) must be positive and at most the guarantee ({guarantee})")
    stub_hashes = set()
    for name, code in stubs.items():
        stub_hashes |= set(_fingerprint(name, code, noise, noise).hashes)
    boilerplate = np.unique(np.array(sorted(stub_hashes), dtype=np.int64))
    prints = {s.student: {name: _fingerprint(name, code, noise, guarantee, boilerplate)
                          for name, code in s.modules.items()} for s in submissions}
    own = {student: sum(p.token_coverage for p in modules.values()) for student, modules in prints.items()}
    own_code = {s.student: {name: own_regions(code, stubs.get(name, "")) for name, code in s.modules.items()}
                for s in submissions}
    pairs = []
    for a, b in itertools.combinations(submissions, 2):
        overlap_a = overlap_b = 0.0
        matches = []
        for name in sorted(set(a.modules) & set(b.modules)):
            first, second = prints[a.student][name], prints[b.student][name]
            _, (share_a, share_b), (slices_a, slices_b) = compare_files(first, second)
            overlap_a += share_a * first.token_coverage
            overlap_b += share_b * second.token_coverage
            if len(slices_a) and len(slices_a[0]):
                matches.append(ModuleMatch(
                    name, intersect(_spans(slices_a, len(a.modules[name])), own_code[a.student][name]),
                    intersect(_spans(slices_b, len(b.modules[name])), own_code[b.student][name])))
        pairs.append(Pair(a.student, b.student, overlap_a / own[a.student] if own[a.student] else 0.0,
                          overlap_b / own[b.student] if own[b.student] else 0.0, matches))
    pairs.sort(key=lambda p: (-p.similarity, -min(p.similarity_a, p.similarity_b), p.student_a, p.student_b))
    stub_only = [s.student for s in submissions if not own[s.student]]
    return Comparison(assignment, stubs, list(submissions), pairs, list(skipped), stub_only, own_code, noise,
                      guarantee)
