"""Feedback pages: one HTML page per student and assignment, from the reports in the gradebook.

``feedback_page`` turns a report into a ``Page`` (its title, paragraphs, notes and tables as plain
text); ``page_html`` renders it here, ``grader.records.feedback_markdown`` as Markdown for the
student's repository, so both say the same thing in the same words.

A page shows the score, the lateness of the graded submission (its commit, when it came and from which
time source, the due date or the student's extension, the raw score and the penalty), every hidden-suite
test with its points
and, when it failed, the message written for the student, the notebook's autograded cells
(nbgrader's scores per cell, and its note when the notebook could not be graded), and the hand grades of
the written answers with the grader's comments (or that they are not graded yet). It never shows
the code of a hidden test: only test names, points and messages come from the report. Every text
is HTML-escaped, and every page lands inside the output folder: a student or assignment name that
would lead elsewhere is refused for that page alone. A student who could not be graded gets a page
saying why; with a roster, so does a roster student the gradebook holds nothing for.
"""

import html
from dataclasses import dataclass
from pathlib import Path

from grader.records import gradebook as book
from grader.records.results import ReportError, check_assignment_name, check_student_id

STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}.pass{color:#176b2c}.fail{color:#a31515}
.note{background:#fff6d5;padding:.5rem 1rem;border-left:4px solid #e0b000}pre{white-space:pre-wrap;margin:0}"""


# ---------------------------------------------------------------------------------------------
# The page as data: what it says, in which order; ``page_html`` and ``feedback_markdown`` render it.

@dataclass(frozen=True)
class Span:
    """A piece of text and how it is shown: "" plain, "strong", "code", "pass", "fail" or "pre" (kept lines)."""

    text: str
    style: str = ""


@dataclass(frozen=True)
class Block:
    """One block of a page: "heading", "text" or "note" (``spans``), or "table" (``header`` and ``rows``).

    ``rows`` holds one tuple of cells per row, each cell a tuple of ``Span``.
    """

    kind: str
    spans: tuple = ()
    header: tuple = ()
    rows: tuple = ()


@dataclass(frozen=True)
class Page:
    """The feedback of one student's assignment: a title (after the assignment's name) and blocks."""

    student: str
    assignment: str
    title: str
    blocks: tuple


def _points(score, max_score):
    return f"{score:g} / {max_score:g}"


def _text(*spans):
    return Block("text", tuple(Span(s) if isinstance(s, str) else s for s in spans))


def _note(*spans):
    return Block("note", tuple(Span(s) if isinstance(s, str) else s for s in spans))


def lateness_spans(lateness, part):
    """What a page says about which submission was graded, when it came, and the penalty (spans)."""
    spans = [Span(f"{lateness.note} ")]
    if lateness.commit:
        spans += [Span("Graded commit: "), Span(lateness.commit[:10], "code"),
                  Span(f", submitted {lateness.submitted_at}. ")]
    if lateness.due:
        spans.append(Span(f"Due {lateness.due}" + (f"; your extension: {lateness.extension}. "
                                                    if lateness.extension else ". ")))
    if lateness.time_source:
        spans.append(Span(f"Time source: {lateness.time_source}. "))
    if lateness.penalty and lateness.status != "not-submitted":
        spans.append(Span(f"Score before the penalty: {part.raw_score:g}; penalty {lateness.penalty:.0%}. "))
    return tuple(Span(s.text.rstrip(), s.style) if i == len(spans) - 1 else s for i, s in enumerate(spans))


def feedback_page(student, assignment, report):
    """The ``Page`` of one student's assignment from its ``Report`` (None: no report reached the gradebook)."""
    if report is None:
        return Page(student, assignment, "not graded", (
            _text("Student ", Span(student, "strong"), "."),
            _note("No report of yours reached the gradebook for this assignment. Ask your instructor: "
                  "your repository may be missing from the roster, or its grading failed.")))
    part = report.assignments[assignment]
    if not part.graded:
        return Page(student, assignment, "not graded", (
            _text("Student ", Span(student, "strong"), f", {report.graded_at}."),
            _note(f"This assignment could not be graded: {part.reason}")))
    suite, notebook = part.suite, part.notebook
    blocks = [_text("Student ", Span(student, "strong"), f", graded {report.graded_at}.")]
    if part.lateness is not None:
        blocks.append(Block("note", lateness_spans(part.lateness, part)))
    if part.feedback:
        blocks.append(_note(part.feedback))

    failed = [t for t in suite.tests if not t.passed]
    blocks += [Block("heading", (Span(f"Hidden tests: {_points(suite.score, suite.max_score)}"),)),
               _text(f"{len(suite.tests) - len(failed)} of {len(suite.tests)} tests passed.")]
    blocks.append(Block("table", header=("test", "points", "result", "message"), rows=tuple(
        ((Span(t.name, "code"),), (Span(_points(t.points, t.max_points)),),
         (Span("passed", "pass") if t.passed else Span("failed", "fail"),),
         () if t.passed else (Span(t.feedback, "pre"),))
        for t in suite.tests)))

    blocks.append(Block("heading", (Span("Notebook"),)))
    if notebook.skipped:
        blocks.append(_text("The notebook was not graded in this run."))
    else:
        manual = notebook.manual_max_score
        written = f" Written answers ({manual:g} points) are graded by hand." if manual else ""
        blocks.append(_text(f"Autograded cells: {_points(notebook.score, notebook.max_score)}.{written}"))
        if notebook.feedback:
            blocks.append(_note(notebook.feedback))
        if notebook.cells:
            blocks.append(Block("table", header=("cell", "points", "message"), rows=tuple(
                ((Span(c.name, "code"),), (Span(_points(c.points, c.max_points)),), (Span(c.feedback, "pre"),))
                for c in notebook.cells)))
    blocks += written_blocks(notebook)
    return Page(student, assignment, part_title(part), tuple(blocks))


def written_blocks(notebook):
    """What a page says about the hand grades of the written answers: each one's points and comment, and
    the points still waiting for a grade."""
    blocks = []
    if notebook.written:
        total = _points(notebook.written_score, notebook.written_max_score)
        blocks += [Block("heading", (Span(f"Written answers: {total}"),)),
                   Block("table", header=("answer", "points", "comment"), rows=tuple(
                       ((Span(g.cell, "code"),), (Span(_points(g.points, g.max_points)),), (Span(g.comment, "pre"),))
                       for g in notebook.written))]
    if notebook.written_pending:
        blocks.append(_note(f"Written answers not graded yet ({notebook.written_pending:g} points): your score and "
                            "its maximum leave them out until your instructor has graded them."))
    return blocks


def part_title(part):
    """The title of a graded assignment's page: its score."""
    return _points(part.score, part.max_score)


# ---------------------------------------------------------------------------------------------
# HTML

def _e(value):
    return html.escape(str(value), quote=True)


HTML_SPANS = {"": "{}", "strong": "<strong>{}</strong>", "code": "<code>{}</code>",
              "pass": '<span class="pass">{}</span>', "fail": '<span class="fail">{}</span>', "pre": "<pre>{}</pre>"}


def _spans_html(spans):
    return "".join(HTML_SPANS[span.style].format(_e(span.text)) for span in spans)


def page_html(page):
    """A ``Page`` as a standalone HTML document (a string); every text is escaped."""
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{_e(page.assignment)}: feedback for {_e(page.student)}</title><style>{STYLE}</style></head><body>",
           f"<h1>{_e(page.assignment)}: {_e(page.title)}</h1>"]
    for block in page.blocks:
        if block.kind == "heading":
            out.append(f"<h2>{_spans_html(block.spans)}</h2>")
        elif block.kind == "text":
            out.append(f"<p>{_spans_html(block.spans)}</p>")
        elif block.kind == "note":
            out.append(f'<p class="note">{_spans_html(block.spans)}</p>')
        else:
            out.append("<table><tr>" + "".join(f"<th>{_e(name)}</th>" for name in block.header) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{_spans_html(cell)}</td>" for cell in row) + "</tr>" for row in block.rows]
            out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def missing_page(student, assignment):
    """The HTML page of a roster student the gradebook holds no report of."""
    return page_html(feedback_page(student, assignment, None))


def render_page(student, assignment, report):
    """The HTML feedback page of one student's assignment (a string) from its ``Report``."""
    return page_html(feedback_page(student, assignment, report))


def page_path(out_dir, student, assignment):
    """Where the page of one student's assignment goes: ``out_dir/<student>/<assignment>.html``, resolved.

    ReportError when a name breaks the naming rules or when the path, resolved (symbolic links
    followed), is anywhere else.
    """
    check_student_id(student)
    check_assignment_name(assignment)
    root = Path(out_dir).resolve()
    path = root / student / f"{assignment}.html"
    if path.resolve() != path:
        raise ReportError(f"the page would be written to {path.resolve()}, not {path}: remove that link")
    return path


def write_feedback(gradebook, out_dir, students=None, assignments=None, roster=None):
    """Write ``out_dir/<student>/<assignment>.html`` for every stored report.

    roster: student ids that should have pages; those without any report get a "not graded" page
    for each assignment in the gradebook. Returns ``(paths written, problems)``: a page that would
    land outside ``out_dir``, or that cannot be written, is one problem (naming the student and the
    assignment) and the other pages still get written.
    """
    paths, problems = [], []
    every = book.stored_reports(gradebook, problems)
    pages = [(s, a, r) for s, a, r in every
             if (not students or s in students) and (not assignments or a in assignments)]
    present = {s for s, _, _ in every}
    names = sorted(set(assignments) if assignments else {a for _, a, _ in every})
    for student in sorted(set(roster or ()) - present):
        if not students or student in students:
            pages += [(student, a, None) for a in names]
    for student, assignment, report in pages:
        try:
            path = page_path(out_dir, student, assignment)
            page = missing_page(student, assignment) if report is None else render_page(student, assignment, report)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(page)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"no page for {student!r} {assignment!r}: {exc}")
            continue
        paths.append(path)
    return paths, problems
