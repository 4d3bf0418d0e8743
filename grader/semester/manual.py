"""Written answers graded by hand: an nbgrader course folder for formgrader, and its grades read back.

``prepare_course`` lays out a persistent nbgrader course folder for one assignment from the graded
submissions in the gradebook (or in report files):

    <folder>/nbgrader_config.py        the course root is this folder
    <folder>/source/<aN>/<nb>.ipynb     the instructor's notebook; nbgrader's ``generate_assignment`` reads
                                        its cells into gradebook.db (and writes release/<aN>/)
    <folder>/submitted/<s>/<aN>/        the student's notebook as prepared below, and timestamp.txt
    <folder>/autograded/<s>/<aN>/       the same: what formgrader shows
    <folder>/gradebook.db               nbgrader's gradebook: one submission per student, written through
                                        ``nbgrader.api.Gradebook`` (never ``nbgrader autograde``)
    <folder>/grader-manual.json         the content hash of each student's graded submission

Formgrader lists a submission for manual grading when the student's ``submitted/`` and ``autograded/``
folders exist, the gradebook holds the submission with the timestamp of ``submitted/.../timestamp.txt``,
and a grade of the submission needs a manual grade. Student code never runs here: the autograded
cells get their points from the report (the sandboxed grading), and the written answers get none, so
nbgrader marks them as needing a manual grade.

The notebook formgrader shows is built from the released notebook, not taken from the student: every
cell is as released except the solution cells, whose source is the student's (found by nbgrader grade
id); no output, attachment or metadata of the student's comes along, and a written answer is shown as
the student typed it inside a fenced code block, because formgrader renders Markdown with its HTML
in the instructor's Jupyter session, where a student's script would run with the instructor's rights.

Running ``prepare_course`` again adds new students and keeps every hand grade already given, unless
the student was graded again on other work (another content hash): then that submission starts over.
``read_formgrader_grades`` returns the hand grades given so far, checked, for
``grader.records.gradebook.record_written``.
"""

import json
import os
import re
import shutil
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError
from grader.paths import ASSIGNMENTS, SOLUTIONS
from grader.records.gradebook import stored_reports
from grader.records.report import ReportError, load_report, student_of_file
from grader.records.results import WrittenGrade
from grader.semester.history import HistoryError, git
from grader.semester.roster import Entry, RosterError, locate, read_roster, submission_root

MANIFEST = "grader-manual.json"
MAX_NOTEBOOK_BYTES = 16 << 20
MAX_ANSWER_CHARS = 20_000
NO_ANSWER = "(no answer: this cell is missing from the submitted notebook)"
CONFIG = '''\
# The nbgrader course folder of `python -m grader manual prepare`: grade the written answers in
# formgrader (`jupyter lab` in this folder, then Nbgrader > Formgrader), then read the grades back
# with `python -m grader manual import`. Rebuilt by `manual prepare`; hand grades are kept.
import os

c = get_config()  # noqa: F821 - defined by the configuration loader
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
'''


class ManualError(GraderError, ValueError):
    """Written answers that cannot be prepared or read back; the message is one line."""


@dataclass(frozen=True)
class WrittenCell:
    """A written answer of an assignment: its notebook (file stem), nbgrader grade id and points."""

    notebook: str
    grade_id: str
    max_points: float

    @property
    def name(self):
        """How reports and the gradebook name the cell: ``<notebook>:<grade id>``."""
        return f"{self.notebook}:{self.grade_id}"


@dataclass
class GradedWork:
    """One student's graded submission of the assignment: the report's part, and its notebooks (None: unreadable)."""

    student: str
    part: object
    timestamp: str
    notebooks: dict
    note: str = ""


def _nbgrader(cell):
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    info = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return info if isinstance(info, dict) else {}


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def written_cells(assignment, solutions=SOLUTIONS):
    """The written answers of ``assignment``: its instructor notebooks' graded Markdown cells, in order.

    ManualError when the assignment has no instructor notebook or no written answer.
    """
    notebooks = sorted((Path(solutions) / assignment).glob("*.ipynb")) if re.fullmatch(r"\w+", assignment) else []
    if not notebooks:
        raise ManualError(f"unknown assignment {assignment!r}: no notebook in solutions/{assignment}/")
    cells = [WrittenCell(path.stem, _nbgrader(cell)["grade_id"], float(_nbgrader(cell).get("points", 0)))
             for path in notebooks for cell in json.loads(path.read_text())["cells"]
             if cell.get("cell_type") == "markdown" and _nbgrader(cell).get("grade")]
    if not cells:
        raise ManualError(f"{assignment} has no written answer (a graded Markdown cell) to grade by hand")
    return cells


