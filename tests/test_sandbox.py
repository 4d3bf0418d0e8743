"""The worker: student code runs in a sandboxed process and only plain data comes back.

The first half checks the channel (values, objects kept in the worker, the grader's own objects,
errors, time limits, restarts); the second checks the isolation itself with code that tries to get
out, and runs wherever bubblewrap works (as root on CI, as the ``nobody`` user in a test below).
"""

import json
import os
import subprocess
import tempfile
import sys
import textwrap
import time

import numpy as np
import pytest

from grader.paths import REPO
from grader.sandbox import (HANDLE, VALUE, CallTimeout, LostObject, NotPlainData, StudentCodeError, Submission,
                            Tensor, WorkerCrashed, isolation)
from grader.grading.testing import expect_raises

pytestmark = pytest.mark.slow  # starts sandboxed workers, one or more per test

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

class MyValueError(ValueError):
    pass

def raises(kind):
    if kind == "sub":
        raise MyValueError("a subclass")
    if kind == "fake":
        ValueError = type("ValueError", (Exception,), {})  # a class of the student's own, named ValueError
        raise ValueError("my own class named ValueError")
    raise NotImplementedError("ValueError")

def hang():
    while True:
        pass

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

def tensor_kind(t):
    return type(t).__module__ + "." + type(t).__name__, t.dtype.is_floating_point

def warns():
    return np.exp(np.array([1000.0]))

def where():
    return os.getcwd()

def exits():
    sys.exit(3)

class Counter:
    def __init__(self, start):
        self.count = start
    def bump(self, by=1):
        self.count += by
        return self.count

def pair(n):
    return n * 2, Counter(n)

def apply(f, x):
    return f(x) + 1

def huge_error():
    raise RuntimeError("x" * 5_000_000)

def forge_frames():
    # Write a frame announcing an absurd length into every descriptor the worker holds (the answer pipe
    # among them, whatever its number), then garbage.
    for fd in sorted(int(name) for name in os.listdir("/proc/self/fd")):
        if fd < 3:
            continue
        try:
            os.write(fd, (1 << 60).to_bytes(8, "little") + b"garbage")
        except OSError:
            pass
    return 1
'''


@pytest.fixture
def submission(tmp_path):
    (tmp_path / "mod.py").write_text(textwrap.dedent(MODULE))
    sub = Submission(tmp_path, cpu_limit=20)
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


def test_student_exception_becomes_a_failure_with_its_message_and_class(submission):
    with pytest.raises(StudentCodeError, match=r"raised ValueError: bad shape \(3, 4\)") as caught:
        submission.module("mod").boom()
    assert caught.value.exc_type == "builtins.ValueError" and caught.value.is_a(ValueError)


def test_expect_raises_looks_at_the_class_never_at_the_text(submission):
    mod = submission.module("mod")
    expect_raises(ValueError, mod.boom, what="boom()")
    expect_raises(ValueError, mod.raises, "sub", what="a subclass of ValueError")
    with pytest.raises(AssertionError, match="NotImplementedError"):
        expect_raises(ValueError, mod.raises, "text", what="NotImplementedError('ValueError')")
    with pytest.raises(AssertionError, match="mod.ValueError"):
        expect_raises(ValueError, mod.raises, "fake", what="a class of the student's named ValueError")
    with pytest.raises(AssertionError, match="returned a value"):
        expect_raises(ValueError, mod.add, 1, 2, what="add(1, 2)")


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


def test_torch_tensors_come_back_as_numpy_arrays_and_go_in_as_tensors(submission):
    out = submission.module("mod").tensor()
    assert type(out) is np.ndarray and out.dtype == np.float32
    assert submission.module("mod").tensor_kind(Tensor(np.ones(2))) == ("torch.Tensor", True)


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


def test_objects_stay_in_the_worker_and_are_lost_when_it_restarts(submission):
    mod = submission.module("mod")
    counter = mod.Counter.remote(5)
    assert counter.bump(2) == 7 and counter.count.get() == 7 and counter.type_name() == "mod.Counter"
    doubled, other = mod.pair.returning(VALUE, HANDLE)(4)
    assert doubled == 8 and other.bump() == 5
    with pytest.raises(WorkerCrashed):
        mod.die()
    with pytest.raises(LostObject, match="restarted"):
        counter.bump()


def test_grader_objects_are_called_back_and_computed_here(submission):
    seen = []

    def square(x):
        seen.append(x)
        return x * x

    assert submission.module("mod").apply(submission.callback(square), 7) == 50
    assert seen == [7]


def test_error_text_is_cut_in_the_grader(submission):
    with pytest.raises(StudentCodeError) as caught:
        submission.module("mod").huge_error()
    assert len(str(caught.value)) < 10_000


def test_forged_frames_end_the_worker_not_the_grader(submission):
    with pytest.raises(WorkerCrashed, match="channel|stopped"):
        submission.module("mod").forge_frames()
    assert submission.call("mod", "add", 1, 2) == 3


def test_a_module_that_hangs_at_import_is_stopped_once(tmp_path, monkeypatch):
    import grader.sandbox.client as client

    monkeypatch.setattr(client, "IMPORT_CPU_LIMIT", 3.0)
    monkeypatch.setattr(client, "IMPORT_WALL_LIMIT", 3.0)   # it sleeps: the wall-clock backstop stops it
    (tmp_path / "slow.py").write_text("import time\ntime.sleep(3600)\n\ndef f():\n    return 1\n")
    sub = Submission(tmp_path)
    try:
        with pytest.raises(CallTimeout, match="Importing your module `slow`") as first:
            sub.module("slow").f()
        start = time.monotonic()
        with pytest.raises(CallTimeout) as second:
            sub.module("slow").f()
        assert time.monotonic() - start < 1.0 and str(second.value) == str(first.value)
    finally:
        sub.close()


# ---------------------------------------------------------------------------------------------
# Isolation: each of these is an attempt to get out, and must fail.

ESCAPES = '''
import os, socket, sys

