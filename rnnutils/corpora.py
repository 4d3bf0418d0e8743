"""Real-text corpora that need no download: the installed Python standard library, or any file.

The standard library's own source is a few megabytes of real, structured text (indentation,
brackets that must close, names that recur), in the spirit of Karpathy's char-rnn experiment on
the Linux source, at course scale.

Example:
    text = python_source_corpus(200_000, seed=0)
    text = read_text_file("my_notes.txt")

Introduced in lecture 04, section 6 (baselines: character n-grams, and real text), where the
n-gram baselines are measured on this text; assignment a4_next_char trains on it.
"""

import random
import sysconfig
from pathlib import Path

__all__ = ["stdlib_source_files", "python_source_corpus", "read_text_file"]


def stdlib_source_files():
    """Sorted paths of the .py files of the standard library (tests and site-packages excluded).

    Introduced in lecture 04, section 6 (baselines: character n-grams, and real text).

    Returns:
    - paths: list of pathlib.Path.
    """
    root = Path(sysconfig.get_paths()["stdlib"])
    skip = {"site-packages", "dist-packages", "test", "tests", "idlelib", "__pycache__"}
    return sorted(p for p in root.rglob("*.py")
                  if not skip.intersection(p.relative_to(root).parts))


def python_source_corpus(max_chars, seed=0, ascii_only=True):
    """Concatenate standard-library source files, in a seeded random order, up to max_chars.

    Introduced in lecture 04, section 6 (baselines: character n-grams, and real text).

    Inputs:
    - max_chars: int, the length of the text returned (less if the library is smaller).
    - seed: int, the order of the files; the same seed on the same Python gives the same text.
    - ascii_only: bool, skip files with any non-ASCII character, so a vocabulary built from one
      part of the text almost surely covers the rest.

    Returns:
    - text: str of at most max_chars characters; files are separated by a blank line and the
      last one is cut at max_chars.
    """
    paths = stdlib_source_files()
    random.Random(seed).shuffle(paths)
    pieces, length = [], 0
    for path in paths:
        try:
            source = read_text_file(path)
        except (UnicodeDecodeError, OSError):
            continue
        if ascii_only and not source.isascii():
            continue
        source = source.replace("\t", "    ").rstrip() + "\n\n"
        pieces.append(source)
        length += len(source)
        if length >= max_chars:
            break
    return "".join(pieces)[:max_chars]


def read_text_file(path):
    """Read a UTF-8 text file, with Windows line ends turned into "\\n".

    Introduced in lecture 04, section 6 (baselines: character n-grams, and real text), for a text
    of your own.

    Inputs:
    - path: str or pathlib.Path.

    Returns:
    - text: str. Raises UnicodeDecodeError if the file is not UTF-8.
    """
    with open(path, encoding="utf-8", newline=None) as f:
        return f.read()
