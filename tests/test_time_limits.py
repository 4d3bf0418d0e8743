"""Time limits measure the student's work (CPU time), not the machine's load.

Real sandboxed workers on submissions written here; the limits are set small through the API
(``Submission(cpu_limit=..., wall_limit=...)``, the notebook's cell limit) so that the tests stay
short. Timings are printed (run with ``-s`` to see them) and asserted only where they are the
behaviour itself (a refused call comes back at once) or with a generous bound.
"""

import json
import os
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from grader.grading import notebook
from grader.paths import ASSIGNMENTS, SOLUTIONS
from grader.sandbox import CallTimeout, Submission, WorkerCrashed
from tests.conftest import cpu_burners, run_grader

pytestmark = pytest.mark.slow  # starts sandboxed workers; the last test grades a whole submission

MODULE = '''
import time

def spin(x):
    while True:
        x += 1

def add(a, b):
    return a + b

def nap(seconds):
    time.sleep(seconds)
    return seconds

def work(n):
    total = 0
    for i in range(n):
        total += i % 7
    return total

class Looper:
    def spin(self):
        while True:
            pass

def size(array):
    return int(array.size)

def hold_the_interpreter():
    """Leave a thread that, once the worker waits for its next request, keeps the GIL for good."""
    import sys
    import threading

    def spin():
        time.sleep(1.0)
        sys.setswitchinterval(1e6)   # the main thread would ask for the GIL after 11 days
        while True:
            pass

    threading.Thread(target=spin, daemon=True).start()
    return True

def stop_myself():
    """Leave a thread that, once the worker waits for its next request, stops the whole process (SIGSTOP)."""
    import os
    import signal
    import threading

    def stop():
        time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGSTOP)

    threading.Thread(target=stop, daemon=True).start()
    return True
'''
# A request that cannot fit in a pipe (64 KiB): the grader writes it while the worker reads it.
LARGE = 4_000_000   # float64 elements: 32 MB


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "mod.py").write_text(MODULE)
    return tmp_path


def timed(call, *args, **kwargs):
    """``(value or exception, seconds)`` of one call."""
    start = time.monotonic()
    try:
        value = call(*args, **kwargs)
    except CallTimeout as exc:
        value = exc
    return value, time.monotonic() - start


def test_a_busy_loop_is_stopped_at_its_cpu_limit_once(folder):
    sub = Submission(folder, cpu_limit=1, wall_limit=60)
    try:
        mod = sub.module("mod")
        assert mod.add(1, 2) == 3   # the worker is up and the module imported
        first, seconds = timed(mod.spin, 0)
        print(f"\nspin stopped after {seconds:.2f} s wall, {sub.last_cpu:.2f} s CPU")
        assert type(first) is CallTimeout and first.kind == "cpu"
        assert "`mod.spin`(...) used more than 1 s of CPU time" in str(first) and "endless loop" in str(first)
        sent = sub.worker.next_id   # a stopped function fails at once: no request reaches the worker
        again, _ = timed(mod.spin, 5)
        assert type(again) is CallTimeout and str(again) == str(first)
        again, _ = timed(mod.spin.remote, 5)
        assert type(again) is CallTimeout and str(again) == str(first)
        assert sub.worker.next_id == sent, "a call of a stopped function was sent to the worker"
        assert mod.add(2, 3) == 5   # other functions are still called
        looper = mod.Looper.remote()
        first, _ = timed(looper.spin)
        assert type(first) is CallTimeout and "`mod.Looper(...).spin`(...)" in str(first)
        again_looper = mod.Looper.remote()
        sent = sub.worker.next_id
        again, _ = timed(again_looper.spin)
        assert str(again) == str(first) and sub.worker.next_id == sent
    finally:
        sub.close()


def test_sleeping_uses_no_cpu_time_and_waiting_forever_meets_the_backstop(folder):
    sub = Submission(folder, cpu_limit=1, wall_limit=5)
    try:
        value, seconds = timed(sub.module("mod").nap, 3)
        assert value == 3, value
        forever, seconds = timed(sub.module("mod").nap, 3600)
        print(f"\nnap(3600) stopped after {seconds:.2f} s wall")
        assert type(forever) is CallTimeout and forever.kind == "wall"
        assert "`mod.nap`(...) did not finish within its time limit: it ran for more than 5 s" in str(forever)
    finally:
        sub.close()


