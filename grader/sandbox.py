"""The grader's side of the trust boundary: a worker process that runs student code.

``Worker`` starts ``worker.py`` (with ``codec.py``, copied to a runtime folder outside the
grader package) in a copy of the submission folder and exchanges plain-data messages
with it over two private pipes. ``Submission`` is what hidden tests see through the
``student`` fixture: every call is forwarded to the worker; every answer comes back as
exact builtin types and exact ``np.ndarray``. A call that raises, times out, kills the
worker or returns something that is not plain data fails the calling test with a clear
message; the worker is restarted for the next call.
"""

import functools
import inspect
import os
import resource
import secrets
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader import codec
from grader.files import copy_submission, link_feedback
from grader.paths import REPO

RUNTIME_FILES = ("worker.py", "codec.py")
DEFAULT_CALL_TIMEOUT = 20.0
STARTUP_TIMEOUT = 60.0
LOG_TAIL_BYTES = 2000
LAUNCHER = Path(__file__).with_name("sandbox-launch.sh")
# Resource limits of every sandboxed process (and its children).
LIMITS = {
    resource.RLIMIT_CPU: 1800,  # seconds of CPU over the worker's whole life
    resource.RLIMIT_AS: 6 << 30,  # bytes of address space: a memory bomb gets MemoryError
    resource.RLIMIT_FSIZE: 64 << 20,  # bytes per file written, including the captured output
    resource.RLIMIT_NPROC: 256,  # processes and threads of the sandbox user (a fork bomb stops here)
    resource.RLIMIT_CORE: 0,
}
# Top-level folders that stay visible in the sandbox: the system. Every other one (/home, /root,
# /tmp, /work, /opt, /srv, /mnt, ... wherever a copy of the course might lie) is covered by an
# empty tmpfs, and only the paths the worker needs are mounted back.
SYSTEM_FOLDERS = {"bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc", "dev", "proc", "sys", "run",
                  "boot", "var"}


class SubmissionFailure(AssertionError):
    """The submission did not give a usable answer; the message is the student's feedback."""


class StudentCodeError(SubmissionFailure):
    """The student's code raised an exception."""


class CallTimeout(SubmissionFailure):
    """The student's code did not answer within the time limit."""


class WorkerCrashed(SubmissionFailure):
    """The worker process died (os._exit, segfault, memory limit, ...)."""


class NotPlainData(SubmissionFailure):
    """The student's code returned something that cannot cross the boundary."""


