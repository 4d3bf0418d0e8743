"""Run a command as an unprivileged user, as the grader runs on a laptop or a CI runner without sudo.

When the tests run as root, the command runs as ``nobody`` (uid 65534, no groups, no capabilities)
inside a private mount namespace (made with the grader's own bwrap) that looks like the host, except
that folders nobody could not traverse on the way to this Python installation, its virtual
environment and the repository are replaced by empty ones with just those paths mounted back. The
grader inside then uses bubblewrap the unprivileged way (a user namespace), exactly as it would for
a student on a laptop. When the tests already run unprivileged, the command runs as it is.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from grader.paths import REPO
from grader.sandbox.isolation import bwrap_path

NOBODY = 65534


def _blocked_ancestor(path):
    """The topmost folder above ``path`` that others cannot enter (None when every one can)."""
    for parent in reversed(Path(path).parents):
        if parent != Path("/") and not os.stat(parent).st_mode & 0o001:
            return parent
    return None


def _hide_and_mount_back(paths):
    """bwrap options: an empty tmpfs over each blocked folder, with the needed paths bound back."""
    args, covered, made = [], set(), set()
    for path in sorted(set(paths)):
        blocked = _blocked_ancestor(path)
        if blocked is None:
            continue
        if blocked not in covered:
            args += ["--perms", "0755", "--tmpfs", str(blocked)]
            covered.add(blocked)
        for parent in reversed(Path(path).parents):
            if blocked in parent.parents or parent == blocked:
                if parent != blocked and parent not in made:
                    args += ["--perms", "0755", "--dir", str(parent)]
                    made.add(parent)
        args += ["--ro-bind", path, path]
    return args


def unprivileged_argv(argv):
    """``argv`` wrapped so that it runs as an unprivileged user (unchanged when not root)."""
    if os.geteuid() != 0:
        return list(argv)
    needed = [os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), str(REPO)]
    drop = ([shutil.which("setpriv"), f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--inh-caps=-all"]
            if shutil.which("setpriv") else
            [sys.executable, "-c", f"import os, sys; os.setgroups([]); os.setresgid({NOBODY}, {NOBODY}, {NOBODY}); "
                                   f"os.setresuid({NOBODY}, {NOBODY}, {NOBODY}); os.execvp(sys.argv[1], sys.argv[1:])"])
    return ([bwrap_path(), "--dev-bind", "/", "/", *_hide_and_mount_back(needed),
             "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP",
             "--", *drop, *argv])


def run_unprivileged(argv, cwd, env=None, timeout=600):
    """Run ``argv`` as an unprivileged user; return the CompletedProcess (text output)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_SANDBOX")}
    environment.update(env or {}, HOME=str(cwd), TMPDIR="/tmp", PYTHONPATH=str(REPO))
    return subprocess.run(unprivileged_argv(argv), cwd=cwd, env=environment, capture_output=True, text=True,
                          timeout=timeout)


def writable_by_nobody(path):
    """Give a test's folder (and what it holds) to the unprivileged user; it must be able to reach it."""
    path = Path(path)
    if os.geteuid() == 0:
        for item in [path, *path.rglob("*")]:
            os.chown(item, NOBODY, NOBODY, follow_symlinks=False)
        blocked = _blocked_ancestor(path / "x")
        assert blocked is None, f"the unprivileged user cannot enter {blocked}: work in a folder it can reach"
    return path
