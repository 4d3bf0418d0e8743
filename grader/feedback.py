"""Feedback pages: one HTML page per student and assignment, from the reports in the gradebook.

A page shows the score, the lateness of the graded commit, every hidden-suite test with its points
and, when it failed, the message written for the student, and the notebook's autograded cells
(nbgrader's scores per cell, and its note when the notebook could not be graded). It never shows
the code of a hidden test: only test names, points and messages come from the report. Every text
is HTML-escaped, and every page lands inside the output folder: a student or assignment name that
would lead elsewhere is refused for that page alone.
"""

import html
from pathlib import Path

from grader import gradebook as book
from grader.report import ReportError, check_assignment_name, check_student_id

STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}.pass{color:#176b2c}.fail{color:#a31515}
.note{background:#fff6d5;padding:.5rem 1rem;border-left:4px solid #e0b000}pre{white-space:pre-wrap;margin:0}"""


def _e(value):
    return html.escape(str(value), quote=True)


def _points(score, max_score):
    return f"{score:g} / {max_score:g}"


def stored_reports(gradebook, students=None, assignments=None):
    """``[(student, assignment, report)]`` from the gradebook, sorted (only the given ones, if any)."""
    return [(s, a, r) for s, a, r in book.stored_reports(gradebook)
            if (not students or s in students) and (not assignments or a in assignments)]


def render_page(student, assignment, report):
    """The HTML feedback page of one student's assignment (a string)."""
    part = report["assignments"][assignment]
    suite, notebook = part["suite"], part.get("notebook", {})
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{_e(assignment)}: feedback for {_e(student)}</title><style>{STYLE}</style></head><body>",
           f"<h1>{_e(assignment)}: {_e(_points(part['score'], part['max_score']))}</h1>",
           f"<p>Student <strong>{_e(student)}</strong>, graded {_e(report.get('graded_at', ''))}.</p>"]
    lateness = part.get("lateness") or {}
    note = lateness.get("note", "")
    if lateness:
        commit = lateness.get("commit")
        where = f" Graded commit: <code>{_e(commit[:10])}</code> ({_e(lateness.get('committed_at', ''))})." if commit else ""
        raw = ""
        if lateness.get("penalty"):
            before, penalty = f"{lateness['raw_score']:g}", f"{lateness['penalty']:.0%}"
            raw = f" Score before the penalty: {_e(before)}; penalty {_e(penalty)}."
        out.append(f'<p class="note">{_e(note)}{where}{raw}</p>')
    extra = part.get("feedback") or ""
    if note and extra.endswith(note):
        extra = extra[: -len(note)].strip()
    if extra:
        out.append(f'<p class="note">{_e(extra)}</p>')

    failed = [t for t in suite["tests"] if not t["passed"]]
    out += [f"<h2>Hidden tests: {_e(_points(suite['score'], suite['max_score']))}</h2>",
            f"<p>{len(suite['tests']) - len(failed)} of {len(suite['tests'])} tests passed.</p>",
            "<table><tr><th>test</th><th>points</th><th>result</th><th>message</th></tr>"]
    for test in suite["tests"]:
        verdict = '<span class="pass">passed</span>' if test["passed"] else '<span class="fail">failed</span>'
        message = "" if test["passed"] else f"<pre>{_e(test.get('feedback', ''))}</pre>"
        out.append(f"<tr><td><code>{_e(test['name'])}</code></td>"
                   f"<td>{_e(_points(test['points'], test['max_points']))}</td><td>{verdict}</td><td>{message}</td></tr>")
    out.append("</table>")

    out.append("<h2>Notebook</h2>")
    if notebook.get("skipped"):
        out.append("<p>The notebook was not graded in this run.</p>")
    else:
        manual = notebook.get("manual_max_score", 0.0)
        written = f" Written answers ({manual:g} points) are graded by hand." if manual else ""
        autograded = _points(notebook.get("score", 0.0), notebook.get("max_score", 0.0))
        out.append(f"<p>Autograded cells: {_e(autograded)}.{_e(written)}</p>")
        if notebook.get("feedback"):
            out.append(f'<p class="note">{_e(notebook["feedback"])}</p>')
        if notebook.get("cells"):
            out.append("<table><tr><th>cell</th><th>points</th><th>message</th></tr>")
            for cell in notebook["cells"]:
                out.append(f"<tr><td><code>{_e(cell['name'])}</code></td>"
                           f"<td>{_e(_points(cell['points'], cell['max_points']))}</td>"
                           f"<td><pre>{_e(cell.get('feedback', ''))}</pre></td></tr>")
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


def write_feedback(gradebook, out_dir, students=None, assignments=None):
    """Write ``out_dir/<student>/<assignment>.html`` for every stored report.

    Returns ``(paths written, problems)``: a page that would land outside ``out_dir``, or that cannot
    be written, is one problem (naming the student and the assignment) and the other pages still get
    written.
    """
    paths, problems = [], []
    for student, assignment, report in stored_reports(gradebook, students, assignments):
        try:
            path = page_path(out_dir, student, assignment)
            page = render_page(student, assignment, report)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(page)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"no page for {student!r} {assignment!r}: {exc}")
            continue
        paths.append(path)
    return paths, problems
