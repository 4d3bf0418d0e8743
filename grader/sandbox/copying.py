"""A bounded copy of a submission folder: the only form in which the grader reads student files.

The copy walks the folder without recursion and without following any link, opening every entry
relative to its parent folder's descriptor with ``O_NOFOLLOW``, and keeps only regular files and
folders whose names are valid UTF-8. It stops at fixed limits on the number of files, the bytes
copied, the depth and the time taken. Whatever it leaves out is listed, and ``CopyResult.notes``
says so in one sentence per kind, for the student's feedback. A tree of symbolic-link loops, a
million files or a thousand nested folders is therefore graded (on what was copied), never fatal.

The copy is made once per grading; every worker of that grading starts from it.
"""

import hashlib
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

IGNORED = {"__pycache__", ".ipynb_checkpoints", ".git", ".pytest_cache"}
MAX_FILES = 1000
MAX_BYTES = 64 << 20
MAX_FILE_BYTES = 32 << 20
MAX_DEPTH = 12
MAX_SECONDS = 60.0


@dataclass
class CopyResult:
    """What a bounded copy took and what it left out (relative paths, printable)."""

    files: list = field(default_factory=list)
    links: list = field(default_factory=list)
    bad_names: list = field(default_factory=list)
    special: list = field(default_factory=list)
    too_deep: list = field(default_factory=list)
    too_big: list = field(default_factory=list)
    stopped: str = ""

    def notes(self):
        """One sentence per kind of left-out entry ('' when nothing was left out)."""
        out = []
        if self.links:
            out.append(link_feedback(self.links))
        if self.bad_names:
            out.append(f"Left out {len(self.bad_names)} file(s) whose names are not valid UTF-8 "
                       f"({', '.join(self.bad_names[:3])}): rename them.")
        if self.special:
            out.append(f"Left out {len(self.special)} entries that are not regular files "
                       f"({', '.join(self.special[:3])}).")
        if self.too_deep:
            out.append(f"Left out what lies more than {MAX_DEPTH} folders deep ({', '.join(self.too_deep[:3])}).")
        if self.too_big:
            out.append(f"Left out {len(self.too_big)} file(s) over {MAX_FILE_BYTES >> 20} MiB "
                       f"({', '.join(self.too_big[:3])}).")
        if self.stopped:
            out.append(self.stopped)
        return " ".join(out)


def link_feedback(links):
    """The message a student reads about left-out links ('' when there are none)."""
    if not links:
        return ""
    names = ", ".join(links[:5])
    return (f"Ignored {len(links)} symbolic link(s) in your submission ({names}): the grader never follows "
            "links; commit the files themselves, not links to them.")


def _printable(parts):
    return "/".join(p.decode("utf-8", "backslashreplace") for p in parts)


def copy_submission(source, destination):
    """Copy the folder ``source`` into the new folder ``destination`` within the limits.

    Folders are created 0755 and files 0644, so that a sandboxed worker of another uid can read
    them. Returns a ``CopyResult``. Raises ``FileNotFoundError`` when ``source`` is not a folder.
    """
    result = CopyResult()
    start, copied = time.monotonic(), 0
    top = os.open(os.fsencode(source), os.O_RDONLY | os.O_DIRECTORY)
    destination = Path(destination)
    destination.mkdir(mode=0o755, parents=True)
    os.chmod(destination, 0o755)
    stack = [(top, (), destination)]
    try:
        while stack:
            folder_fd, parts, target = stack.pop()
            try:
                with os.scandir(folder_fd) as entries:
                    names = sorted(entry.name for entry in entries)
            except OSError:
                os.close(folder_fd)
                continue
            for raw in (os.fsencode(n) for n in names):
                if result.stopped:
                    break
                if time.monotonic() - start > MAX_SECONDS:
                    result.stopped = f"Copying your submission took longer than {MAX_SECONDS:g} s; the rest was left out."
                    break
                path = parts + (raw,)
                try:
                    name = raw.decode("utf-8")
                except UnicodeDecodeError:
                    result.bad_names.append(_printable(path))
                    continue
                if name in IGNORED:
                    continue
                try:
                    info = os.stat(raw, dir_fd=folder_fd, follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISLNK(info.st_mode):
                    result.links.append(_printable(path))
                elif stat.S_ISDIR(info.st_mode):
                    if len(path) > MAX_DEPTH:
                        result.too_deep.append(_printable(path))
                        continue
                    try:
                        child = os.open(raw, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=folder_fd)
                    except OSError:
                        continue
                    (target / name).mkdir(mode=0o755)
                    os.chmod(target / name, 0o755)
                    stack.append((child, path, target / name))
                elif stat.S_ISREG(info.st_mode):
                    if info.st_size > MAX_FILE_BYTES:
                        result.too_big.append(_printable(path))
                        continue
                    if len(result.files) >= MAX_FILES or copied + info.st_size > MAX_BYTES:
                        result.stopped = (f"Your submission holds more than {MAX_FILES} files or "
                                          f"{MAX_BYTES >> 20} MiB; only the first were copied.")
                        break
                    copied += _copy_file(folder_fd, raw, target / name, MAX_FILE_BYTES)
                    result.files.append(_printable(path))
                else:
                    result.special.append(_printable(path))
            os.close(folder_fd)
    finally:
        for folder_fd, _, _ in stack:
            os.close(folder_fd)
    return result


def _copy_file(folder_fd, raw, target, limit):
    """Copy one regular file (opened without following links); return the bytes copied."""
    try:
        fd = os.open(raw, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder_fd)
    except OSError:
        return 0
    total = 0
    with os.fdopen(fd, "rb") as source, open(target, "wb") as out:
        while total < limit:
            chunk = source.read(min(1 << 20, limit - total))
            if not chunk:
                break
            out.write(chunk)
            total += len(chunk)
    os.chmod(target, 0o644)
    return total


def content_hash(folder):
    """SHA-256 over the relative paths and bytes of every file of a copy made by ``copy_submission``."""
    digest = hashlib.sha256()
    root = Path(folder)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        digest.update(str(path.relative_to(root)).encode("utf-8", "surrogateescape") + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
