"""Feedback pages: one HTML page per student and assignment, from the reports in the gradebook.

A page shows the score, the lateness of the graded submission (its commit, when it came and from which
time source, the due date or the student's extension, the raw score and the penalty), every hidden-suite
test with its points
and, when it failed, the message written for the student, and the notebook's autograded cells
(nbgrader's scores per cell, and its note when the notebook could not be graded). It never shows
the code of a hidden test: only test names, points and messages come from the report. Every text
is HTML-escaped, and every page lands inside the output folder: a student or assignment name that
would lead elsewhere is refused for that page alone. A student who could not be graded gets a page
saying why; with a roster, so does a roster student the gradebook holds nothing for.
"""

import html
from pathlib import Path

from grader.records import gradebook as book
from grader.records.results import ReportError, check_assignment_name, check_student_id

STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}.pass{color:#176b2c}.fail{color:#a31515}
.note{background:#fff6d5;padding:.5rem 1rem;border-left:4px solid #e0b000}pre{white-space:pre-wrap;margin:0}"""


def _e(value):
    return html.escape(str(value), quote=True)


def _points(score, max_score):
    return f"{score:g} / {max_score:g}"


def _head(student, assignment, title):
    return ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{_e(assignment)}: feedback for {_e(student)}</title><style>{STYLE}</style></head><body>",
            f"<h1>{_e(assignment)}: {_e(title)}</h1>"]


def missing_page(student, assignment):
    """The page of a roster student the gradebook holds no report of."""
    return "\n".join(_head(student, assignment, "not graded") + [
        f"<p>Student <strong>{_e(student)}</strong>.</p>",
        '<p class="note">No report of yours reached the gradebook for this assignment. Ask your instructor: '
        "your repository may be missing from the roster, or its grading failed.</p>", "</body></html>"]) + "\n"


def lateness_html(lateness, part):
    """The paragraph on which submission was graded, when it came, and the penalty."""
    if lateness is None:
        return ""
    facts = []
    if lateness.commit:
        facts.append(f"Graded commit: <code>{_e(lateness.commit[:10])}</code>, submitted {_e(lateness.submitted_at)}.")
    if lateness.due:
        due = f"Due {_e(lateness.due)}"
        facts.append(due + (f"; your extension: {_e(lateness.extension)}." if lateness.extension else "."))
    if lateness.time_source:
        facts.append(f"Time source: {_e(lateness.time_source)}.")
    if lateness.penalty and lateness.status != "not-submitted":
        facts.append(f"Score before the penalty: {_e(f'{part.raw_score:g}')}; penalty {_e(f'{lateness.penalty:.0%}')}.")
    return f'<p class="note">{_e(lateness.note)} {" ".join(facts)}</p>'


def render_page(student, assignment, report):
    """The HTML feedback page of one student's assignment (a string) from its ``Report``."""
    part = report.assignments[assignment]
    if not part.graded:
        return "\n".join(_head(student, assignment, "not graded") + [
            f"<p>Student <strong>{_e(student)}</strong>, {_e(report.graded_at)}.</p>",
            f'<p class="note">This assignment could not be graded: {_e(part.reason)}</p>', "</body></html>"]) + "\n"
    suite, notebook = part.suite, part.notebook
    out = _head(student, assignment, _points(part.score, part.max_score))
    out.append(f"<p>Student <strong>{_e(student)}</strong>, graded {_e(report.graded_at)}.</p>")
    out.append(lateness_html(part.lateness, part))
    if part.feedback:
        out.append(f'<p class="note">{_e(part.feedback)}</p>')

    failed = [t for t in suite.tests if not t.passed]
    out += [f"<h2>Hidden tests: {_e(_points(suite.score, suite.max_score))}</h2>",
            f"<p>{len(suite.tests) - len(failed)} of {len(suite.tests)} tests passed.</p>",
            "<table><tr><th>test</th><th>points</th><th>result</th><th>message</th></tr>"]
    for test in suite.tests:
        verdict = '<span class="pass">passed</span>' if test.passed else '<span class="fail">failed</span>'
        message = "" if test.passed else f"<pre>{_e(test.feedback)}</pre>"
        out.append(f"<tr><td><code>{_e(test.name)}</code></td>"
                   f"<td>{_e(_points(test.points, test.max_points))}</td><td>{verdict}</td><td>{message}</td></tr>")
    out.append("</table>")

    out.append("<h2>Notebook</h2>")
    if notebook.skipped:
        out.append("<p>The notebook was not graded in this run.</p>")
    else:
        manual = notebook.manual_max_score
        written = f" Written answers ({manual:g} points) are graded by hand." if manual else ""
        out.append(f"<p>Autograded cells: {_e(_points(notebook.score, notebook.max_score))}.{_e(written)}</p>")
        if notebook.feedback:
            out.append(f'<p class="note">{_e(notebook.feedback)}</p>')
        if notebook.cells:
            out.append("<table><tr><th>cell</th><th>points</th><th>message</th></tr>")
            for cell in notebook.cells:
                out.append(f"<tr><td><code>{_e(cell.name)}</code></td>"
                           f"<td>{_e(_points(cell.points, cell.max_points))}</td>"
                           f"<td><pre>{_e(cell.feedback)}</pre></td></tr>")
            out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


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
