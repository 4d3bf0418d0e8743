"""publish-solutions: refuses while late work may come in (due date or latest extension, plus grace
and max_late_days), then publishes the module and the executed notebook
without the notebook's hidden checks (which live in grader/suites/<aN>/notebook.py)."""

import html
import json
import re
import subprocess
import sys

import pytest

from grader.paths import REPO, SOLUTIONS, SUITES
from grader.authoring.publish import PublishError, published_text

A1 = "a1_cells"
COURSE = """\
[course]
name = "RNN"
roster = "roster.csv"
student_template = "org/template"
{extensions}
[late]
grace_minutes = 15
max_late_days = 3

[assignments.a1_cells]
due = {due}
points = 20
"""


def course_file(tmp_path, due, extension=None):
    path = tmp_path / "course.toml"
    extensions = ""
    if extension:
        (tmp_path / "extensions.csv").write_text(f"student,assignment,due\nbea,a1_cells,{extension}\n")
        extensions = 'extensions = "extensions.csv"\n'
    path.write_text(COURSE.format(due=due, extensions=extensions))
    return path


def publish(*args):
    return subprocess.run([sys.executable, "-m", "grader", "publish-solutions", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=900)


def hidden_test_lines(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    lines, inside = set(), False
    for cell in cells:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for line in source.splitlines():
            if "### BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "### END HIDDEN TESTS" in line:
                inside = False
            elif inside and len(line.strip()) >= 16:
                lines.add(line.strip())
    return lines


def test_published_text_drops_markers_and_hidden_tests():
    text = ("a = 1\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION\n"
            "### BEGIN HIDDEN TESTS\nassert secret()\n### END HIDDEN TESTS\nc = 3\n")
    assert published_text(text) == "a = 1\nb = 2\nc = 3\n"
    with pytest.raises(PublishError, match="never closed"):
        published_text("### BEGIN HIDDEN TESTS\nx\n")


def test_refuses_before_the_due_date(tmp_path):
    run = publish("--assignment", A1, "--out", str(tmp_path / "out"), "--course",
                  str(course_file(tmp_path, "2099-01-01T00:00:00Z")))
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1
    assert "late work is accepted until 2099-01-04T00:15:00+00:00" in run.stderr and "--force" in run.stderr
    assert not (tmp_path / "out").exists()


def test_waits_for_max_late_days_and_the_latest_extension(tmp_path):
    """Past the due date, but inside max_late_days (and an extension): late work may still come in."""
    import datetime

    from grader.semester.course import load_course
    from grader.authoring.publish import check_due

    now = datetime.datetime.now(datetime.timezone.utc)
    due = (now - datetime.timedelta(days=2)).isoformat(timespec="seconds")
    run = publish("--assignment", A1, "--out", str(tmp_path / "out"), "--course", str(course_file(tmp_path, due)))
    assert run.returncode == 2 and "late work is accepted until" in run.stderr and not (tmp_path / "out").exists()
    old_due = (now - datetime.timedelta(days=10)).isoformat(timespec="seconds")
    course = load_course(course_file(tmp_path, old_due), known=[A1])
    check_due(course, A1, now)   # 10 days after the due date, 3 late days: published
    assert course.publishable(now) == [A1]
    extension = (now - datetime.timedelta(days=1)).isoformat(timespec="seconds")
    course = load_course(course_file(tmp_path, old_due, extension=extension), known=[A1])
    assert course.publishable(now) == []
    with pytest.raises(PublishError, match="latest extension"):
        check_due(course, A1, now)
    assert course.late_window_closes(A1) == (datetime.datetime.fromisoformat(extension)
                                             + datetime.timedelta(days=3, minutes=15))


def test_due_with_nothing_past_due_publishes_nothing(tmp_path):
    run = publish("--due", "--out", str(tmp_path / "out"), "--course", str(course_file(tmp_path, "2099-01-01T00:00:00Z")))
    assert run.returncode == 0 and "nothing to publish" in run.stdout


def test_needs_an_assignment(tmp_path):
    run = publish("--out", str(tmp_path / "out"), "--course", str(course_file(tmp_path, "2099-01-01T00:00:00Z")))
    assert run.returncode == 2 and "--assignment" in run.stderr


@pytest.mark.slow
def test_publishes_after_the_due_date(tmp_path):
    out = tmp_path / "out"
    run = publish("--due", "--out", str(out), "--course", str(course_file(tmp_path, "2020-01-01T00:00:00Z")))
    assert run.returncode == 0, run.stderr
    folder = out / A1
    assert sorted(p.name for p in folder.iterdir()) == sorted(["cells.py", f"{A1}.ipynb", f"{A1}.html"])
    module = (folder / "cells.py").read_text()
    solution = (SOLUTIONS / A1 / "cells.py").read_text()
    assert "### BEGIN SOLUTION" not in module
    assert module == re.sub(r"(?m)^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n", "", solution)
    page = (folder / f"{A1}.html").read_text()
    executed = json.loads((folder / f"{A1}.ipynb").read_text())
    code = [c for c in executed["cells"] if c["cell_type"] == "code"]
    assert code and all(c.get("execution_count") for c in code), "every code cell ran"
    assert not any(o.get("output_type") == "error" for c in code for o in c.get("outputs", []))
    assert not hidden_test_lines(SOLUTIONS / A1 / f"{A1}.ipynb"), "hidden checks belong in the grader, not the notebook"
    checks = (SUITES / A1 / "notebook.py").read_text().splitlines()
    hidden = {line.strip() for line in checks
              if len(line.strip()) >= 16 and not line.strip().startswith(('"', "#", "def ", "import ", "from "))}
    assert hidden, "the a1 notebook checks hold code lines (the check below would test nothing)"
    page_text = html.unescape(re.sub(r"<[^>]+>", "", page))  # the text, without syntax-highlighting tags
    for text in (page_text, (folder / f"{A1}.ipynb").read_text()):
        assert "BEGIN HIDDEN TESTS" not in text
        assert not [line for line in hidden if line in text]
