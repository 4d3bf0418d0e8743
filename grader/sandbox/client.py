"""The grader's end of the trust boundary: workers that run student code, and the tests' handle.

``Worker`` starts the runtime (``worker.py``) in the sandbox of ``isolation.py`` on the bounded copy
of a submission and exchanges framed plain-data messages with it over two private pipes. Anything
malformed on the pipe, an answer to another request, a worker that dies or one that does not
answer in time ends that worker with a message; the grader itself never fails because of it.

``Submission`` is what hidden tests and notebook checks see (the ``student`` fixture). Every
call is forwarded to the worker; results come back as exact builtin types and exact
``np.ndarray``, or stay in the worker as ``Remote`` objects the test can call further. The
grader's own objects (``Submission.callback``) reach student code as proxies whose calls come
back here. A call that raises, times out, kills the worker or returns something that is not
plain data fails the calling test with a message naming the call; the worker restarts for the
next one. A module that cannot be imported (or hangs while importing) is tried once: every
later call into it fails at once with the same message. So is a function (or method) stopped
at its time limit: later calls of it fail at once, so that an endless loop costs its limit once
and the rest of the submission is still graded.

Time limits count the student's work, not the machine's load. A request may use a number of
seconds of CPU time (``TimeLimit.cpu``): user and system time of every process of its worker
(the sandbox's bwrap processes, the Python runtime with all its threads, whatever it started,
and the children they reaped), which the grader reads from the host's ``/proc`` while it waits
(``ProcessTree``). A correct call on a busy machine waits longer for a CPU but uses no more CPU
time, so it is never stopped. Code that waits (a sleep, ``input()``, a lock) uses no CPU time: a
wall-clock backstop (``TimeLimit.wall``, by default the CPU limit plus ``WALL_ALLOWANCE`` seconds
of sleeping or blocking) stops it; neither the time the worker's main thread or the grader spent
ready to run but waiting for a CPU (``/proc/<pid>/schedstat``) nor the grader's own time answering
callbacks counts toward it. Where ``/proc`` cannot tell (not Linux), wall time stands in for CPU time.
Sending a request, or the answer to a callback, counts under the same limits as waiting for the
answer: a worker that stops reading (a thread of the student's holds the interpreter, the process
stopped itself) is stopped at its CPU limit or its backstop, with a message naming what was sent.

A ``Submission`` starts its worker at once (``Worker.launch``) and waits for it at its first request,
so that the worker's start (bwrap, Python, the trusted packages it preloads: ``preloads``) overlaps
with the grader's own work.

Why the grader measures and not the worker or the kernel alone: the worker runs student code, so
anything it reports about itself could be forged or never sent (an endless loop sends nothing);
``RLIMIT_CPU`` counts one process (not the processes it starts), its soft limit can be raised by
the code it limits, and its hard limit can only go down, so it cannot be reset for each call. It
stays as the backstop over a worker's whole life (``isolation.LIMITS["cpu"]``).
"""

import contextlib
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from grader.sandbox import codec
from grader.sandbox.copying import copy_submission, link_feedback
from grader.sandbox.isolation import LIMITS, launch, sandbox_mode

DEFAULT_CPU_LIMIT = 20.0     # seconds of CPU time per call, when neither the Submission nor the call says
WALL_ALLOWANCE = 30.0        # the wall-clock backstop: the CPU limit plus this much sleeping or blocking
                             # (time spent waiting for a CPU never counts, so a busy machine cannot reach it)
STARTUP_CPU_LIMIT = 60.0     # starting a worker (bwrap, Python, numpy, copying the submission)
IMPORT_CPU_LIMIT = 30.0      # importing a student module (its top-level code runs then)
IMPORT_WALL_LIMIT = 30.0     # an import that sleeps is stopped here (its top-level code needs CPU, not sleep)
# Trusted packages a worker imports while it starts, before the submission is on its path, when the
# submission's own files import them (so that its first import finds them loaded): torch costs 1.6 s of
# CPU time, numpy (which the worker's codec imports anyway) 0.1 s, IPython's shell (every notebook
# worker's) 0.2 s, measured on this project's 2-core machine. The a1 and a2 modules import numpy only.
PRELOADS = {"torch": re.compile(rb"\b(?:import|from)\s+torch\b")}
NOTEBOOK_PRELOADS = ("IPython.core.interactiveshell",)
PRELOAD_SCAN_FILES, PRELOAD_SCAN_BYTES = 50, 1 << 20   # which of a submission's files are read, and how much
LOG_TAIL_BYTES = 2000
MAX_MESSAGE_CHARS = 2000
MAX_TRACEBACK_CHARS = 3000
VALUE, HANDLE = "value", "handle"


class SubmissionFailure(AssertionError):
    """The submission did not give a usable answer; the message is the student's feedback."""


class StudentCodeError(SubmissionFailure):
    """The student's code raised an exception.

    ``exc_type`` is the qualified name of its class (e.g. "builtins.ValueError"), ``exc_mro`` the
    qualified names of its class and every base, and ``exc_message`` its own message (``str`` of the
    exception, cut), as the worker reported them.
    """

    def __init__(self, message, exc_type="", exc_mro=(), exc_message=""):
        super().__init__(message)
        self.exc_type, self.exc_mro, self.exc_message = exc_type, tuple(exc_mro), exc_message

    def is_a(self, exception_class):
        """True when the student's exception is an instance of the builtin ``exception_class``."""
        return f"{exception_class.__module__}.{exception_class.__qualname__}" in self.exc_mro