def test_imports_are_limited_by_cpu_time(tmp_path, monkeypatch):
    import grader.sandbox.client as client

    monkeypatch.setattr(client, "IMPORT_CPU_LIMIT", 1.0)
    monkeypatch.setattr(client, "IMPORT_WALL_LIMIT", 30.0)
    (tmp_path / "sleepy.py").write_text("import time\ntime.sleep(2)\n\ndef f():\n    return 1\n")
    (tmp_path / "busy.py").write_text("while True:\n    pass\n\ndef f():\n    return 1\n")
    sub = Submission(tmp_path)
    try:
        assert sub.module("sleepy").f() == 1   # 2 s of sleep is no CPU time
        first, _ = timed(sub.module("busy").f)
        assert type(first) is CallTimeout and "Importing your module `busy`" in str(first)
        assert "more than 1 s of CPU time" in str(first)
        sent = sub.worker.next_id
        again, _ = timed(sub.module("busy").f)
        assert str(again) == str(first) and sub.worker.next_id == sent, "the module that hung was imported again"
    finally:
        sub.close()


def calibrated_work(sub, seconds):
    """``n`` for which ``work(n)`` needs about ``seconds`` of CPU time in ``sub``'s worker, and that time."""
    n = 5_000_000
    sub.call("mod", "work", n)
    n = int(n * seconds / max(sub.last_cpu, 0.05))
    sub.call("mod", "work", n)
    return n, sub.last_cpu


def test_a_correct_call_on_a_busy_machine_is_not_stopped(folder):
    sub = Submission(folder, cpu_limit=60)
    try:
        n, alone = calibrated_work(sub, 2.0)
        limit = 2 * alone + 1   # well above what the call needs
        with cpu_burners(4 * (os.cpu_count() or 1)):
            value, seconds = timed(sub.call, "mod", "work", n, timeout=limit)
        print(f"\nwork({n}): {alone:.2f} s CPU alone; under burners {sub.last_cpu:.2f} s CPU and {seconds:.2f} s wall, "
              f"with a CPU limit of {limit:.2f} s")
        assert value == sum(i % 7 for i in range(n)), value
    finally:
        sub.close()


def with_a_short_backstop(folder, alone, function, argument, burners, runs=1):
    """The values of ``runs`` calls of ``mod.function(argument)`` on a machine busy with ``burners`` processes.

    The backstop is shorter than such a call's wall time there (``alone``: its CPU time on an idle machine):
    only the time the call ran, or waited for something else than a CPU, counts toward it.
    """
    sub = Submission(folder, cpu_limit=20 * alone + 5, wall_limit=2 * alone + 1)
    values = []
    try:
        sub.call("mod", "add", 1, 1)
        with cpu_burners(burners):
            for _ in range(runs):
                value, seconds = timed(sub.call, "mod", function, argument)
                print(f"\n{function}: {alone:.2f} s CPU alone; {sub.last_cpu:.2f} s CPU and {seconds:.2f} s wall on a "
                      f"busy machine, with a backstop of {sub.wall_limit:.2f} s")
                values.append(value)
    finally:
        sub.close()
    return values


@pytest.mark.skipif(not Path("/proc/self/schedstat").exists(), reason="the kernel does not report run-queue waits")
def test_waiting_for_a_cpu_does_not_count_toward_the_backstop(folder):
    probe = Submission(folder)
    try:
        n, alone = calibrated_work(probe, 2.0)
    finally:
        probe.close()
    (value,) = with_a_short_backstop(folder, alone, "work", n, 3 * (os.cpu_count() or 1))
    assert type(value) is int, value


@pytest.mark.skipif(not Path("/proc/self/schedstat").exists(), reason="the kernel does not report run-queue waits")
def test_a_large_request_on_a_busy_machine_is_sent_and_answered(folder):
    array = np.ones(LARGE)
    probe = Submission(folder)
    try:
        probe.call("mod", "size", array)
        alone = probe.last_cpu
    finally:
        probe.close()
    # Sending it counts under the call's limits: the grader and the worker take turns, each waiting for a CPU.
    values = with_a_short_backstop(folder, alone, "size", array, 4 * (os.cpu_count() or 1), runs=3)
    assert values == [LARGE] * 3, values


def test_a_worker_that_stops_reading_is_stopped_at_its_cpu_limit(folder):
    sub = Submission(folder, cpu_limit=1, wall_limit=60)
    try:
        assert sub.call("mod", "hold_the_interpreter") is True
        time.sleep(1.5)   # the thread now holds the GIL: the worker reads the pipe no more
        with pytest.raises(WorkerCrashed) as caught:
            sub.call("mod", "size", np.ones(LARGE))
        print(f"\n{caught.value}")
        assert ("The request of `mod.size`(...) could not be sent: the worker running your code stopped reading it ("
                in str(caught.value)), str(caught.value)
        assert "used more than 1 s of CPU time meanwhile, its time limit; it was stopped" in str(caught.value)
        assert sub.last_cpu > 1
        assert sub.call("mod", "size", np.ones(LARGE)) == LARGE   # a new worker reads it
    finally:
        sub.close()


