"""Broken submissions: the grader always finishes, grades everything else, and says what went wrong.

Each kind in tests/fixtures/bad_submissions/ (plus a few built here from the release, so that no
notebook is committed twice) is graded through the command's own code path (``grader.cli.main``,
in this process; the student's code still runs only in the sandboxed worker). For each kind the
test knows exactly which hidden tests must fail (all others must pass: a correct function keeps
its points next to a broken one) and which words the feedback of a failed test must contain.
"""

import json
import re
import shutil
from pathlib import Path

import pytest

from grader.paths import ASSIGNMENTS, SOLUTIONS

pytestmark = pytest.mark.slow  # grades every kind of broken submission

BAD = Path(__file__).parent / "fixtures" / "bad_submissions"
A1 = "a1_cells"
A1_MAX = 52.0
A1_TESTS = 30
EVERYTHING = "*"
UNKNOWN_CELL = ["count_parameters_rejects_unknown_cell"]


def kind(failing, *keywords, other=None):
    """``failing``: substrings naming the a1 tests that must fail (EVERYTHING for all).
    ``keywords``: groups of words, one word of each group must appear (case-insensitive) in the
    feedback of every failing test. ``other``: expectations for a second assignment."""
    return {"failing": failing, "keywords": keywords, "other": other}


KINDS = {
    "syntax_error": kind(EVERYTHING, ["SyntaxError"], ["line"]),
    "missing_module": kind(EVERYTHING, ["cells"]),
    "missing_function": kind(["gru_cell"], ["gru_cell"], ["no attribute", "missing", "not defined", "not found"]),
    "wrong_signature": kind(["lstm_cell"], ["TypeError", "argument"]),
    "wrong_return_type": kind(["rnn_cell_known_values", "rnn_cell_matches_torch", "rnn_cell_square",
                               "rnn_cell_leaves_inputs", "rnn_cell_saturated"],
                              ["numpy array", "ndarray"], ["list"]),
    "wrong_shape": kind(["gru_cell_known_values", "gru_cell_matches_torch", "gru_cell_leaves_inputs",
                          "gru_cell_saturated"], ["shape"]),
    "exception_in_one_function": kind(["lstm_cell"], ["ValueError"], ["matmul"]),
    # Batched input only: the failing call must be named as the unbatched case, with its shapes and dtype.
    "batched_only": kind(["rnn_cell_matches_torch", "lstm_cell_matches_torch", "gru_cell_matches_torch"],
                         ["unbatched"], ["x (3,)", "x (1,)"], ["float64", "float32"], ["IndexError"]),
    "infinite_loop": kind(UNKNOWN_CELL, ["time limit", "timed out", "did not finish"]),
    "memory_bomb": kind(UNKNOWN_CELL, ["memory"]),
    "fork_bomb": kind(UNKNOWN_CELL, ["process", "fork", "resource temporarily unavailable"]),
    "deep_recursion": kind(UNKNOWN_CELL, ["recursion", "stack"]),
    "output_flood": kind(UNKNOWN_CELL, ["output"]),
    "sys_exit": kind(["gru_cell"], ["SystemExit", "sys.exit", "exit"]),
    "non_utf8_source": kind(EVERYTHING, ["utf-8", "utf8", "encoding"]),
    "worker_segfault": kind(["gru_cell"], ["stopped", "crash"], ["signal", "segmentation"]),
    "missing_dependency": kind(EVERYTHING, ["tensorflow"]),
    "extra_files": kind([]),
    "broken_second_assignment": kind([], other=("a2_bptt", ["SyntaxError"])),
    # Built at test time (see build_submission):
    "empty_directory": kind(EVERYTHING, ["cells"]),
    "symlink_outside": kind(EVERYTHING, ["symlink", "symbolic link", "link"]),
}
NOTEBOOK_KINDS = ["notebook_not_json", "notebook_test_cell_deleted", "notebook_test_cell_edited", "notebook_renamed"]


def good_module():
    """A correct cells.py (the one next to extra files: it earns every point)."""
    return (BAD / "extra_files" / A1 / "cells.py").read_text()


def build_submission(name, root):
    """The submission folder of ``name`` under ``root`` (a copy of the fixture, or built here)."""
    root = Path(root)
    if (BAD / name).is_dir():
        shutil.copytree(BAD / name, root, symlinks=True)
        return root
    folder = root / A1
    folder.mkdir(parents=True)
    if name == "empty_directory":
        pass
    elif name == "symlink_outside":
        # cells.py is a link to the instructor's reference solution, outside the submission.
        (folder / "cells.py").symlink_to(SOLUTIONS / A1 / "cells.py")
    elif name.startswith("notebook_"):
        (folder / "cells.py").write_text(good_module())
        build_notebook(name, folder)
    else:
        raise KeyError(name)
    return root


def released_notebook():
    return json.loads((ASSIGNMENTS / A1 / f"{A1}.ipynb").read_text())


def grade_id(cell):
    return cell["metadata"].get("nbgrader", {}).get("grade_id")


def set_answer(notebook, source):
    (cell,) = [c for c in notebook["cells"] if grade_id(c) == "parameter-counts"]
    cell["source"] = source.splitlines(keepends=True)


RIGHT_ANSWER = "D, H = 1, 3\nkeras_count = (H * D + H * H + H) + (H + 1)\ntorch_count = count_parameters('rnn', D, H) + (H + 1)\n"
WRONG_ANSWER = "keras_count, torch_count = 16, 19  # off by three: both wrong\n"


