"""Publishing an assignment's solutions after its late window.

``publish_solutions`` writes ``OUT/<aN>/``: the solution module(s) without the solution markers,
and the solution notebook executed and rendered to HTML (``<aN>.html``) and as ``.ipynb``. The hidden
test blocks of the notebook (``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``) are removed
before it runs, so they can be used again next year (grammar in markers.py). Until the late window
closes (the due date or latest extension, plus grace and ``max_late_days``) it refuses, unless ``force``.

Every error is a PublishError with a one-line message.
"""

import datetime
import shutil
import tempfile
from pathlib import Path

from grader.authoring.markers import HIDDEN, MarkerError, parse
from grader.errors import GraderError
from grader.paths import SOLUTIONS

EXECUTE_TIMEOUT = 600


class PublishError(GraderError, RuntimeError):
    """The solutions cannot be published (yet); one line."""


def published_text(text, where="<text>"):
    """``text`` without its markers and without its hidden test blocks."""
    try:
        blocks = parse(text, where)
    except MarkerError as exc:
        raise PublishError(str(exc)) from None
    return "".join(line for block in blocks if block.kind != HIDDEN for line in block.lines)


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
    where = Path(SOLUTIONS.name) / assignment
    modules = {m.name: published_text(m.read_text(), where / m.name) for m in sorted(source.glob("*.py"))}
    target = Path(out) / assignment
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    written = []
    for name, text in modules.items():
        (target / name).write_text(text)
        written.append(target / name)
    with tempfile.TemporaryDirectory(prefix="grader-publish-") as tmp:
        work = Path(tmp) / assignment
        shutil.copytree(source, work, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.ipynb"))
        for name, text in modules.items():
            (work / name).write_text(text)
        for notebook_path in sorted(source.glob("*.ipynb")):
            notebook = nbformat.read(notebook_path, as_version=4)
            for number, cell in enumerate(notebook.cells, start=1):
                cell.source = published_text(cell.source, f"{where / notebook_path.name} cell {number}")
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