def look(paths):
    found = {}
    for path in paths:
        try:
            found[path] = sorted(os.listdir(path))
        except OSError as error:
            found[path] = type(error).__name__
    return found

def connect(host, port):
    try:
        socket.create_connection((host, port), timeout=2).close()
        return "connected"
    except OSError as error:
        return type(error).__name__

def unix_socket(path):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        return "connected"
    except OSError as error:
        return type(error).__name__

def identity():
    status = open("/proc/self/status").read()
    caps = [line.split()[1] for line in status.splitlines() if line.startswith("CapEff")]
    return {"uid": os.getuid(), "caps": caps[0], "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
            "hostname": socket.gethostname()}

def parent_environment():
    try:
        return open(f"/proc/{os.getppid()}/environ", "rb").read().decode(errors="replace")
    except OSError as error:
        return type(error).__name__

def fill(path, megabytes):
    written = 0
    try:
        with open(path, "wb") as f:
            for _ in range(megabytes):
                f.write(b"x" * (1 << 20))
                written += 1
    except OSError as error:
        return written, type(error).__name__
    return written, None

def shared_memory(key):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    IPC_CREAT = 0o1000
    return libc.shmget(key, 4096, IPC_CREAT | 0o666)

def list_shared_memory():
    try:
        return open("/proc/sysvipc/shm").read().splitlines()[1:]
    except OSError as error:
        return type(error).__name__

def write_outside():
    results = {}
    for path in ["/usr/evil", "/evil", os.path.dirname(os.__file__) + "/evil.py"]:
        try:
            open(path, "w").write("x")
            results[path] = "written"
        except OSError as error:
            results[path] = type(error).__name__
    return results

def allocate(gigabytes):
    blocks = [bytearray(1 << 30) for _ in range(gigabytes)]
    return len(blocks)

def flood():
    for _ in range(200):
        sys.stdout.write("x" * (1 << 20))
    return "done"
