"""Publishing an assignment's solutions after its late window.

``publish_solutions`` writes ``OUT/<aN>/``: the solution module(s) without the solution markers,
and the solution notebook executed and rendered to HTML (``<aN>.html``) and as ``.ipynb``. The hidden
test blocks of the notebook (``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``) are removed
before it runs, so they can be used again next year. Until the late window closes (the due date or latest extension,
plus grace and ``max_late_days``) it refuses, unless ``force``.
"""

import datetime
import re
import shutil
import tempfile
from pathlib import Path

from grader.paths import SOLUTIONS

EXECUTE_TIMEOUT = 600
MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
HIDDEN_BEGIN = re.compile(r"^\s*### BEGIN HIDDEN TESTS\s*$")
HIDDEN_END = re.compile(r"^\s*### END HIDDEN TESTS\s*$")


class PublishError(RuntimeError):
    """The solutions cannot be published (yet); one line."""


def published_text(text):
    """``text`` without solution markers and without hidden test blocks."""
    out, hidden = [], False
    for line in text.splitlines(keepends=True):
        if HIDDEN_BEGIN.match(line):
            hidden = True
        elif HIDDEN_END.match(line):
            hidden = False
        elif not hidden and not MARKER.match(line):
            out.append(line)
    if hidden:
        raise PublishError("a ### BEGIN HIDDEN TESTS block is never closed")
    return "".join(out)


def check_due(course, assignment, now=None, force=False):
    """Raise PublishError while late work of ``assignment`` may still come in (and not ``force``).

    Solutions wait for the late window to close: the due date, or the latest extension of that
    assignment, plus the grace period and ``max_late_days``.
    """
    closes = course.late_window_closes(assignment)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if now < closes and not force:
        days = (closes - now).total_seconds() / 86400
        raise PublishError(f"{assignment}: late work is accepted until {closes.isoformat()} ({days:.1f} days from "
                           "now: the due date or latest extension, plus grace and max_late_days); its solutions "
                           "are published only after that (--force to publish anyway)")


def execute_notebook(path, workdir):
    """Execute the notebook at ``path`` with ``workdir`` as its folder; return the executed notebook."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=EXECUTE_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(workdir)}})
    try:
        client.execute()
    except Exception as exc:  # noqa: BLE001 - nbclient raises several kinds; one line for the user
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PublishError(f"the solution notebook {path.name} does not run: {first[:300]}") from None
    return notebook


def publish_solutions(assignment, out, course, force=False, now=None):
    """Publish one assignment's solutions into ``out/<assignment>``; return the written paths."""
    import nbformat
    from nbconvert import HTMLExporter

    check_due(course, assignment, now, force)
    source = SOLUTIONS / assignment
    target = Path(out) / assignment
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    written = []
    for module in sorted(source.glob("*.py")):
        path = target / module.name
        path.write_text(published_text(module.read_text()))
        written.append(path)
    with tempfile.TemporaryDirectory(prefix="grader-publish-") as tmp:
        work = Path(tmp) / assignment
        shutil.copytree(source, work, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.ipynb"))
        for module in work.glob("*.py"):
            module.write_text(published_text(module.read_text()))
        for notebook_path in sorted(source.glob("*.ipynb")):
            notebook = nbformat.read(notebook_path, as_version=4)
            for cell in notebook.cells:
                cell.source = published_text(cell.source)
                cell.metadata.pop("nbgrader", None)
            clean = work / notebook_path.name
            nbformat.write(notebook, clean)
            executed = execute_notebook(clean, work)
            ipynb = target / notebook_path.name
            nbformat.write(executed, ipynb)
            body, _ = HTMLExporter().from_notebook_node(executed)
            page = target / f"{notebook_path.stem}.html"
            page.write_text(body)
            written += [ipynb, page]
    return written