def scrubbed_environment(home):
    """The environment the worker starts with: nothing of the grader's own."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "TQDM_DISABLE": "1",
    }
    return env


@functools.cache
def isolation():
    """How student code is isolated here: "namespaces" or "limits-only".

    "namespaces" needs root, util-linux's unshare and setpriv, and a kernel that allows new
    mount, network and PID namespaces: the worker then runs as a fresh unprivileged user, with no
    network, no view of other processes, and the repository, /tmp and home folders hidden.
    Elsewhere (a laptop, a CI runner without root) only the resource limits, the scrubbed
    environment and the private copy of the submission apply.
    """
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("setpriv"):
        return "limits-only"
    probe = subprocess.run(["unshare", "--mount", "--net", "--pid", "--fork", "true"], capture_output=True)
    return "namespaces" if probe.returncode == 0 else "limits-only"


def set_limits():
    """Apply LIMITS to the calling process (used as preexec_fn)."""
    for limit, value in LIMITS.items():
        soft, hard = resource.getrlimit(limit)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(limit, (value, value))


def python_paths():
    """Paths the sandboxed Python needs: its installation, the venv, and rnnutils."""
    import rnnutils

    paths = {sys.prefix, sys.base_prefix, str(Path(rnnutils.__file__).resolve().parent)}
    return sorted(paths)


def hidden_folders():
    """Folders covered by an empty tmpfs in the sandbox: all but the system, plus shared temporary ones."""
    tops = sorted(str(p) for p in Path("/").iterdir() if p.is_dir() and not p.is_symlink() and p.name not in SYSTEM_FOLDERS)
    return tops + ["/var/tmp", "/dev/shm", str(REPO)]


def sandboxed(command, keep=(), own=()):
    """Wrap ``command`` so that it runs isolated, as a fresh unprivileged user, where possible.

    Inputs:
    - command: the argument list to run.
    - keep: extra paths that stay visible (the worker's own folder).
    - own: paths handed over to the sandbox user (so the student's code can write there).

    Returns the argument list to give to Popen (with ``preexec_fn=set_limits``).
    """
    if isolation() != "namespaces":
        return list(command)
    uid = str(200000 + secrets.randbelow(100000))
    return [
        "unshare", "--mount", "--net", "--pid", "--fork", "--kill-child", "--mount-proc",
        "sh", str(LAUNCHER), uid, " ".join(hidden_folders()), " ".join(python_paths() + list(keep)), " ".join(own), "--",
        *command,
    ]


class Worker:
    """One worker process running in a private copy of ``source_dir``."""

    def __init__(self, source_dir):
        self.source_dir = Path(source_dir)
        self.process = None
        self.tmp = None
        self.log_path = None
        self.skipped = []

    def start(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="grader-worker-"))
        self.tmp.chmod(0o755)
        runtime = self.tmp / "runtime"
        runtime.mkdir()
        here = Path(__file__).parent
        for name in RUNTIME_FILES:
            shutil.copy(here / name, runtime / name)
        workdir = self.tmp / "submission"
        self.skipped = copy_submission(self.source_dir, workdir)
        home = self.tmp / "home"
        home.mkdir()
        self.log_path = self.tmp / "output.log"
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        command = [sys.executable, "-I", str(runtime / "worker.py"), str(to_worker_r), str(from_worker_w)]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                sandboxed(command, keep=[str(self.tmp)], own=[str(workdir), str(home)]),
                cwd=workdir,
                env=scrubbed_environment(home),
                preexec_fn=set_limits,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(to_worker_r, from_worker_w),
                start_new_session=True,
            )
        os.close(to_worker_r)
        os.close(from_worker_w)
        self.writer = os.fdopen(to_worker_w, "wb")
        self.reader_fd = from_worker_r
        self._receive(STARTUP_TIMEOUT, what="starting the worker")

    def request(self, message, timeout):
        """Send one request and return the decoded answer (a dict)."""
        if self.process is None:
            self.start()
        try:
            payload = codec.encode(message, path="argument")
            self.writer.write(struct.pack("<Q", len(payload)) + payload)
            self.writer.flush()
        except BrokenPipeError:
            raise self._crashed("before the call was sent") from None
        return self._receive(timeout, what=_describe(message))

    def _receive(self, timeout, what):
        deadline = time.monotonic() + timeout
        prefix = self._read_exact(8, deadline, what)
        (size,) = struct.unpack("<Q", prefix)
        if size > codec.MAX_MESSAGE_BYTES:
            self.stop()
            raise NotPlainData(f"{what} returned {size} bytes, over the {codec.MAX_MESSAGE_BYTES}-byte limit.")
        data = self._read_exact(size, deadline, what)
        try:
            return codec.decode(data)
        except (codec.WireError, ValueError) as exc:
            self.stop()
            raise NotPlainData(f"{what} sent back a malformed answer ({exc}).") from None

    def _read_exact(self, n, deadline, what):
        chunks, got = [], 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0:
                self.stop()
                raise CallTimeout(
                    f"{what} did not finish within the time limit. Look for an infinite loop, a loop "
                    "that never reaches its end condition, or work that grows much faster than it should."
                )
            ready, _, _ = select.select([self.reader_fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(self.reader_fd, min(n - got, 1 << 20))
            if not chunk:
                raise self._crashed(f"during {what}")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _crashed(self, when):
        code = self.process.wait(timeout=5) if self.process else None
        tail = self.output_tail()
        self.stop()
        reason = f"exit status {code}" if code is not None and code >= 0 else f"signal {-code}" if code else "unknown"
        message = f"The worker running your code stopped {when} ({reason})."
        if tail.strip():
            message += f" Last output:\n{tail}"
        return WorkerCrashed(message)

    def output_tail(self):
        """The last bytes the student's code printed."""
        try:
            data = self.log_path.read_bytes()[-LOG_TAIL_BYTES:]
        except (OSError, AttributeError):
            return ""
        return data.decode("utf-8", "replace")

    def stop(self):
        """Kill the worker and everything it started; remove its folder."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.process.wait()
            self.process = None
            for stream in (self.writer,):
                try:
                    stream.close()
                except OSError:
                    pass
            os.close(self.reader_fd)
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None


def _describe(message):
    if message["op"] == "probe":
        return f"the grader's check `{message['func']}` (running your code)"
    if message["op"] == "get":
        return f"reading `{message['module']}.{message['attr']}`"
    return f"`{message['module']}.{message['func']}(...)`"


def explain(error, skipped_links):
    """A sentence on the likely cause of some errors that are not bugs in the student's logic."""
    if "[Errno 27] File too large" in error:
        limit = LIMITS[resource.RLIMIT_FSIZE] >> 20
        return (f"\nYour code printed or wrote more than {limit} MiB of output, the limit per file: "
                "remove the prints inside loops.")
    if skipped_links and ("ModuleNotFoundError" in error or "FileNotFoundError" in error):
        return "\n" + link_feedback(skipped_links)
    return ""


class CallRecord:
    """What one inspected call did: its value, warnings, and the arguments afterwards."""

    def __init__(self, answer):
        self.value = answer["value"]
        self.warnings = answer.get("warnings", [])
        self.args_after = tuple(answer.get("args_after", []))
        self.kwargs_after = answer.get("kwargs_after", {})


class ModuleProxy:
    """Attribute access on a student module, forwarded to the worker."""

    def __init__(self, submission, name):
        self._submission = submission
        self._name = name

    def __getattr__(self, func):
        if func.startswith("_"):
            raise AttributeError(func)

        def call(*args, **kwargs):
            return self._submission.call(self._name, func, *args, **kwargs)

        call.__name__ = func
        return call


class Submission:
    """The hidden tests' handle on one assignment folder of a submission."""

    def __init__(self, folder, call_timeout=DEFAULT_CALL_TIMEOUT):
        self.folder = Path(folder)
        self.call_timeout = call_timeout
        self.worker = Worker(self.folder)

    def module(self, name):
        """A proxy whose attributes call the functions of the student's module ``name``."""
        return ModuleProxy(self, name)

    def call(self, module, func, *args, timeout=None, **kwargs):
        """Call ``module.func(*args, **kwargs)`` in the worker and return its value."""
        message = {"op": "call", "module": module, "func": func, "args": list(args), "kwargs": kwargs}
        return self._run(message, timeout)["value"]

    def inspect_call(self, module, func, *args, timeout=None, **kwargs):
        """Like ``call``, but return a ``CallRecord`` with warnings and the arguments afterwards."""
        message = {"op": "call", "module": module, "func": func, "args": list(args), "kwargs": kwargs, "inspect": True}
        return CallRecord(self._run(message, timeout))

    def get(self, module, attr, timeout=None):
        """The value of a module-level name of the student's module."""
        return self._run({"op": "get", "module": module, "attr": attr}, timeout)["value"]

    def probe(self, probe_function, *args, timeout=120.0, **kwargs):
        """Run a trusted probe function (from a suite's probes.py) in the worker."""
        filename = inspect.getsourcefile(probe_function)
        source = Path(filename).read_text()
        message = {
            "op": "probe",
            "source": source,
            "filename": Path(filename).name,
            "func": probe_function.__name__,
            "args": list(args),
            "kwargs": kwargs,
        }
        return self._run(message, timeout)["value"]

    def _run(self, message, timeout):
        answer = self.worker.request(message, timeout or self.call_timeout)
        if type(answer) is not dict or type(answer.get("ok")) is not bool:
            self.worker.stop()
            raise NotPlainData(f"{_describe(message)} sent back an answer of the wrong form.")
        if not answer["ok"]:
            error = str(answer.get("error", "unknown error"))
            trace = str(answer.get("traceback", ""))
            if error.startswith("returned a value that is not plain data"):
                raise NotPlainData(f"{_describe(message)} {error}")
            note = explain(error, self.worker.skipped)
            raise StudentCodeError(f"{_describe(message)} raised {error}{note}\n{trace}".rstrip())
        return answer

    def close(self):
        self.worker.stop()
