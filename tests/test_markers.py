"""The marker grammar (grader/authoring/markers.py) and its three readers: release, leak check, publish."""

import json

import pytest

from grader.authoring import leaks, release
from grader.authoring.markers import HIDDEN, SOLUTION, TEXT, Block, MarkerError, notebook_cells, parse
from grader.authoring.publish import PublishError, published_text
from grader.authoring.release import ReleaseError, stub_module
from grader.errors import GraderError
from grader.paths import SOLUTIONS, known_assignments

MODULE = '''"""A small solution module."""
import math


def area(r):
    """The area of a circle of radius r."""
    ### BEGIN SOLUTION
    return math.pi * r * r
    ### END SOLUTION


### BEGIN HIDDEN TESTS
assert abs(area(1.0) - math.pi) < 1e-12
### END HIDDEN TESTS
'''


def rebuilt(blocks, text):
    """The text again, from the blocks and the marker lines between them."""
    original = text.splitlines(keepends=True)
    out = []
    for block in blocks:
        if block.kind == TEXT:
            out += block.lines
        else:
            out += [original[block.start - 1], *block.lines, original[block.end - 1]]
    return "".join(out)


# ----- the parser -----

def test_every_kind_of_block_with_its_lines_numbers_and_indentation():
    blocks = parse(MODULE, "m.py")
    assert [b.kind for b in blocks] == [TEXT, SOLUTION, TEXT, HIDDEN]
    text, solution, between, hidden = blocks
    assert (text.start, text.end, text.indent) == (1, 6, "")
    assert solution == Block(SOLUTION, ("    return math.pi * r * r\n",), 7, 9, "    ")
    assert (between.start, between.end) == (10, 11) and between.lines == ("\n", "\n")
    assert hidden == Block(HIDDEN, ("assert abs(area(1.0) - math.pi) < 1e-12\n",), 12, 14, "")
    assert rebuilt(blocks, MODULE) == MODULE


def test_plain_text_empty_blocks_and_lenient_whitespace():
    assert parse("") == []
    assert parse("x = 1\ny = 2") == [Block(TEXT, ("x = 1\n", "y = 2"), 1, 2)]
    text = "\t### BEGIN SOLUTION  \r\n\t### END SOLUTION\r\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS"
    assert parse(text) == [Block(SOLUTION, (), 1, 2, "\t"), Block(HIDDEN, (), 3, 4, "")]