def build_notebook(name, folder):
    path = folder / f"{A1}.ipynb"
    if name == "notebook_not_json":
        path.write_text('{"cells": [ this is not JSON, the file was saved half-way\n')
        return
    notebook = released_notebook()
    if name == "notebook_test_cell_deleted":
        # A right answer with the test cell deleted: nbgrader restores and runs the cell: full points.
        set_answer(notebook, RIGHT_ANSWER)
        notebook["cells"] = [c for c in notebook["cells"] if grade_id(c) != "test-parameter-counts"]
    elif name == "notebook_test_cell_edited":
        # A wrong answer with the test cell emptied: nbgrader restores the cell, which fails: no points.
        set_answer(notebook, WRONG_ANSWER)
        (cell,) = [c for c in notebook["cells"] if grade_id(c) == "test-parameter-counts"]
        cell["source"] = ["# the checks were here\n", "pass\n"]
    elif name == "notebook_renamed":
        set_answer(notebook, RIGHT_ANSWER)
        path = folder / f"{A1} (1).ipynb"
    path.write_text(json.dumps(notebook, indent=1))


def grade(name, tmp_path, notebooks=False, assignments=None):
    """Grade through the command's code path; return (exit code, report dict)."""
    from grader.cli import main

    submission = build_submission(name, tmp_path / "submission")
    report_path = tmp_path / "report.json"
    argv = ["grade", str(submission), "--student", f"bad-{name}", "--report", str(report_path),
            "--gradebook", str(tmp_path / "gradebook.sqlite"), "--quiet"]
    argv += [] if notebooks else ["--skip-notebooks"]
    for assignment in assignments or []:
        argv += ["--assignment", assignment]
    code = main(argv)
    assert code == 0, f"{name}: `python -m grader grade` exited with {code}"
    assert report_path.is_file(), f"{name}: no report was written"
    return json.loads(report_path.read_text())


def without_boilerplate(text):
    """Feedback without the generic crash wrapper, so that 'output' must come from a real explanation."""
    return re.sub(r"Last output:", "", text)


def check_suite(name, part, failing, keywords):
    tests = part["suite"]["tests"]
    assert part["suite"]["max_score"] == A1_MAX and len(tests) == A1_TESTS, f"{name}: not every hidden test was run"
    must_fail = {t["name"] for t in tests if failing == EVERYTHING or any(f in t["name"] for f in failing)}
    failed = {t["name"] for t in tests if not t["passed"]}
    wrongly_failed = sorted(failed - must_fail)
    wrongly_passed = sorted(must_fail - failed)
    assert not wrongly_failed, (
        f"{name}: tests of working functions lost their points: "
        + "; ".join(f"{n}: {next(t['feedback'] for t in tests if t['name'] == n)[:200]!r}" for n in wrongly_failed)
    )
    assert not wrongly_passed, f"{name}: these tests should fail but passed: {wrongly_passed}"
    expected = A1_MAX - sum(t["max_points"] for t in tests if t["name"] in must_fail)
    assert part["suite"]["score"] == expected
    for test in tests:
        if test["name"] not in must_fail:
            continue
        text = without_boilerplate(test["feedback"]).lower()
        for group in keywords:
            assert any(word.lower() in text for word in group), (
                f"{name}: the feedback of {test['name']} should mention one of {group}; it says:\n{test['feedback'][:800]}"
            )


def test_corpus_has_at_least_twenty_kinds():
    committed = sorted(p.name for p in BAD.iterdir() if p.is_dir())
    assert set(committed) <= set(KINDS), f"fixtures without expectations: {set(committed) - set(KINDS)}"
    assert len(KINDS) + len(NOTEBOOK_KINDS) >= 20


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(KINDS))
def test_bad_submission_is_graded(name, tmp_path):
    spec = KINDS[name]
    other = spec["other"]
    report = grade(name, tmp_path, assignments=[A1] + ([other[0]] if other else []))
    part = report["assignments"][A1]
    check_suite(name, part, spec["failing"], spec["keywords"])
    if other:
        assignment, words = other
        second = report["assignments"][assignment]["suite"]
        assert second["max_score"] > 0 and second["score"] == 0 and second["tests"]
        for test in second["tests"]:
            assert any(w.lower() in test["feedback"].lower() for w in words), (assignment, test["feedback"][:500])
    assert report["score"] == sum(p["score"] for p in report["assignments"].values())


@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", NOTEBOOK_KINDS)
def test_bad_notebook_is_graded(name, tmp_path):
    report = grade(name, tmp_path, notebooks=True)
    part = report["assignments"][A1]
    check_suite(name, part, [], [])
    notebook = part["notebook"]
    cells = {c["name"].split(":")[-1]: c["points"] for c in notebook["cells"]}
    assert notebook["max_score"] == 4.0, f"{name}: the notebook's points are not all accounted for: {notebook}"
    feedback = notebook.get("feedback", "")
    if name == "notebook_test_cell_deleted":
        # Either the grader puts the deleted test cell back and runs it (the answer is right: full
        # points), or it gives no points and tells the student which cell is missing.
        restored = cells.get("test-parameter-counts") == 4.0 and notebook["score"] == 4.0
        assert restored or "test-parameter-counts" in feedback, (
            f"the deleted test cell was neither restored nor reported: {notebook}"
        )
        return
    assert notebook["score"] == 0.0, f"{name}: {notebook}"
    if name == "notebook_not_json":
        assert "notebook" in feedback.lower() and any(w in feedback.lower() for w in ("json", "read", "valid")), feedback
    elif name == "notebook_renamed":
        assert f"{A1}.ipynb" in feedback and "name" in feedback.lower(), feedback
    elif name == "notebook_test_cell_edited":
        assert cells.get("test-parameter-counts") == 0.0, f"the edited test cell was not restored: {notebook}"
        assert "test-parameter-counts" in feedback, (
            "the report must tell the student which notebook check failed (and why); notebook feedback: "
            f"{feedback!r}"
        )
