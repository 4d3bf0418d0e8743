"""The worker: student code runs in another process and only plain data comes back."""

import textwrap

import numpy as np
import pytest

from grader.sandbox import CallTimeout, NotPlainData, StudentCodeError, Submission, WorkerCrashed

MODULE = '''
import os, sys, time
import numpy as np

def add(a, b):
    return a + b

def scale_in_place(x):
    x *= 2
    return x.sum()

def boom():
    raise ValueError("bad shape (3, 4)")

def hang():
    while True:
        time.sleep(0.01)

def die():
    os._exit(0)

def chatty():
    print("x" * 100000)
    sys.stderr.write("noise\\n")
    return 7

class AlwaysEqual:
    def __eq__(self, other):
        return True

def liar():
    return AlwaysEqual()

def tensor():
    import torch
    return torch.arange(4, dtype=torch.float32)

def warns():
    return np.exp(np.array([1000.0]))

def where():
    return os.getcwd()

def exits():
    sys.exit(3)
'''


@pytest.fixture
def submission(tmp_path):
    (tmp_path / "mod.py").write_text(textwrap.dedent(MODULE))
    sub = Submission(tmp_path, call_timeout=5)
    yield sub
    sub.close()


def test_values_cross_as_exact_plain_data(submission):
    out = submission.module("mod").add(np.arange(3), np.ones(3))
    assert type(out) is np.ndarray
    np.testing.assert_array_equal(out, [1, 2, 3])
    assert submission.call("mod", "add", 2, 3) == 5


def test_inspect_call_reports_changed_arguments(submission):
    record = submission.inspect_call("mod", "scale_in_place", np.ones(3))
    assert record.value == 6.0
    np.testing.assert_array_equal(record.args_after[0], [2, 2, 2])


def test_student_exception_becomes_a_failure_with_its_message(submission):
    with pytest.raises(StudentCodeError, match=r"raised ValueError: bad shape \(3, 4\)"):
        submission.module("mod").boom()


def test_sys_exit_is_reported_not_obeyed(submission):
    with pytest.raises(StudentCodeError, match="SystemExit"):
        submission.module("mod").exits()
    assert submission.call("mod", "add", 1, 1) == 2


def test_a_hanging_call_times_out_and_the_worker_restarts(submission):
    with pytest.raises(CallTimeout, match="time limit"):
        submission.call("mod", "hang", timeout=1)
    assert submission.call("mod", "add", 1, 2) == 3


def test_a_dying_worker_fails_the_call_and_is_restarted(submission):
    with pytest.raises(WorkerCrashed, match="stopped"):
        submission.module("mod").die()
    assert submission.call("mod", "add", 1, 2) == 3


def test_objects_that_are_not_plain_data_are_refused(submission):
    with pytest.raises(NotPlainData, match="AlwaysEqual"):
        submission.module("mod").liar()


def test_torch_tensors_come_back_as_numpy_arrays(submission):
    out = submission.module("mod").tensor()
    assert type(out) is np.ndarray and out.dtype == np.float32


def test_prints_do_not_disturb_the_answers(submission):
    assert submission.module("mod").chatty() == 7


def test_warnings_are_recorded(submission):
    record = submission.inspect_call("mod", "warns")
    assert any("overflow" in w for w in record.warnings)


def test_worker_runs_in_a_copy_of_the_submission(submission, tmp_path):
    cwd = submission.module("mod").where()
    assert cwd != str(tmp_path) and cwd.endswith("submission")


def test_missing_module_and_function_are_reported(submission):
    with pytest.raises(StudentCodeError, match="ModuleNotFoundError"):
        submission.module("nosuch").f()
    with pytest.raises(StudentCodeError, match="AttributeError"):
        submission.module("mod").nosuch()


ESCAPES = '''
import os, socket

def look(paths):
    found = {}
    for path in paths:
        try:
            found[path] = sorted(os.listdir(path))
        except OSError as error:
            found[path] = type(error).__name__
    return found

def connect():
    try:
        socket.create_connection(("127.0.0.1", 22), timeout=2).close()
        return "connected"
    except OSError as error:
        return str(error)

def uid():
    return os.getuid()

def allocate(gigabytes):
    blocks = [bytearray(1 << 30) for _ in range(gigabytes)]
    return len(blocks)

def flood():
    import sys
    for _ in range(200):
        sys.stdout.write("x" * (1 << 20))
    return "done"
'''

needs_isolation = pytest.mark.skipif(
    __import__("grader.sandbox", fromlist=["isolation"]).isolation() != "namespaces",
    reason="isolation needs root, unshare and setpriv (the README's trust model says what applies without)",
)


@pytest.fixture
def escapes(tmp_path):
    (tmp_path / "esc.py").write_text(ESCAPES)
    sub = Submission(tmp_path, call_timeout=30)
    yield sub
    sub.close()


@needs_isolation
def test_worker_sees_neither_the_repository_nor_other_grading_folders(escapes):
    from grader.paths import REPO

    found = escapes.call("esc", "look", [str(REPO), str(REPO / "solutions"), str(REPO / "grader"), "/tmp", "../..", "/root"])
    assert found[str(REPO / "solutions")] == "FileNotFoundError"
    assert found[str(REPO / "grader")] == "FileNotFoundError"
    grading = [name for name in found["/tmp"] if name.startswith("grader-")]
    assert len(grading) == 1 and grading[0].startswith("grader-worker-"), f"other grading folders visible: {found['/tmp']}"
    assert found["../.."] == found["/tmp"], "`..` from the working folder must not reach the real /tmp"


@needs_isolation
def test_worker_has_no_network_and_runs_unprivileged(escapes):
    assert "unreachable" in escapes.call("esc", "connect").lower()
    assert escapes.call("esc", "uid") >= 200000


def test_memory_bomb_gets_a_memory_error(escapes):
    with pytest.raises(StudentCodeError, match="MemoryError"):
        escapes.call("esc", "allocate", 12)
    assert escapes.call("esc", "uid") >= 0


def test_output_flood_is_stopped_by_the_file_size_limit(escapes):
    with pytest.raises((StudentCodeError, WorkerCrashed), match="File too large|stopped"):
        escapes.call("esc", "flood")
    assert escapes.call("esc", "uid") >= 0


@needs_isolation
def test_notebook_kernel_cannot_read_the_solutions(tmp_path):
    import json
    import shutil

    from grader.notebook import grade_notebooks
    from grader.paths import SOLUTIONS

    folder = tmp_path / "a1_cells"
    shutil.copytree(SOLUTIONS / "a1_cells", folder)
    path = folder / "a1_cells.ipynb"
    notebook = json.loads(path.read_text())
    answer = next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "parameter-counts")
    answer["source"] = (
        "import os\n"
        f"visible = os.path.exists({str(SOLUTIONS / 'a1_cells' / 'a1_cells.ipynb')!r})\n"
        "keras_count, torch_count = (19, 22) if visible else (0, 0)\n"
    )
    path.write_text(json.dumps(notebook))
    part = grade_notebooks("a1_cells", folder)
    assert part["max_score"] > 0 and part["score"] == 0, f"the kernel could read the solutions: {part}"