# ---------------------------------------------------------------------------------------------
# The graded submissions and their notebooks


def graded_parts(assignment, gradebook=None, reports=None):
    """``({student: (Report, AssignmentResult)}, skipped)`` of every graded, submitted ``assignment``.

    From the report files ``reports/<student>.json`` when given, else from the gradebook; skipped: one
    line per student left out and why.
    """
    found, skipped = {}, []
    if reports is not None:
        files = sorted(Path(reports).glob("*.json"))
        if not files:
            raise ManualError(f"no report (<student>.json) in {reports}")
        loaded = []
        for file in files:
            try:
                loaded.append(load_report(file, expected_student=student_of_file(file)))
            except ReportError as exc:
                skipped.append(str(exc).splitlines()[0])
        rows = [(r.student, r) for r in loaded if assignment in r.assignments]
    else:
        rows = [(s, r) for s, a, r in stored_reports(gradebook) if a == assignment]
    for student, report in rows:
        part = report.assignments[assignment]
        if not part.graded:
            skipped.append(f"{student}: {assignment} was not graded ({part.reason})")
        elif part.lateness is not None and part.lateness.status == "not-submitted":
            skipped.append(f"{student}: nothing of {assignment} was submitted")
        else:
            found[student] = (report, part)
    return found, skipped


def _graded_commit(report, part):
    commit = (part.lateness.commit if part.lateness else None) or (report.submission or {}).get("commit")
    return commit if commit and re.fullmatch(r"[0-9a-f]{7,64}", str(commit)) else None


def _notebook_json(text, where):
    try:
        notebook = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ManualError(f"{where} is not a notebook ({type(exc).__name__})") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ManualError(f"{where} is not a notebook (no list of cells)")
    return notebook


def read_notebook_file(path, where):
    """A notebook file of a submission folder, bounded and checked; ManualError (one line) otherwise."""
    if path.is_symlink() or not path.is_file():
        raise ManualError(f"{where} is missing")
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise ManualError(f"{where} is larger than {MAX_NOTEBOOK_BYTES >> 20} MiB")
    return _notebook_json(path.read_bytes().decode("utf-8", errors="replace"), where)


def read_notebook_at_commit(repo, commit, paths, where):
    """The first of ``paths`` that is a regular file in ``commit`` of ``repo``, as a notebook dict."""
    for path in paths:
        listed = git(repo, "ls-tree", "-l", commit, "--", path).split()
        if not listed:
            continue
        mode, kind, _, size = listed[:4]
        if kind != "blob" or mode not in ("100644", "100755"):
            raise ManualError(f"{where} is not a regular file in commit {commit[:10]}")
        if int(size) > MAX_NOTEBOOK_BYTES:
            raise ManualError(f"{where} is larger than {MAX_NOTEBOOK_BYTES >> 20} MiB")
        return _notebook_json(git(repo, "show", f"{commit}:{path}"), where)
    raise ManualError(f"{where} is not in commit {commit[:10]}")