class CallTimeout(SubmissionFailure):
    """The student's code did not answer within its time limit.

    ``kind`` is "cpu" (it used up its CPU time) or "wall" (it waited past the wall-clock backstop);
    ``limit`` is the limit it reached, in seconds.
    """

    def __init__(self, message, kind="cpu", limit=None):
        super().__init__(message)
        self.kind, self.limit = kind, limit

    def again(self):
        """A new exception with the same message (for a call refused because an earlier one was stopped)."""
        return CallTimeout(str(self), self.kind, self.limit)


class WorkerCrashed(SubmissionFailure):
    """The worker process died (os._exit, segfault, memory limit, ...) or broke the channel."""


class NotPlainData(SubmissionFailure):
    """The student's code returned something that cannot cross the boundary."""


class LostObject(SubmissionFailure):
    """A Remote whose worker has restarted since (after an earlier failure)."""


def _cut(text, limit):
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f" ... [{len(text) - limit} more characters cut]"


class TimeLimit:
    """What one request may use: ``cpu`` seconds of CPU time and, as a backstop, ``wall`` seconds of waiting.

    ``wall`` defaults to ``cpu`` plus ``WALL_ALLOWANCE``: a call may use its whole CPU time and, besides,
    sleep or block for WALL_ALLOWANCE seconds; time spent waiting for a CPU is not counted.
    """

    def __init__(self, cpu, wall=None):
        self.cpu = float(cpu)
        self.wall = float(wall) if wall is not None else self.cpu + WALL_ALLOWANCE


try:
    _TICKS = os.sysconf("SC_CLK_TCK")
except (AttributeError, ValueError, OSError):
    _TICKS = 100


def _parse_stat(data):
    """``(parent pid, CPU ticks, start time)`` from the bytes of a ``/proc/<pid>/stat``.

    The CPU ticks are user + system time of all its threads and of the children it has reaped.
    """
    fields = data[data.rindex(b")") + 2:].split()   # the command name may hold spaces and ")"
    return int(fields[1]), sum(int(f) for f in fields[11:15]), int(fields[19])