@pytest.mark.parametrize("text, line, problem", [
    ("x = 1\n### END SOLUTION\n", 2, "END SOLUTION without BEGIN SOLUTION"),
    ("x = 1\n### BEGIN SOLUTION\ny = 2\n", 2, "BEGIN SOLUTION is never closed"),
    ("### BEGIN HIDDEN TESTS\nassert f()\n", 1, "BEGIN HIDDEN TESTS is never closed"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", 2, "inside another block"),
    ("### BEGIN HIDDEN TESTS\n    ### BEGIN SOLUTION\n", 2, "the BEGIN HIDDEN TESTS of line 1 is still open"),
    ("a\n### BEGIN SOLUTION\nb\n### END HIDDEN TESTS\n", 4, "END HIDDEN TESTS closes the BEGIN SOLUTION of line 2"),
    ("### BEGIN SOLUTION  # part 1\n", 1, "looks like a marker"),
    ("x = 1  ### END SOLUTION\n", 1, "looks like a marker"),
    ("# END SOLUTION\n", 1, "looks like a marker"),
    ("### Begin Solution\n", 1, "looks like a marker"),
    ("###  BEGIN SOLUTION\n", 1, "looks like a marker"),
    ("### BEGIN HIDDEN  TESTS\n", 1, "looks like a marker"),
    ("### BEGIN MARK SCHEME\n", 1, "looks like a marker"),
])
def test_malformed_input_is_refused_on_one_line_naming_file_and_line(text, line, problem):
    with pytest.raises(MarkerError, match=problem) as caught:
        parse(text, "solutions/a9/m.py")
    message = str(caught.value)
    assert message.startswith(f"solutions/a9/m.py:{line}: ") and "\n" not in message


def test_prose_about_solutions_is_plain_text():
    text = "# the solution begins here; hidden tests end with the suite\nmark = 'scheme'\n"
    assert [b.kind for b in parse(text)] == [TEXT]


def test_notebook_cells_and_an_unreadable_notebook(tmp_path):
    notebook = tmp_path / "n.ipynb"
    cells = [{"cell_type": "code", "source": ["### BEGIN SOLUTION\n", "x = 1\n", "### END SOLUTION"],
              "metadata": {"nbgrader": {"solution": True}}},
             {"cell_type": "markdown", "source": "text", "metadata": {}}]
    notebook.write_text(json.dumps({"cells": cells}))
    assert notebook_cells(notebook) == [("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", {"solution": True}),
                                        ("text", {})]
    notebook.write_text("{not json")
    with pytest.raises(MarkerError, match="not a readable notebook"):
        notebook_cells(notebook)


def test_errors_are_grader_errors_of_one_class_per_module():
    assert all(issubclass(e, GraderError) and issubclass(e, RuntimeError)
               for e in (MarkerError, ReleaseError, PublishError))


@pytest.mark.parametrize("assignment", known_assignments())
def test_every_source_of_the_course_parses(assignment):
    for path in sorted((SOLUTIONS / assignment).rglob("*")):
        if path.suffix == ".py":
            parse(path.read_text(), path)
        elif path.suffix == ".ipynb":
            for number, (source, _) in enumerate(notebook_cells(path), start=1):
                parse(source, f"{path} cell {number}")


# ----- round trips: release, leak check, publish -----

@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course with one assignment a9 (a module, no notebook) and its hidden suite."""
    solutions, suites = tmp_path / "solutions", tmp_path / "suites"
    (solutions / "a9").mkdir(parents=True)
    (suites / "a9").mkdir(parents=True)
    (solutions / "a9" / "circle.py").write_text(MODULE)
    (suites / "a9" / "test_circle.py").write_text("def test_unit_circle_area_is_pi():\n    assert area(1) == 3.14\n")
    for module in (release, leaks):
        monkeypatch.setattr(module, "SOLUTIONS", solutions)
    monkeypatch.setattr(leaks, "SUITES", suites)
    return tmp_path


def test_release_of_a_small_module(course):
    out = release.release(course / "assignments", ["a9"])[0]
    stub = (out / "circle.py").read_text()
    assert stub == MODULE.split("    ### BEGIN")[0] + "    # YOUR CODE HERE\n    raise NotImplementedError()\n\n\n"
    assert stub == stub_module(MODULE)
    namespace = {}
    exec(stub, namespace)
    with pytest.raises(NotImplementedError):
        namespace["area"](1.0)


def test_a_malformed_module_leaves_no_release_behind(course):
    (course / "solutions" / "a9" / "circle.py").write_text(MODULE.replace("### END SOLUTION", "### END"))
    with pytest.raises(ReleaseError, match=r"^solutions/a9/circle.py:12: BEGIN HIDDEN TESTS inside "
                                          r"another block \(the BEGIN SOLUTION of line 7 is still open\)$"):
        release.release(course / "assignments", ["a9"])
    assert not (course / "assignments" / "a9").exists(), "the copied solution must not stay in the release"
    with pytest.raises(ReleaseError, match="no such assignment"):
        release.release(course / "assignments", ["a10"])


def test_leak_check_finds_a_planted_solution_line(course):
    assert leaks.secret_lines("a9") == {"return math.pi * r * r", "assert abs(area(1.0) - math.pi) < 1e-12",
                                        "def test_unit_circle_area_is_pi():", "assert area(1) == 3.14"}
    release.release(course / "assignments", ["a9"])
    assert leaks.find_leaks("a9", course / "assignments") == []
    planted = course / "assignments" / "a9" / "notes.py"
    planted.write_text("# harmless\n        return   math.pi * r * r\n")
    assert leaks.find_leaks("a9", course / "assignments") == [("a9/notes.py", "return math.pi * r * r")]


def test_leak_check_refuses_a_malformed_source(course):
    (course / "solutions" / "a9" / "notes.md").write_text("fine\n### END HIDDEN TESTS\n")
    with pytest.raises(MarkerError, match=r"^solutions/a9/notes.md:2: END HIDDEN TESTS without BEGIN"):
        leaks.secret_lines("a9")


def test_published_text_keeps_solutions_without_markers_and_drops_hidden_tests():
    published = published_text(MODULE)
    assert "###" not in published and "assert abs" not in published
    assert published == MODULE.replace("    ### BEGIN SOLUTION\n", "").replace("    ### END SOLUTION\n", "") \
        .split("### BEGIN HIDDEN TESTS")[0]
    with pytest.raises(PublishError, match=r"^cell 3:2: END SOLUTION closes the BEGIN HIDDEN TESTS of line 1$"):
        published_text("### BEGIN HIDDEN TESTS\n### END SOLUTION\n", "cell 3")


def test_release_checks_each_notebook_block_stands_in_its_nbgrader_cell(tmp_path):
    def notebook(source, **nbgrader):
        path = tmp_path / "n.ipynb"
        path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": source,
                                               "metadata": {"nbgrader": nbgrader}}]}))
        return path

    solution, hidden = "x = 1\n### BEGIN SOLUTION\n### END SOLUTION\n", "### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n"
    release.check_notebook(notebook(solution, solution=True), "n.ipynb")
    release.check_notebook(notebook(hidden, grade=True), "n.ipynb")
    with pytest.raises(ReleaseError, match=r"^n.ipynb cell 1:2: a solution block in a cell that is not an nbgrader "):
        release.check_notebook(notebook(solution, grade=True), "n.ipynb")
    with pytest.raises(ReleaseError, match=r"^n.ipynb cell 1:1: a hidden block in a cell that is not an nbgrader gr"):
        release.check_notebook(notebook(hidden, solution=True), "n.ipynb")
    with pytest.raises(ReleaseError, match=r"^n.ipynb cell 1:1: END SOLUTION without BEGIN SOLUTION$"):
        release.check_notebook(notebook("### END SOLUTION\n", solution=True), "n.ipynb")