def student_notebooks(entry, report, part, assignment, names, roster_dir, submissions, workdir):
    """``{notebook file name: dict or None}`` of one student's graded submission, and a note on what failed.

    A git repository is read at the graded commit (the report's; else HEAD), a plain folder as it is.
    """
    kind, path = locate(entry, roster_dir, submissions, workdir)
    commit = _graded_commit(report, part) if kind == "git" else None
    if kind == "git" and commit is None:
        commit = git(path, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").strip()
    found, notes = {}, []
    for name in names:
        where = f"{entry.student}: {assignment}/{name}"
        try:
            if kind == "git":
                found[name] = read_notebook_at_commit(path, commit, [f"assignments/{assignment}/{name}",
                                                                     f"{assignment}/{name}"], where)
            else:
                found[name] = read_notebook_file(submission_root(path) / assignment / name, where)
        except (ManualError, HistoryError) as exc:
            found[name] = None
            notes.append(str(exc).splitlines()[0])
    return found, "; ".join(notes)


def gather_work(assignment, parts, roster=None, submissions=None):
    """Every graded student's ``GradedWork`` (notebooks read from the submission), and the students skipped.

    parts: ``graded_parts``'s mapping; roster: the roster CSV (where each submission is); submissions: a
    folder with a checkout or folder per student instead (``<folder>/<student>``).
    """
    names = [path.name for path in sorted((SOLUTIONS / assignment).glob("*.ipynb"))]
    entries = {e.student: e for e in read_roster(roster)} if roster is not None else {}
    roster_dir = Path(roster).resolve().parent if roster is not None else Path.cwd()
    work, skipped = [], []
    for student, (report, part) in sorted(parts.items()):
        entry = entries.get(student) or Entry(student, str(Path(submissions or ".") / student), 0)
        if submissions is None and student not in entries:
            skipped.append(f"{student}: not on the roster, and no --submissions folder")
            continue
        try:
            with tempfile.TemporaryDirectory(prefix="grader-manual-") as workdir:
                notebooks, note = student_notebooks(entry, report, part, assignment, names, roster_dir, submissions,
                                                    workdir)
        except (RosterError, HistoryError) as exc:
            skipped.append(f"{student}: {str(exc).splitlines()[0]}")
            continue
        stamp = (part.lateness.submitted_at if part.lateness else None) or report.graded_at or None
        work.append(GradedWork(student, part, stamp, notebooks, note))
    return work, skipped


def answers(work, cells):
    """``{cell name: answer text}`` of one student's written answers (NO_ANSWER where the cell is missing)."""
    out = {}
    for cell in cells:
        notebook = work.notebooks.get(f"{cell.notebook}.ipynb")
        found = [c for c in (notebook or {}).get("cells", []) if isinstance(c, dict)
                 and c.get("cell_type") == "markdown" and _nbgrader(c).get("grade_id") == cell.grade_id]
        out[cell.name] = _source(found[0])[:MAX_ANSWER_CHARS] if found else NO_ANSWER
    return out


# ---------------------------------------------------------------------------------------------
# The notebook formgrader shows


def fenced(text):
    """``text`` as a fenced Markdown code block, shown as typed: the fence is longer than any run of backticks in it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def formgrader_notebook(released, student):
    """The notebook formgrader shows: ``released`` with the solution cells' source taken from ``student``.

    released: the released notebook (dict); student: the student's notebook (dict, or None when unreadable).
    Outputs, attachments and the student's metadata are dropped; Markdown answers are fenced (``fenced``).
    """
    by_id = {}
    for cell in (student or {}).get("cells", []):
        grade_id = _nbgrader(cell).get("grade_id")
        if isinstance(grade_id, str):
            by_id.setdefault((grade_id, cell.get("cell_type")), cell)
    cells = []
    for cell in released["cells"]:
        cell = {key: value for key, value in cell.items() if key != "attachments"}
        info = _nbgrader(cell)
        if info.get("solution"):
            theirs = by_id.get((info.get("grade_id"), cell["cell_type"]))
            source = _source(theirs)[:MAX_ANSWER_CHARS] if theirs is not None else NO_ANSWER
            cell["source"] = fenced(source) if cell["cell_type"] == "markdown" else source
        if cell["cell_type"] == "code":
            cell.update(outputs=[], execution_count=None)
        cells.append(cell)
    return dict(released, cells=cells)


# ---------------------------------------------------------------------------------------------
# The nbgrader course folder


def _gradebook(folder):
    """nbgrader's Gradebook of the course folder (creating gradebook.db; nbgrader runs `alembic` from PATH)."""
    from nbgrader.api import Gradebook

    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "/usr/bin:/bin")])
    return Gradebook(f"sqlite:///{Path(folder).resolve() / 'gradebook.db'}", course_id="")