def _stat(pid):
    """``_parse_stat`` of process ``pid`` now, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            return _parse_stat(file.read())
    except (OSError, ValueError, IndexError):
        return None


def _pread(fd):
    """The current content of an open ``/proc`` file (None once its process is gone)."""
    try:
        return os.pread(fd, 4096, 0) or None
    except OSError:
        return None


def _queue_seconds(fd):
    """Run-queue wait (seconds) from an open ``/proc/.../schedstat`` (0 when it cannot be read)."""
    try:
        return int((_pread(fd) or b"").split()[1]) / 1e9
    except (ValueError, IndexError):
        return 0.0


_own_schedstat = threading.local()


def own_queue_wait():
    """Seconds the calling thread of the grader has spent ready to run but waiting for a CPU (0 when unknown)."""
    kept = getattr(_own_schedstat, "kept", None)
    if kept is None or kept[0] != os.getpid():   # a forked grader process has threads of its own
        try:
            kept = (os.getpid(), os.open("/proc/thread-self/schedstat", os.O_RDONLY | os.O_CLOEXEC))
        except OSError:
            kept = (os.getpid(), None)
        _own_schedstat.kept = kept
    return 0.0 if kept[1] is None else _queue_seconds(kept[1])


class ProcessTree:
    """A worker's processes as the host's ``/proc`` shows them (the grader reads; the worker cannot forge it).

    ``root`` is the process the grader started (bwrap, or the runtime itself without a sandbox).
    Every process in the sandbox descends from it: orphans are adopted by the sandbox's own init.
    The ``/proc/<pid>/stat`` file of each process found stays open and is read again at offset 0
    for every reading (``os.pread``): 1.3 us against 6.5 us for opening, reading and closing it,
    measured on this project's 2-core machine. An open file keeps naming its process: once that
    process is gone, reading fails, even if another process gets its pid.
    """

    def __init__(self, root):
        self.root = root
        self.stat_files = {}   # pid -> open /proc/<pid>/stat, for the root and each descendant found
        self.main = None       # host pid of the runtime's process, whose main thread runs student code
        self.schedstat = None  # its open /proc/<pid>/schedstat
        self.refresh()

    def refresh(self):
        """Find the root's descendants now (one pass over ``/proc``): processes come and go."""
        try:
            names = [int(n) for n in os.listdir("/proc") if n.isdigit()]
        except OSError:
            return
        children, starts = {}, {}
        for pid in names:
            stat = _stat(pid)
            if stat is not None:
                children.setdefault(stat[0], []).append(pid)
                starts[pid] = stat[2]
        found, todo = set(), [self.root] if self.root in starts else []
        while todo:
            pid = todo.pop()
            if pid not in found:
                found.add(pid)
                todo.extend(children.get(pid, ()))
        for pid in list(self.stat_files):
            if pid not in found or _pread(self.stat_files[pid]) is None:   # gone, or its pid is another's now
                os.close(self.stat_files.pop(pid))
        for pid in found - set(self.stat_files):
            self._open(pid, starts[pid])

    def _open(self, pid, start):
        """Keep ``/proc/<pid>/stat`` open, if it still is the process that started at ``start``."""
        try:
            fd = os.open(f"/proc/{pid}/stat", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return
        try:
            if _parse_stat(_pread(fd) or b"")[2] == start:   # a reused pid is another process
                self.stat_files[pid], fd = fd, None
        except (ValueError, IndexError):
            pass
        if fd is not None:
            os.close(fd)

    def cpu(self):
        """Seconds of CPU time the known processes have used (None when ``/proc`` cannot tell).

        A process that ended and was reaped moved its time into its parent's, so the sum only grows.
        """
        total, seen = 0, False
        for fd in self.stat_files.values():
            data = _pread(fd)
            if data is not None:
                try:
                    total += _parse_stat(data)[1]
                except (ValueError, IndexError):
                    continue
                seen = True
        return total / _TICKS if seen else None

    def find_main(self, inner_pid):
        """Remember which known process is ``inner_pid`` in the sandbox (the runtime's own pid, as it said)."""
        self._close_main()
        for pid in self.stat_files:
            try:
                with open(f"/proc/{pid}/status") as file:
                    line = next((line for line in file if line.startswith("NSpid:")), "")
            except OSError:
                continue
            if line.split()[-1:] == [str(inner_pid)]:
                try:
                    self.schedstat = os.open(f"/proc/{pid}/schedstat", os.O_RDONLY | os.O_CLOEXEC)
                except OSError:
                    return
                self.main = pid
                return

    def queue_wait(self):
        """Seconds the runtime's main thread has spent ready to run but waiting for a CPU (0 when unknown)."""
        return 0.0 if self.schedstat is None else _queue_seconds(self.schedstat)

    def _close_main(self):
        if self.schedstat is not None:
            os.close(self.schedstat)
        self.main = self.schedstat = None

    def close(self):
        """Close every file kept open."""
        self._close_main()
        for fd in self.stat_files.values():
            os.close(fd)
        self.stat_files = {}


class Watch:
    """The time one request has used, checked while the grader sends it and waits for its answer.

    Wall time counts toward the backstop (``waited``) but for the time either side spent ready to run
    but waiting for a CPU: the worker's main thread (``ProcessTree.queue_wait``) and the grader's own
    thread (while the grader waits for a CPU the worker may be waiting for the grader, e.g. for the
    rest of a large request), and but for the grader's own work (``excusing``). Where both waited for
    a CPU at once, that time is left out twice: the backstop is then lenient, never early.
    """

    def __init__(self, tree, limit):
        self.tree, self.limit = tree, limit
        self.cpu_start = tree.cpu()
        self.excused = 0.0         # the grader's own time (answering callbacks): not the student's
        self.excused_queue = 0.0   # how much of it the grader spent waiting for a CPU
        self.interval = min(1.0, max(0.1, limit.cpu / 20))
        self.restart_clock()

    def restart_clock(self):
        """Count wall time from now (a worker started earlier is waited for from its first request on)."""
        self.queue_start, self.own_queue_start = self.tree.queue_wait(), own_queue_wait()
        self.start = self.checked = time.monotonic()

    @contextlib.contextmanager
    def excusing(self):
        """The block is the grader's own work (answering a callback): its time counts toward no limit."""
        started, queued = time.monotonic(), own_queue_wait()
        try:
            yield
        finally:
            self.excused += time.monotonic() - started
            self.excused_queue += own_queue_wait() - queued

    def cpu_used(self):
        now = self.tree.cpu()
        if now is None or self.cpu_start is None:
            return self.elapsed()   # /proc cannot tell: wall time stands in
        return max(0.0, now - self.cpu_start)

    def elapsed(self):
        return time.monotonic() - self.start - self.excused

    def queued(self):
        """Seconds either side spent waiting for a CPU since the start (outside the grader's own work)."""
        worker = max(0.0, self.tree.queue_wait() - self.queue_start)
        grader = max(0.0, own_queue_wait() - self.own_queue_start - self.excused_queue)
        return worker + grader

    def waited(self):
        """Wall time that counts toward the backstop: not the time spent waiting for a CPU."""
        return self.elapsed() - self.queued()

    def over(self):
        """None while within the limits; "cpu" or "wall" once one is used up (looked at every ``interval``)."""
        now = time.monotonic()
        if now - self.checked < self.interval:
            return None
        self.checked = now
        self.tree.refresh()
        if self.cpu_used() > self.limit.cpu:
            return "cpu"
        if self.waited() > self.limit.wall:
            return "wall"
        return None


def _seconds(value):
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def _timeout(what, kind, watch):
    limit = watch.limit
    if kind == "cpu":
        return CallTimeout(f"{what} used more than {_seconds(limit.cpu)} s of CPU time, its time limit: an endless "
                           "loop? Look for a loop that never reaches its end condition, or work that grows much "
                           "faster than it should.", "cpu", limit.cpu)
    return CallTimeout(f"{what} did not finish within its time limit: it ran for more than {_seconds(limit.wall)} s "
                       f"while using only {watch.cpu_used():.1f} s of CPU time. Look for input(), sleeps, or waiting "
                       "for something that never happens.", "wall", limit.wall)


def preloads(staging, notebook):
    """The packages a worker for ``staging`` imports while it starts (see ``PRELOADS``).

    Looks at the submission's top-level modules, and its notebooks for a notebook worker (as text:
    nothing of it runs here). Only an optimisation: a package it misses is imported when the student's
    code imports it; one it preloads in vain costs start-up time.
    """
    wanted = set()
    try:
        entries = sorted(e for e in os.listdir(staging) if e.endswith((".py", ".ipynb") if notebook else ".py"))
    except OSError:
        entries = []
    for name in entries[:PRELOAD_SCAN_FILES]:
        path = Path(staging) / name
        try:
            if path.is_symlink() or not path.is_file():
                continue
            with open(path, "rb") as file:
                text = file.read(PRELOAD_SCAN_BYTES)
        except OSError:
            continue
        wanted.update(package for package, pattern in PRELOADS.items() if pattern.search(text))
    return [*sorted(wanted), *(NOTEBOOK_PRELOADS if notebook else ())]


def _unread(sending, kind, watch, sent, total):
    """The failure of a worker that stopped reading while ``sending`` was written (``sent`` of ``total`` bytes)."""
    limit = watch.limit
    if kind == "cpu":
        meanwhile = f"used more than {_seconds(limit.cpu)} s of CPU time meanwhile, its time limit"
    else:
        meanwhile = (f"did not read for more than {_seconds(limit.wall)} s while using only {watch.cpu_used():.1f} s "
                     "of CPU time")
    return WorkerCrashed(f"{sending[0].upper()}{sending[1:]} could not be sent: the worker running your code stopped "
                         f"reading it ({sent} of {total} bytes read) and {meanwhile}; it was stopped. Look for code "
                         "of yours that keeps running in the background (a thread you started, a signal handler) "
                         "and holds up the rest of the program.")


class Worker:
    """One worker process on a staging copy (made once per grading, see ``copy_submission``).

    ``launch`` starts the process and returns at once (the runtime then imports its packages while the
    grader does other work); the first request waits for its "ready".
    """

    def __init__(self, staging, notebook=False):
        self.staging = Path(staging)
        self.notebook = notebook
        self.process = None
        self.tmp = None
        self.generation = 0
        self.next_id = 0
        self.callbacks = {}
        self.unused = []   # numbers of kept objects no Remote refers to any more
        self.tree = None
        self.booting = None   # the Watch of a launched worker whose "ready" has not been read yet
        self.inbox = bytearray()   # bytes read from the worker and not yet taken as a frame
        self.last_cpu = self.last_waited = 0.0   # what the last request used (see Watch)

    # -- life --------------------------------------------------------------------------------

    def launch(self):
        """Start the worker process without waiting for it (its start-up time counts from now)."""
        mode = sandbox_mode()[0]
        self.tmp = Path(tempfile.mkdtemp(prefix="grader-worker-"))
        os.chmod(self.tmp, 0o755)
        self.log_path = self.tmp / "output.log"
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        options = {"notebook": self.notebook, "preload": preloads(self.staging, self.notebook)}
        plan = launch(mode, self.staging, (to_worker_r, from_worker_w), options, self.tmp)
        try:
            with open(self.log_path, "wb") as log:
                self.process = subprocess.Popen(plan.argv, env=plan.env, stdin=subprocess.DEVNULL, stdout=log,
                                                stderr=subprocess.STDOUT, pass_fds=plan.pass_fds,
                                                start_new_session=True, cwd=self.tmp)
        except BaseException:
            for fd in (to_worker_w, from_worker_r):
                os.close(fd)
            raise
        finally:
            os.close(to_worker_r)
            os.close(from_worker_w)
        self.writer_fd, self.reader_fd = to_worker_w, from_worker_r
        for fd in (self.writer_fd, self.reader_fd):   # the grader's ends only: the worker's stay blocking
            os.set_blocking(fd, False)
        self.inbox = bytearray()
        self.generation += 1
        self.imported = set()
        self.unused = []
        self.tree = ProcessTree(self.process.pid)
        self.booting = Watch(self.tree, TimeLimit(STARTUP_CPU_LIMIT))

    def _await_ready(self):
        """Read the launched worker's "ready"; then know which process runs student code."""
        watch, self.booting = self.booting, None
        watch.restart_clock()   # its CPU time counts from the launch, its waiting from now
        answer = self._await(0, watch, "starting the worker")
        if answer.get("value") != "ready":
            raise self._broken("starting the worker", "it did not say it was ready")
        self.tree.refresh()
        if type(answer.get("pid")) is int:   # said before any student code ran: trusted
            self.tree.find_main(answer["pid"])

    def alive(self):
        return self.process is not None

    def stop(self):
        """Kill the worker and everything it started; remove its folder."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            self.process = None
            for fd in (self.writer_fd, self.reader_fd):
                try:
                    os.close(fd)
                except OSError:
                    pass
        if self.tree is not None:
            self.tree.close()
        self.booting = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    # -- messages ----------------------------------------------------------------------------

    def request(self, message, limit, what):
        """Send one request and return the decoded answer (a dict with "ok").

        ``limit`` is a ``TimeLimit`` for sending the request and waiting for its answer; ``last_cpu`` and
        ``last_waited`` are then the CPU time the request used and its wall time that counts toward the
        backstop (``Watch.waited``).
        """
        if self.process is None:
            self.launch()
        if self.booting is not None:
            self._await_ready()
        self.next_id += 1
        message = dict(message, id=self.next_id, release=self.unused[:])
        self.unused.clear()
        try:
            payload = codec.encode(message, path="argument", extra=self._encode_extra)
        except codec.WireError as exc:
            raise NotPlainData(f"{what}: an argument cannot be sent ({exc}).") from None
        watch = Watch(self.tree, limit)
        self._send(payload, watch, what, f"the request of {what}")
        return self._await(self.next_id, watch, what)

    def _send(self, payload, watch, what, sending):
        """Write one frame to the worker, under ``watch``: a worker that stops reading meets its limits.

        ``sending`` names the message in the failure ("the request of `mod.f`(...)").
        """
        data = memoryview(codec.frame(payload))
        total = len(data)
        while data:
            try:
                written = os.write(self.writer_fd, data[: 1 << 20])
            except BlockingIOError:   # the pipe is full: the worker has not read yet
                written = 0
            except OSError:
                raise self._crashed(f"before {what} was sent") from None
            data = data[written:]
            if data and not written:
                self._check(watch, what, sending, total - len(data), total)
                select.select([], [self.writer_fd], [], watch.interval)

    def _check(self, watch, what, sending=None, sent=0, total=0):
        """Stop the worker when ``watch`` is over a limit (while waiting for an answer, or to send ``sending``)."""
        kind = watch.over()
        if kind is None:
            return
        self.last_cpu, self.last_waited = watch.cpu_used(), watch.waited()
        failure = _timeout(what, kind, watch) if sending is None else _unread(sending, kind, watch, sent, total)
        self.stop()
        raise failure

    def _await(self, request_id, watch, what):
        """Read frames until the answer to ``request_id``, serving the grader's callbacks meanwhile."""
        while True:
            data = self._read_frame(watch, what)
            try:
                message = codec.decode(data, {"h": self._handle_from_worker})
            except codec.WireError as exc:
                raise self._broken(what, f"it sent a malformed message ({exc})") from None
            if type(message) is not dict:
                raise self._broken(what, "it sent something that is not a message")
            if "callback" in message:
                self._serve_callback(message, watch, what)
                continue
            if message.get("id") != request_id or type(message.get("ok")) is not bool:
                raise self._broken(what, "it sent an answer that does not belong to this request")
            self.last_cpu, self.last_waited = watch.cpu_used(), watch.waited()
            return message

    def _read_frame(self, watch, what):
        prefix = self._read_exact(codec.FRAME.size, watch, what)
        try:
            size = codec.frame_length(prefix)
        except codec.WireError as exc:
            raise self._broken(what, str(exc)) from None
        return self._read_exact(size, watch, what)

    def _read_exact(self, n, watch, what):
        """The next ``n`` bytes from the worker (reading as much as it has sent: a frame usually comes whole)."""
        while len(self.inbox) < n:
            self._check(watch, what)
            try:
                chunk = os.read(self.reader_fd, min(max(n - len(self.inbox), 1 << 16), 1 << 20))
            except BlockingIOError:   # nothing yet
                select.select([self.reader_fd], [], [], watch.interval)
                continue
            except OSError:
                chunk = b""
            if not chunk:
                raise self._crashed(f"during {what}")
            self.inbox += chunk
        if len(self.inbox) == n:
            data, self.inbox = bytes(self.inbox), bytearray()
        else:
            data = bytes(self.inbox[:n])
            del self.inbox[:n]
        return data

    # -- objects on either side --------------------------------------------------------------

    def _encode_extra(self, value):
        if type(value) is Remote:
            if value._worker is not self or value._generation != self.generation:
                raise LostObject(_lost_message(value))
            return codec.Tagged("h", value._number)
        if type(value) is Tensor:
            return codec.Tagged("T", value.array)
        if type(value) is Callback:
            number = id(value)
            self.callbacks[number] = value
            return codec.Tagged("c", number, kind=value.kind)
        return None

    def _handle_from_worker(self, number):
        return Remote(self, number, self.generation, f"object #{number}")

    def _serve_callback(self, message, watch, what):
        """Answer a call of student code to one of the grader's objects (the grader's own time is excused)."""
        with watch.excusing():
            payload = self._callback_answer(message)
        self._send(payload, watch, what, f"the answer of the grader's object to a call from {what}")

    def _callback_answer(self, message):
        """The encoded answer of the grader's object to a call from the worker."""
        callback = self.callbacks.get(message.get("callback"))
        try:
            if callback is None:
                raise ValueError("unknown object")
            args, kwargs = message.get("args", []), message.get("kwargs", {})
            if type(args) is not list or type(kwargs) is not dict:
                raise ValueError("malformed call")
            value = callback.serve(str(message.get("method")), args, kwargs, message.get("context") or {})
            return codec.encode({"ok": True, "value": value})
        except Exception as exc:  # noqa: BLE001 - the grader's object refused: tell the student code
            return codec.encode({"ok": False, "error": _cut(f"{type(exc).__name__}: {exc}", 300)})

    # -- failures ----------------------------------------------------------------------------

    def _crashed(self, when):
        code = None
        if self.process is not None:
            try:
                code = self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
        tail = self.output_tail()
        self.stop()
        reason = _exit_reason(code)
        message = f"The worker running your code stopped {when} ({reason})."
        if tail.strip():
            message += f" Last output:\n{tail}"
        return WorkerCrashed(message)

    def _broken(self, what, problem):
        self.stop()
        return WorkerCrashed(f"{what}: the worker running your code broke the grader's channel ({_cut(problem, 300)}); "
                             "it was stopped. Do not write to file descriptors you did not open.")

    def output_tail(self):
        """The last bytes the student's code printed."""
        try:
            with open(self.log_path, "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - LOG_TAIL_BYTES))
                return log.read().decode("utf-8", "replace")
        except (OSError, AttributeError):
            return ""


def _exit_reason(code):
    """How a worker ended, in words (bwrap's init reports a signal as 128 + its number)."""
    if code is None:
        return "unknown"
    number = -code if code < 0 else code - 128 if code > 128 else 0
    if number:
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        what = {"SIGSEGV": "a segmentation fault", "SIGKILL": "killed, e.g. at a memory or process limit",
                "SIGXCPU": "its CPU-time limit", "SIGXFSZ": "its file-size limit", "SIGABRT": "an abort"}.get(name, "")
        return f"signal {number}, {name}" + (f": {what}" if what else "")
    return f"exit status {code}"


class Tensor:
    """An argument that reaches student code as a torch tensor (sent as a numpy array)."""

    def __init__(self, array):
        import numpy as np

        self.array = np.asarray(array)


class Callback:
    """An object of the grader's that student code may call; every call is computed here.

    ``kind`` "module": the worker sees a ``torch.nn.Module`` whose ``forward`` calls
    ``obj.forward(*args, context=..., **kwargs)`` here (``context`` says whether gradients were
    enabled, whether the proxy was in training mode and which inputs required grad). ``kind``
    "function": the worker sees a callable that calls ``obj(*args, **kwargs)``. Arguments arrive as
    plain data (tensors as numpy arrays); the return value must be plain data.
    """

    def __init__(self, obj, kind="function"):
        self.obj, self.kind = obj, kind

    def serve(self, method, args, kwargs, context):
        if self.kind == "module" and method == "forward":
            return self.obj.forward(*args, context=context, **kwargs)
        if self.kind == "function" and method == "__call__":
            return self.obj(*args, **kwargs)
        raise ValueError(f"{method} is not available")


def _lost_message(remote):
    return (f"{remote._what} no longer exists: the worker running your code was restarted after an earlier "
            "failure in this test, so the objects it held are gone.")


def _describe_target(target):
    if "module" in target:
        return "`" + ".".join([target["module"], *target.get("path", [])]) + "`"
    if target.get("namespace"):
        return "`" + ".".join(target.get("path", [])) + "` of your notebook"
    return "`" + ".".join([target.get("label", "<object>"), *target.get("path", [])]) + "`"


def _stop_key(target):
    """The name under which a function stopped at its time limit is remembered (None: not remembered).

    Functions and classes of a module, names of the notebook, and methods of objects named by the call
    that made them (``next_char.CharLM(...).forward``); not notebook cells, not unnamed objects.
    """
    if not target or ("handle" in target and "label" not in target):
        return None
    return _describe_target(target)


def _name_objects(value, label):
    """Give the Remotes in a call's result the name of that call (for messages): ``f(...)``, ``f(...)[1]``."""
    if type(value) is Remote:
        value._what = f"`{label}`"
        value._target["label"] = label
    elif type(value) in (tuple, list):
        for index, item in enumerate(value):
            _name_objects(item, f"{label}[{index}]")


class CallRecord:
    """What one inspected call did: its value, warnings, and the arguments afterwards."""

    def __init__(self, answer):
        self.value = answer["value"]
        self.warnings = [str(w) for w in answer.get("warnings", [])][:20] if type(answer.get("warnings")) is list else []
        after = answer.get("args_after", [])
        self.args_after = tuple(after) if type(after) is list else ()
        kwargs_after = answer.get("kwargs_after", {})
        self.kwargs_after = kwargs_after if type(kwargs_after) is dict else {}


class RemoteCallable:
    """An attribute of a module, of a kept object or of the notebook, not yet fetched.

    Calling it calls it in the worker and returns plain data; ``.remote(...)`` keeps the result
    there; ``.returning(VALUE, HANDLE, ...)(...)`` splits a tuple result; ``.get()`` fetches the
    attribute itself as plain data; ``.handle()`` keeps it; ``.inspect(...)`` returns a CallRecord.
    """

    def __init__(self, submission, target, what=None, owner=None):
        self._submission, self._target = submission, target
        self._what = what or _describe_target(target)
        self._owner = owner  # the Remote this is an attribute of: it stays alive (and kept) meanwhile

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        owner = self if type(self) is Remote else self._owner
        return RemoteCallable(self._submission, dict(self._target, path=[*self._target.get("path", []), name]),
                              owner=owner)

    def __call__(self, *args, timeout=None, **kwargs):
        return self._submission._call(self._target, args, kwargs, VALUE, timeout)

    def remote(self, *args, timeout=None, **kwargs):
        return self._submission._call(self._target, args, kwargs, HANDLE, timeout)

    def returning(self, *spec):
        def call(*args, timeout=None, **kwargs):
            return self._submission._call(self._target, args, kwargs, list(spec), timeout)

        return call

    def inspect(self, *args, timeout=None, **kwargs):
        return CallRecord(self._submission._request("call", self._target, args, kwargs, VALUE, timeout, inspect=True))

    def get(self, timeout=None):
        return self._submission._request("get", self._target, timeout=timeout)["value"]

    def handle(self, timeout=None):
        return self._submission._request("get", self._target, keep=HANDLE, timeout=timeout)["value"]

    def type_name(self, timeout=None):
        return self._submission._request("describe", self._target, timeout=timeout)["value"]["type"]


class Remote(RemoteCallable):
    """An object kept in the worker (a model, a vocabulary, a cache), known here by number.

    Use it as an argument of later calls, call its methods (``model.eval()``), or fetch it
    (``.get()``). It is lost when its worker restarts.
    """

    def __init__(self, worker, number, generation, what):
        self._worker, self._number, self._generation = worker, number, generation
        super().__init__(worker.submission, {"handle": number, "generation": generation}, what)

    def __repr__(self):
        return f"<Remote {self._what}>"

    def __del__(self):
        try:
            if self._worker.generation == self._generation and self._worker.alive():
                self._worker.unused.append(self._number)
        except Exception:  # noqa: BLE001 - at interpreter exit anything may be gone already
            pass


class ModuleProxy(RemoteCallable):
    """Attribute access on a student module (or any module the worker can import)."""

    def __init__(self, submission, name):
        super().__init__(submission, {"module": name})


class Submission:
    """The hidden tests' handle on one assignment folder of a submission.

    ``folder`` is copied once (bounded, see ``copying.py``) unless ``staged`` says it already is a
    copy made by ``copy_submission``, whose ``CopyResult`` may then be given as ``left_out`` (so that
    an import error can mention the links that were left out).

    ``cpu_limit``: seconds of CPU time a call may use unless it says otherwise (the ``timeout=``
    of every call is the same kind of limit); ``wall_limit``: the wall-clock backstop of every
    call (default: ``TimeLimit``'s, from each call's CPU limit). ``cpu_used`` adds up the CPU
    time of all requests so far, ``last_cpu`` is the last one's, ``waited`` adds up their wall time
    that counts toward the backstop (``Watch.waited``); ``stopped`` maps each function
    stopped at its time limit to the failure that every later call of it raises.
    """

    def __init__(self, folder, cpu_limit=DEFAULT_CPU_LIMIT, notebook=False, staged=False, left_out=None,
                 wall_limit=None):
        self.cpu_limit, self.wall_limit = cpu_limit, wall_limit
        self.cpu_used = self.last_cpu = self.waited = 0.0
        self.stopped = {}
        self._own_copy = None
        if staged:
            self.staging, self.copy = Path(folder), left_out
        else:
            self._own_copy = Path(tempfile.mkdtemp(prefix="grader-copy-"))
            os.chmod(self._own_copy, 0o755)
            self.staging = self._own_copy / "submission"
            self.copy = copy_submission(folder, self.staging)
        self.worker = Worker(self.staging, notebook=notebook)
        self.worker.submission = self
        self.failed_imports = {}
        self._launch()

    # -- what tests use ----------------------------------------------------------------------

    def module(self, name):
        """A proxy whose attributes call the functions of the module ``name`` in the worker."""
        return ModuleProxy(self, name)

    def notebook(self, name):
        """A name of the notebook's namespace (notebook workers only)."""
        return RemoteCallable(self, {"namespace": True, "path": [name]})

    def call(self, module, func, *args, timeout=None, **kwargs):
        """Call ``module.func(*args, **kwargs)`` in the worker and return its value."""
        return self._call({"module": module, "path": func.split(".")}, args, kwargs, VALUE, timeout)

    def inspect_call(self, module, func, *args, timeout=None, **kwargs):
        """Like ``call``, but return a ``CallRecord`` with warnings and the arguments afterwards."""
        target = {"module": module, "path": func.split(".")}
        return CallRecord(self._request("call", target, args, kwargs, VALUE, timeout, inspect=True))

    def get(self, module, attr, timeout=None):
        """The value of a module-level name of the student's module."""
        return self._request("get", {"module": module, "path": attr.split(".")}, timeout=timeout)["value"]

    def callback(self, obj, kind="function"):
        """Wrap a grader object so that it can be passed to student code (see ``Callback``)."""
        return Callback(obj, kind)

    def run_cell(self, source, timeout):
        """Run a notebook cell (``timeout``: seconds of CPU time); return None or the error it raised (a dict:
        type, mro, message)."""
        return self._request("run_cell", None, timeout=timeout, source=source)["value"]

    def close(self):
        self.worker.stop()
        if self._own_copy is not None:
            shutil.rmtree(self._own_copy, ignore_errors=True)
            self._own_copy = None

    # -- machinery ---------------------------------------------------------------------------

    def _call(self, target, args, kwargs, keep, timeout):
        return self._request("call", target, args, kwargs, keep, timeout)["value"]

    def _request(self, op, target, args=(), kwargs=None, keep=VALUE, timeout=None, inspect=False, **fields):
        what = _describe_target(target) if target else "running a notebook cell"
        if op == "call":
            what += "(...)"
        key = _stop_key(target)
        self.last_cpu = 0.0
        if key in self.stopped:
            raise self.stopped[key].again()
        if target and "handle" in target and (target.get("generation") != self.worker.generation
                                              or not self.worker.alive()):
            raise LostObject(f"{what}: the object no longer exists: the worker running your code was restarted "
                             "after an earlier failure in this test, so the objects it held are gone.")
        if target and "module" in target:
            self._ensure_imported(target["module"])
        message = {"op": op, "target": target, "keep": keep, **fields}
        if op == "call":
            message.update(args=list(args), kwargs=dict(kwargs or {}), inspect=inspect)
        try:
            answer = self._timed(message, TimeLimit(timeout or self.cpu_limit, self.wall_limit), what)
        except CallTimeout as exc:
            if key is None:
                raise
            failure = CallTimeout(f"{exc} Later calls of {key} fail at once with this message, so that the rest "
                                  "of your work is still graded.", exc.kind, exc.limit)
            self.stopped[key] = failure
            raise failure from None
        if not answer["ok"]:
            raise self._failure(what, answer.get("error"))
        if keep != VALUE:
            _name_objects(answer["value"], what.strip("`").replace("`", ""))
        return answer

    def _ensure_imported(self, module):
        if module in self.failed_imports:
            raise self.failed_imports[module]
        if self.worker.alive() and module in self.worker.imported:
            return
        what = f"importing `{module}`"
        limit = TimeLimit(IMPORT_CPU_LIMIT, IMPORT_WALL_LIMIT)
        try:
            answer = self._timed({"op": "import", "module": module}, limit, what)
        except CallTimeout as exc:
            used = (f"it used more than {_seconds(limit.cpu)} s of CPU time" if exc.kind == "cpu"
                    else f"it ran for more than {_seconds(limit.wall)} s")
            failure = CallTimeout(f"Importing your module `{module}` did not finish within its time limit ({used}): "
                                  "code at the top level of a module runs on import; move slow work (training, "
                                  "loops, sleeps, input()) into functions or under `if __name__ == \"__main__\":`.",
                                  exc.kind, exc.limit)
            self.failed_imports[module] = failure
            raise failure from None
        if not answer["ok"]:
            failure = self._failure(what, answer.get("error"))
            self.failed_imports[module] = failure
            raise failure
        self.worker.imported.add(module)

    def _launch(self):
        """Start a worker now, without waiting for it: it starts while the grader goes on (the next request waits)."""
        try:
            self.worker.launch()
        except Exception:  # noqa: BLE001 - the next request starts it again and reports what goes wrong
            self.worker.stop()

    def _timed(self, message, limit, what):
        """``worker.request``, adding up the time used (also by a request stopped at its limit).

        A request that ended its worker (a crash, a time limit) launches the next one at once: it starts
        while the grader reports the failure.
        """
        self.worker.last_cpu = self.worker.last_waited = 0.0
        try:
            return self.worker.request(message, limit, what)
        finally:
            self.last_cpu = self.worker.last_cpu
            self.cpu_used += self.worker.last_cpu
            self.waited += self.worker.last_waited
            if not self.worker.alive():
                self._launch()

    def _failure(self, what, error):
        if type(error) is not dict:
            error = {}
        message = _cut(error.get("message", "an unknown error"), MAX_MESSAGE_CHARS)
        trace = _cut(error.get("traceback", ""), MAX_TRACEBACK_CHARS)
        kind = error.get("kind")
        mro = [str(n)[:200] for n in error.get("mro", [])][:50] if type(error.get("mro")) is list else []
        if kind == "not_plain":
            return NotPlainData(f"{what} {message}")
        if kind == "lost_handle":
            return LostObject(f"{what}: an object it needs no longer exists (the worker restarted after an "
                              "earlier failure in this test).")
        note = explain(message, self.copy.links if self.copy else [])
        own = message.split(": ", 1)[1] if ": " in message else ""
        return StudentCodeError(f"{what} raised {message}{note}\n{trace}".rstrip(), str(error.get("type", ""))[:200],
                                mro, own)


def explain(error, links):
    """A sentence on the likely cause of some errors that are not bugs in the student's logic."""
    if "[Errno 27] File too large" in error:
        limit = LIMITS["fsize"] >> 20
        return (f"\nYour code printed or wrote more than {limit} MiB of output, the limit per file: "
                "remove the prints inside loops.")
    if links and ("ModuleNotFoundError" in error or "FileNotFoundError" in error):
        return "\n" + link_feedback(links)
    return ""
