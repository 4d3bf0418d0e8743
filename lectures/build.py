"""Execute the lecture notebooks and build HTML pages and reveal.js slides from them.

Usage (from the repository root):

    .venv/bin/python lectures/build.py                  # all lectures into build/lectures/
    .venv/bin/python lectures/build.py --out some/dir   # somewhere else
    .venv/bin/python lectures/build.py --execute-only   # run them, write nothing
    .venv/bin/python lectures/build.py 03_lstm_gru      # only the lectures named

The notebooks in lectures/ are committed without outputs; this script runs each one top to
bottom in a fresh kernel (working directory lectures/), then exports the executed copy. The
source notebooks are never modified. The pages and slides load MathJax, require.js and reveal.js
from build/lectures/assets/ (relative URLs), which the build copies from installed packages: MathJax
from the PyPI package jupyter-server-mathjax, reveal.js and require.js from the npm packages that
`make lecture-assets` installs (lectures/web/package-lock.json). Nothing is fetched when a page is
opened, so the pages and slides work offline.
"""

import argparse
import copy
import json
import re
import shutil
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
TEMPLATE_DIR = LECTURE_DIR / "templates"
# Where `make lecture-assets` installs lectures/web/package-lock.json (npm ci).
JS_MODULES_DIR = LECTURE_DIR.parent / "build" / "lectures-js" / "node_modules"
ASSETS = "assets"  # next to the pages; every URL below is relative to a page
MATHJAX_URL = f"{ASSETS}/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
REQUIRE_JS_URL = f"{ASSETS}/require.js"
REVEAL_URL_PREFIX = f"{ASSETS}/reveal.js"
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720  # reveal.js's logical slide size: 16:9


class MissingAssetsError(Exception):
    """The packages that provide MathJax, reveal.js or require.js are not installed."""


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


def has_figure(cell):
    """Return whether a cell's outputs include an image."""
    return any(
        mime in output.get("data", {}) for output in cell.get("outputs", []) for mime in FIGURE_MIME_TYPES
    )


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


def fit_slides(notebook):
    """Give each fragment that follows a figure a sub-slide of its own (a copy; the page keeps all).

    A code cell with its figure fills a 16:9 slide (see course_slides.css), so a fragment revealed
    below it would fall off the slide; as a sub-slide it comes next, one key press later, as before.

    Inputs:
    - notebook: an executed nbformat NotebookNode (not modified).

    Returns:
    - slides_notebook: a copy with those cells' slideshow.slide_type set to "subslide".
    """
    slides_notebook = copy.deepcopy(notebook)
    for previous, cell in zip(slides_notebook.cells, slides_notebook.cells[1:]):
        slideshow = cell.metadata.get("slideshow", {})
        if slideshow.get("slide_type") == "fragment" and has_figure(previous):
            slideshow["slide_type"] = "subslide"
    return slides_notebook


def _directory_size(path):
    """Return the total size in bytes of the files under path."""
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def _mathjax_source():
    """Return the directory of MathJax 2 that jupyter-server-mathjax installs, and its version."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        raise MissingAssetsError(
            "MathJax is not installed (PyPI package jupyter-server-mathjax): "
            ".venv/bin/pip install -r requirements.txt"
        ) from None
    static = Path(jupyter_server_mathjax.__file__).parent / "static"
    found = re.search(r'MathJax\.version="([^"]+)"', (static / "MathJax.js").read_text("utf-8"))
    return static, found.group(1) if found else "unknown"


def _npm_version(module_dir):
    """Return the version an installed npm package's package.json states."""
    return json.loads((module_dir / "package.json").read_text("utf-8"))["version"]


def install_assets(out_dir, js_modules=JS_MODULES_DIR):
    """Copy MathJax, require.js and reveal.js from their installed packages into out_dir/assets.

    Inputs:
    - out_dir: Path of the directory the pages are written to.
    - js_modules: Path of the node_modules directory `make lecture-assets` fills.

    Returns:
    - summary: str, one line naming each library, its version and the assets' size.

    Raises MissingAssetsError, saying how to install them, when a package is missing.
    """
    reveal = Path(js_modules) / "reveal.js"
    requirejs = Path(js_modules) / "requirejs"
    if not (reveal / "dist" / "reveal.js").is_file() or not (requirejs / "require.js").is_file():
        raise MissingAssetsError(
            f"reveal.js and require.js are not installed in {js_modules}: "
            "run `make lecture-assets` (npm ci of lectures/web/package-lock.json)"
        )
    mathjax, mathjax_version = _mathjax_source()
    assets = Path(out_dir) / ASSETS
    assets.mkdir(parents=True, exist_ok=True)
    shutil.copytree(mathjax, assets / "mathjax", dirs_exist_ok=True)
    shutil.copy2(requirejs / "require.js", assets / "require.js")
    skip = shutil.ignore_patterns("*.map", "*.esm.js")
    shutil.copytree(reveal / "dist", assets / "reveal.js" / "dist", ignore=skip, dirs_exist_ok=True)
    shutil.copytree(
        reveal / "plugin" / "notes",
        assets / "reveal.js" / "plugin" / "notes",
        ignore=skip,
        dirs_exist_ok=True,
    )
    megabytes = _directory_size(assets) / 1e6
    return (
        f"assets: MathJax {mathjax_version}, reveal.js {_npm_version(reveal)}, "
        f"require.js {_npm_version(requirejs)} in {assets} ({megabytes:.1f} MB)"
    )


def exporters():
    """Return the page and slides exporters, set up for local assets and 16:9 slides.

    Returns:
    - page_exporter: nbconvert HTMLExporter using lectures/templates/course_page.
    - slides_exporter: nbconvert SlidesExporter using lectures/templates/course_slides.
    """
    local = {
        "extra_template_basedirs": [str(TEMPLATE_DIR)],
        "extra_template_paths": [str(TEMPLATE_DIR)],  # offline_mathjax.html.j2
        "mathjax_url": MATHJAX_URL,
        "require_js_url": REQUIRE_JS_URL,
    }
    page_exporter = HTMLExporter(template_name="course_page", **local)
    slides_exporter = SlidesExporter(
        template_name="course_slides",
        reveal_url_prefix=REVEAL_URL_PREFIX,
        reveal_theme="white",  # its fonts ship with reveal.js; "simple" loads them from the web
        reveal_width=str(SLIDE_WIDTH),
        reveal_height=str(SLIDE_HEIGHT),
        **local,
    )
    return page_exporter, slides_exporter


def export(notebook, stem, out_dir):
    """Write an executed notebook as an HTML page and as reveal.js slides.

    Inputs:
    - notebook: an executed nbformat NotebookNode.
    - stem: str, file name without extension, e.g. "01_perceptron".
    - out_dir: Path of the output directory (created if missing).

    Returns:
    - paths: list of the two Paths written, <stem>.html and <stem>.slides.html.

    The pages refer to out_dir/assets/ (see install_assets), which this does not write.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    page_exporter, slides_exporter = exporters()
    page, _ = page_exporter.from_notebook_node(notebook)
    slides, _ = slides_exporter.from_notebook_node(fit_slides(notebook))
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

    if not args.execute_only:
        try:
            print(install_assets(args.out))
        except MissingAssetsError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2

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