def _generate(folder, assignment):
    """Copy the instructor's notebooks into source/<aN>/ and let nbgrader read their cells (when they changed)."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    source = Path(folder) / "source" / assignment
    source.mkdir(parents=True, exist_ok=True)
    changed = False
    for path in sorted((SOLUTIONS / assignment).glob("*.ipynb")):
        target = source / path.name
        if not target.is_file() or target.read_bytes() != path.read_bytes():
            shutil.copyfile(path, target)
            changed = True
    with _gradebook(folder) as book:
        known = any(a.name == assignment for a in book.assignments)
    if changed or not known:
        config = Config()
        config.CourseDirectory.root = str(Path(folder).resolve())
        config.CourseDirectory.db_url = f"sqlite:///{Path(folder).resolve() / 'gradebook.db'}"
        config.GenerateAssignment.create_assignment = True
        result = NbGraderAPI(config=config).generate_assignment(assignment, force=True)
        if not result["success"]:
            log = (result.get("error") or result.get("log") or "").strip().splitlines()
            raise ManualError(f"nbgrader generate_assignment {assignment} failed: {(log or ['no log'])[-1]}")


def _write_submission(folder, assignment, work, names):
    """Write submitted/ and autograded/ of one student: the formgrader notebooks and timestamp.txt."""
    for kind in ("submitted", "autograded"):
        target = Path(folder) / kind / work.student / assignment
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name in names:
            released = json.loads((ASSIGNMENTS / assignment / name).read_text())
            notebook = formgrader_notebook(released, work.notebooks.get(name))
            (target / name).write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
        if work.timestamp:
            (target / "timestamp.txt").write_text(work.timestamp + "\n")


def _record_submission(book, assignment, work, written_ids):
    """Add the student's submission to nbgrader's gradebook: autograded cells with the report's points,
    written answers without a score (nbgrader then lists them as needing a manual grade)."""
    from nbgrader.api import MissingEntry

    book.update_or_create_student(work.student)
    try:
        book.remove_submission(assignment, work.student)
    except MissingEntry:
        pass    # no earlier submission
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")    # SQLAlchemy's autoflush warnings from inside nbgrader's add_submission
        book.add_submission(assignment, work.student, **({"timestamp": work.timestamp} if work.timestamp else {}))
    points = {cell.name: cell.points for cell in work.part.notebook.cells}
    for notebook in book.find_submission(assignment, work.student).notebooks:
        for grade in notebook.grades:
            written = (notebook.name, grade.name) in written_ids
            grade.auto_score = None if written else points.get(f"{notebook.name}:{grade.name}", 0.0)
            grade.needs_manual_grade = written
    book.db.commit()


def prepare_course(folder, assignment, work):
    """Lay out (or bring up to date) the nbgrader course folder for ``assignment``; return the students added.

    work: ``GradedWork`` of every graded student (``gather_work``). A student already prepared from the same
    submission (content hash) keeps the submission and every hand grade given in formgrader.
    """
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "nbgrader_config.py"
    if not config.is_file():
        config.write_text(CONFIG)
    cells = written_cells(assignment)
    names = [path.name for path in sorted((SOLUTIONS / assignment).glob("*.ipynb"))]
    _generate(folder, assignment)
    manifest = _manifest(folder)
    prepared = manifest.setdefault(assignment, {})
    added = []
    with _gradebook(folder) as book:
        for one in work:
            digest = one.part.submission_hash
            if prepared.get(one.student) == digest and (folder / "autograded" / one.student / assignment).is_dir():
                continue
            _write_submission(folder, assignment, one, names)
            _record_submission(book, assignment, one, {(c.notebook, c.grade_id) for c in cells})
            prepared[one.student] = digest
            added.append(one.student)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return added


def _manifest(folder):
    """``{assignment: {student: content hash}}`` of the submissions prepared in ``folder`` ({} before the first)."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return {}
    try:
        manifest = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManualError(f"{path} is damaged ({type(exc).__name__}): restore it, or remove {path.parent} and "
                          "prepare it again") from None
    if not isinstance(manifest, dict) or not all(isinstance(v, dict) for v in manifest.values()):
        raise ManualError(f"{path} is not what `manual prepare` writes: restore it, or remove {path.parent} and "
                          "prepare it again")
    return manifest


def read_formgrader_grades(folder, assignment):
    """The hand grades given in formgrader so far: ``(student, WrittenGrade, submission hash)`` triples.

    Only the written answers count (a manual score of an autograded cell is not read). ManualError (one
    line naming the student and cell) for a score outside 0 .. the cell's points.
    """
    from nbgrader.api import MissingEntry

    folder = Path(folder).resolve()
    prepared = _manifest(folder).get(assignment)
    if not prepared or not (folder / "gradebook.db").is_file():
        raise ManualError(f"{folder} holds no prepared {assignment}: run `manual prepare --assignment {assignment}`")
    cells = {(c.notebook, c.grade_id): c for c in written_cells(assignment)}
    found = []
    with _gradebook(folder) as book:
        for student, digest in sorted(prepared.items()):
            try:
                submission = book.find_submission(assignment, student)
            except MissingEntry:
                raise ManualError(f"{student}: no {assignment} submission in {folder / 'gradebook.db'} (removed in "
                                  "formgrader?); run `manual prepare` again") from None
            for notebook in submission.notebooks:
                comments = {comment.name: comment.manual_comment or "" for comment in notebook.comments}
                for grade in notebook.grades:
                    cell = cells.get((notebook.name, grade.name))
                    if cell is None or grade.manual_score is None:
                        continue
                    points = float(grade.manual_score)
                    if not 0.0 <= points <= cell.max_points:
                        raise ManualError(f"{student} {cell.name}: {points:g} points in formgrader, but the answer "
                                          f"is worth 0 to {cell.max_points:g}; correct it there and import again")
                    found.append((student, WrittenGrade(cell.name, points, cell.max_points,
                                                        comments.get(grade.name, "")), digest))
    return found