def test_a_worker_that_stops_itself_is_stopped_at_the_backstop(folder):
    sub = Submission(folder, cpu_limit=1, wall_limit=3)
    try:
        assert sub.call("mod", "stop_myself") is True
        time.sleep(1.5)   # the worker is stopped: it reads nothing, and uses no CPU time
        start = time.monotonic()
        with pytest.raises(WorkerCrashed) as caught:
            sub.call("mod", "size", np.ones(LARGE))
        value, seconds = caught.value, time.monotonic() - start
        print(f"\n{value}\nstopped after {seconds:.1f} s")
        assert "The request of `mod.size`(...) could not be sent" in str(value), str(value)
        assert "did not read for more than 3 s while using only 0.0 s of CPU time; it was stopped" in str(value)
        assert sub.call("mod", "add", 1, 2) == 3
    finally:
        sub.close()


def test_an_endless_notebook_cell_is_stopped_and_named(tmp_path, monkeypatch):
    monkeypatch.setattr(notebook, "CELL_CPU_FLOOR", 8.0)   # the import cell needs about 2 s of CPU time
    monkeypatch.setattr(notebook, "CELL_CPU_LIMITS", {})
    folder = tmp_path / "a1_cells"
    folder.mkdir()
    shutil.copy(SOLUTIONS / "a1_cells" / "cells.py", folder / "cells.py")
    source = json.loads((ASSIGNMENTS / "a1_cells" / "a1_cells.ipynb").read_text())
    answer = next(i for i, c in enumerate(source["cells"])
                  if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "parameter-counts")
    source["cells"].insert(answer, {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                                    "source": ["# my experiment\n", "steps = 0\n", "while True:\n", "    steps += 1\n"]})
    (folder / "a1_cells.ipynb").write_text(json.dumps(source))
    start = time.monotonic()
    part = notebook.grade_notebooks("a1_cells", folder)
    print(f"\nnotebook graded in {time.monotonic() - start:.1f} s wall")
    number = sum(1 for c in source["cells"][: answer + 1] if c["cell_type"] == "code")
    assert (f"Your notebook was stopped at code cell {number} (starting `steps = 0`): the cell ran out of "
            f"CPU time, using more than 8 s, the limit per cell") in part.feedback, part.feedback
    (test_cell,) = part.cells
    assert test_cell.points == 0 and "ran out of CPU time" in test_cell.feedback


def solved_a1_with_looping(folder, looping):
    """The released a1 stub with every function solved from solutions/ but ``looping``, an endless loop."""
    shutil.copytree(ASSIGNMENTS / "a1_cells", folder)
    solution = (SOLUTIONS / "a1_cells" / "cells.py").read_text()
    bodies = dict(re.findall(r"\ndef (\w+)\(.*?    ### BEGIN SOLUTION\n(.*?)    ### END SOLUTION\n", solution, re.S))
    assert looping in bodies and len(bodies) >= 5, sorted(bodies)

    def solve(match):
        name = match.group(2)
        body = "    while True:  # never ends\n        pass\n" if name == looping else bodies[name]
        return match.group(1) + body

    stub = (folder / "cells.py").read_text()
    solved = re.sub(r"(\ndef (\w+)\(.*?)    # YOUR CODE HERE\n    raise NotImplementedError\(\)\n", solve, stub,
                    flags=re.S)
    assert "# YOUR CODE HERE\n    raise NotImplementedError()" not in solved   # (the docstring names the marker)
    (folder / "cells.py").write_text(solved)


@pytest.mark.timeout(900)
def test_an_endless_function_costs_its_limit_once_in_a_whole_grading(tmp_path):
    submission = tmp_path / "submission"
    solved_a1_with_looping(submission / "a1_cells", "rnn_cell")
    report = tmp_path / "r.json"
    start = time.monotonic()
    run = run_grader("grade", str(submission), "--student", "s", "--report", str(report), "--no-gradebook")
    seconds = time.monotonic() - start
    print(f"\ngrading a1 with an endless rnn_cell took {seconds:.1f} s wall (it took 395 s with wall-clock limits)")
    assert run.returncode == 0, run.stderr[-3000:]
    part = json.loads(report.read_text())["assignments"]["a1_cells"]
    tests = part["suite"]["tests"]
    looping = [t for t in tests if "rnn_cell" in t["name"]]
    others = [t for t in tests if "rnn_cell" not in t["name"]]
    assert looping and others
    assert all(t["passed"] for t in others), [(t["name"], t["feedback"][:300]) for t in others if not t["passed"]]
    for test in looping:
        assert not test["passed"], test["name"]
        assert "`cells.rnn_cell`(...) used more than 10 s of CPU time" in test["feedback"], test["feedback"][:500]
    feedback = part["notebook"]["feedback"]
    assert "(`read-6`, starting `def compare_with_torch(kind, N=4, D=3, H=5):`): the cell ran out of CPU time" \
        in feedback, feedback