'''

needs_isolation = pytest.mark.skipif(isolation() != "bubblewrap", reason="bubblewrap cannot run on this machine")


@pytest.fixture
def escapes(tmp_path):
    (tmp_path / "esc.py").write_text(ESCAPES)
    sub = Submission(tmp_path, cpu_limit=30)
    yield sub
    sub.close()


@needs_isolation
def test_worker_sees_neither_the_repository_nor_the_host(escapes):
    found = escapes.call("esc", "look", [str(REPO), str(REPO / "solutions"), str(REPO / "grader"), "/tmp", "/run",
                                         "/home", "/root", "/var", "/grader-sandbox/staging", ".."])
    assert found[str(REPO / "solutions")] == "FileNotFoundError"
    assert found[str(REPO / "grader")] == "FileNotFoundError"
    assert found["/run"] == "FileNotFoundError" and found["/var"] == "FileNotFoundError"
    assert found["/home"] == "FileNotFoundError"
    assert found["/tmp"] in ([], ) or not any(n.startswith("grader-") for n in found["/tmp"]), found["/tmp"]
    assert found["/grader-sandbox/staging"] == ["esc.py"]


@needs_isolation
def test_worker_has_no_network_no_sockets_no_privileges(escapes):
    assert escapes.call("esc", "connect", "127.0.0.1", 22) != "connected"
    assert escapes.call("esc", "connect", "8.8.8.8", 53) != "connected"
    assert escapes.call("esc", "unix_socket", "/run/systemd/private") != "connected"
    me = escapes.call("esc", "identity")
    assert me["uid"] != 0 and me["caps"] == "0000000000000000", me
    assert max(me["pids"]) < 10, f"the worker sees other processes: {me['pids']}"
    assert me["hostname"] == "sandbox"
    assert escapes.call("esc", "parent_environment") in ("PermissionError", "FileNotFoundError", "")


@needs_isolation
def test_worker_cannot_write_outside_its_folders_and_its_tmpfs_are_small(escapes):
    assert set(escapes.call("esc", "write_outside").values()) <= {"PermissionError", "OSError"}
    written, error = escapes.call("esc", "fill", "/tmp/big", 400)
    assert error is not None and written <= 256, (written, error)
    written, error = escapes.call("esc", "fill", "/dev/shm/big", 400)
    assert error is not None and written <= 16, (written, error)


@needs_isolation
def test_shared_memory_does_not_outlive_the_worker(tmp_path):
    (tmp_path / "esc.py").write_text(ESCAPES)
    first = Submission(tmp_path)
    try:
        assert first.call("esc", "shared_memory", 4242) >= 0
        assert first.call("esc", "list_shared_memory")
    finally:
        first.close()
    second = Submission(tmp_path)
    try:
        assert second.call("esc", "list_shared_memory") == [], "a SysV segment crossed from one worker to the next"
    finally:
        second.close()


def test_memory_bomb_gets_a_memory_error(escapes):
    with pytest.raises(StudentCodeError, match="MemoryError"):
        escapes.call("esc", "allocate", 12, timeout=300)  # zero-filling 6 GiB is slow on a busy machine
    assert escapes.call("esc", "identity")["uid"] >= 0


def test_output_flood_is_stopped_by_the_file_size_limit(escapes):
    with pytest.raises((StudentCodeError, WorkerCrashed), match="File too large|stopped"):
        escapes.call("esc", "flood")
    assert escapes.call("esc", "identity")["uid"] >= 0


PROBE = '''
import json, sys, tempfile, pathlib
from grader.sandbox import Submission, isolation_detail
folder = pathlib.Path(tempfile.mkdtemp())
(folder / "esc.py").write_text(sys.stdin.read())
sub = Submission(folder)
try:
    print(json.dumps({"detail": isolation_detail(), "identity": sub.call("esc", "identity"),
                      "look": sub.call("esc", "look", ["/root", "/home", "/run"]),
                      "connect": sub.call("esc", "connect", "127.0.0.1", 22)}))
finally:
    sub.close()
'''


@pytest.mark.timeout(300)
def test_an_unprivileged_grader_isolates_through_a_user_namespace():
    from tests.unprivileged import unprivileged_argv, writable_by_nobody

    with tempfile.TemporaryDirectory(prefix="grader-sandbox-test-") as folder:
        os.chmod(folder, 0o755)
        writable_by_nobody(folder)
        run = subprocess.run(unprivileged_argv([sys.executable, "-c", PROBE]), input=ESCAPES, cwd=folder,
                             capture_output=True, text=True, timeout=240,
                             env={"PATH": "/usr/bin:/bin", "HOME": folder, "PYTHONPATH": str(REPO)})
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["detail"].startswith("bubblewrap (unprivileged user namespace)"), out["detail"]
    assert out["identity"]["uid"] == 1000 and out["identity"]["caps"] == "0000000000000000"
    assert max(out["identity"]["pids"]) < 10
    assert out["connect"] != "connected"
    assert out["look"]["/home"] == "FileNotFoundError" and out["look"]["/run"] == "FileNotFoundError"


def test_objects_no_longer_referenced_are_released_in_the_worker(submission):
    import gc

    mod = submission.module("mod")

    def kept_in_worker():
        table = submission.module("__main__")._objects.handle()   # the worker's table of kept objects
        return submission.module("builtins").len(table)

    kept = [mod.Counter.remote(i) for i in range(50)]
    assert kept_in_worker() >= 50
    bump = kept[0].bump          # an attribute keeps its object alive
    del kept
    gc.collect()
    assert kept_in_worker() <= 3, "objects the grader dropped are still kept in the worker"
    assert bump(3) == 3
    counter = mod.Counter.remote(1)
    with pytest.raises(StudentCodeError, match=r"`mod\.Counter\(\.\.\.\)\.nosuch`"):
        counter.nosuch()


def test_a_worker_starts_at_once_and_preloads_the_real_packages_not_the_submission_s(tmp_path):
    # Files named like the packages the worker imports while it starts: neither must be run by its bootstrap.
    for name in ("numpy", "torch", "IPython"):
        (tmp_path / f"{name}.py").write_text("raise SystemExit('the worker imported the submission\\'s copy')\n")
    (tmp_path / "mod.py").write_text(textwrap.dedent('''
        import sys
        import numpy
        import torch

        def where():
            return [numpy.__file__, torch.__file__, sys.path[0]]
    '''))
    sub = Submission(tmp_path)
    try:
        assert sub.worker.alive() and sub.worker.booting is not None   # launched, not waited for
        numpy_file, torch_file, first = sub.call("mod", "where")
        assert "site-packages" in numpy_file and "site-packages" in torch_file, (numpy_file, torch_file)
        assert first.endswith("submission")   # the submission is on the path for the student's own imports
    finally:
        sub.close()
