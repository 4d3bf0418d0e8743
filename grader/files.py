"""Copying a submission folder safely: links that lead outside it are left out, and said so."""

import shutil
from pathlib import Path

IGNORED = {"__pycache__", ".ipynb_checkpoints", ".git", ".pytest_cache"}


def outside_links(folder):
    """Relative paths of the symbolic links in ``folder`` whose target lies outside it (or nowhere)."""
    root = Path(folder).resolve()
    found = []
    for path in sorted(Path(folder).rglob("*")):
        if path.is_symlink() and not set(path.relative_to(folder).parts) & IGNORED:
            target = path.resolve()
            if not target.exists() or (target != root and root not in target.parents):
                found.append(str(path.relative_to(folder)))
    return found


def copy_submission(source, destination):
    """Copy ``source`` to ``destination`` with links resolved, leaving out links that lead outside.

    Returns the list of left-out paths (relative to ``source``).
    """
    skipped = outside_links(source)

    def ignore(directory, names):
        relative = Path(directory).relative_to(source)
        return {n for n in names if n in IGNORED or str(relative / n).removeprefix("./") in skipped}

    shutil.copytree(source, destination, symlinks=False, ignore=ignore)
    return skipped


def link_feedback(skipped):
    """The message a student reads about left-out links ('' when there are none)."""
    if not skipped:
        return ""
    names = ", ".join(skipped[:5])
    return (f"Ignored {len(skipped)} symbolic link(s) pointing outside your submission ({names}): "
            "commit the files themselves, not links to them.")


def tree_files(folder):
    """Regular files of ``folder`` (no links followed outside it), sorted."""
    skipped = set(outside_links(folder))
    return [p for p in sorted(Path(folder).rglob("*"))
            if p.is_file() and str(p.relative_to(folder)) not in skipped
            and not set(p.relative_to(folder).parts) & IGNORED]


