"""Execute the lecture notebooks and build HTML pages and reveal.js slides from them.

Usage (from the repository root):

    .venv/bin/python lectures/build.py                  # all lectures into build/lectures/
    .venv/bin/python lectures/build.py --out some/dir   # somewhere else
    .venv/bin/python lectures/build.py --execute-only   # run them, write nothing
    .venv/bin/python lectures/build.py 03_lstm_gru      # only the lectures named

The notebooks in lectures/ are committed without outputs; this script runs each one top to
bottom in a fresh kernel (working directory lectures/), then exports the executed copy. The
source notebooks are never modified. The build needs no network: the slides refer to
reveal.js on a CDN, which only the browser that opens them fetches.
"""

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter, SlidesExporter

LECTURE_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = LECTURE_DIR.parent / "build" / "lectures"
CELL_TIMEOUT_SECONDS = 240
FIGURE_MIME_TYPES = ("image/png", "image/svg+xml", "image/jpeg")


def lecture_paths():
    """Return the lecture notebooks in order: a sorted list of Paths lectures/NN_*.ipynb."""
    return sorted(LECTURE_DIR.glob("[0-9][0-9]_*.ipynb"))


def execute_notebook(path, cell_timeout=CELL_TIMEOUT_SECONDS):
    """Run one notebook top to bottom in a fresh python3 kernel, without touching the file.

    Inputs:
    - path: Path of the .ipynb file.
    - cell_timeout: int, seconds any single cell may take before execution is aborted.

    Returns:
    - notebook: the executed nbformat NotebookNode (outputs filled in).
    - seconds: float, wall-clock time of the execution, kernel start-up included.

    Raises nbclient's CellExecutionError (the failing cell and traceback in its message)
    when a cell raises, and CellTimeoutError when a cell exceeds cell_timeout.
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=cell_timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    return notebook, time.perf_counter() - start


def count_figures(notebook):
    """Count the images a notebook's outputs contain (one per figure shown).

    Inputs:
    - notebook: an executed nbformat NotebookNode.

    Returns:
    - count: int.
    """
    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if any(mime in data for mime in FIGURE_MIME_TYPES):
                count += 1
    return count


def export(notebook, stem, out_dir):
    """Write an executed notebook as an HTML page and as reveal.js slides.

    Inputs:
    - notebook: an executed nbformat NotebookNode.
    - stem: str, file name without extension, e.g. "01_perceptron".
    - out_dir: Path of the output directory (created if missing).

    Returns:
    - paths: list of the two Paths written, <stem>.html and <stem>.slides.html.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    page, _ = HTMLExporter().from_notebook_node(notebook)
    slides, _ = SlidesExporter().from_notebook_node(notebook)
    page_path = out_dir / f"{stem}.html"
    slides_path = out_dir / f"{stem}.slides.html"
    page_path.write_text(page, encoding="utf-8")
    slides_path.write_text(slides, encoding="utf-8")
    return [page_path, slides_path]


def main(argv=None):
    """Command-line entry point; returns the process exit status (0 when all lectures ran)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lectures", nargs="*", help="names of lectures to build (default: all)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument(
        "--execute-only", action="store_true", help="execute the notebooks but write nothing"
    )
    args = parser.parse_args(argv)

    paths = lecture_paths()
    if args.lectures:
        wanted = {name.removesuffix(".ipynb") for name in args.lectures}
        paths = [p for p in paths if p.stem in wanted]
        unknown = wanted - {p.stem for p in paths}
        if unknown:
            parser.error(f"no such lecture: {', '.join(sorted(unknown))}")

    failed = []
    total_seconds = 0.0
    for path in paths:
        try:
            notebook, seconds = execute_notebook(path)
        except Exception as error:  # report every lecture, then fail at the end
            print(f"{path.stem}: FAILED\n{error}", file=sys.stderr)
            failed.append(path.stem)
            continue
        total_seconds += seconds
        print(f"{path.stem}: executed in {seconds:.1f} s, {count_figures(notebook)} figures")
        if not args.execute_only:
            for written in export(notebook, path.stem, args.out):
                print(f"  wrote {written}")
    print(f"total execution time {total_seconds:.1f} s for {len(paths) - len(failed)} lectures")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
