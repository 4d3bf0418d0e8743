"""The four lecture notebooks: committed clean, slide-ready, and executable top to bottom.

Execution goes through lectures/build.py's execute_notebook, the same code `make lectures` uses,
and each notebook is executed at most once per test run, whichever xdist worker needs it first.
"""

import fcntl
import functools
import html as html_module
import importlib.util
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat
import pytest

from tests.conftest import shared_folder

pytestmark = pytest.mark.slow  # executes the lecture notebooks

LECTURE_DIR = Path(__file__).resolve().parent.parent / "lectures"

# Lecture -> the assignments its closing cell must point to.
EXPECTED_POINTERS = {
    "01_perceptron": ["a1_cells"],
    "02_vanilla_rnn": ["a1_cells", "a3_airline"],
    "03_lstm_gru": ["a1_cells", "a2_bptt"],
    "04_transformers": ["a4_next_char", "a5_attention"],
}
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OFFLINE_PROBE = Path(__file__).resolve().parent / "fixtures" / "lectures" / "offline_probe.js"
# A script, style sheet or module loaded from the network: src/href/import of an http(s) URL.
REMOTE_LOAD = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']|\bimport\s*\(\s*["']|["'])(?:https?:)?//[^"'\s]+\.(?:m?js|css)\b"""
    r"""|<script[^>]*\bsrc\s*=\s*["'](?:https?:)?//|<link[^>]*\bhref\s*=\s*["'](?:https?:)?//"""
)
EXECUTION_TIMEOUT_SECONDS = 300  # safety net per notebook; a lecture normally needs well under 90 s


def _load_build_module():
    """Import lectures/build.py (lectures/ is not a package)."""
    spec = importlib.util.spec_from_file_location("lectures_build", LECTURE_DIR / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build_module()


@pytest.fixture(scope="session")
def executed(tmp_path_factory):
    """A function name -> (notebook, seconds) that executes lectures/<name>.ipynb once per test run.

    The executed notebook is kept in a folder all xdist workers of the run share; a worker that needs
    a lecture another is executing waits for it (a lock per lecture) instead of executing it again.
    """
    folder = shared_folder(tmp_path_factory, "executed-lectures")
    folder.mkdir(parents=True, exist_ok=True)

    @functools.lru_cache(maxsize=None)
    def execute_once(name):
        with open(folder / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            saved = folder / f"{name}.json"
            if saved.exists():
                record = json.loads(saved.read_text(encoding="utf-8"))
                return nbformat.from_dict(record["notebook"]), record["seconds"]
            notebook, seconds = build.execute_notebook(LECTURE_DIR / f"{name}.ipynb", cell_timeout=240)
            saved.write_text(json.dumps({"notebook": notebook, "seconds": seconds}), encoding="utf-8")
            return notebook, seconds

    return execute_once


def read(name):
    return nbformat.read(LECTURE_DIR / f"{name}.ipynb", as_version=4)


def test_the_four_lectures_are_there():
    assert [p.stem for p in build.lecture_paths()] == list(EXPECTED_POINTERS)


@pytest.mark.parametrize("name", EXPECTED_POINTERS)
def test_committed_without_outputs(name):
    notebook = read(name)
    dirty = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, (
        f"{name}.ipynb has outputs or execution counts in cells {dirty}: clear them before "
        "committing (jupyter nbconvert --clear-output --inplace lectures/*.ipynb)"
    )


@pytest.mark.parametrize("name", EXPECTED_POINTERS)
def test_valid_notebook_with_slide_metadata(name):
    notebook = read(name)
    nbformat.validate(notebook)
    missing = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.metadata.get("slideshow", {}).get("slide_type") not in SLIDE_TYPES
    ]
    assert not missing, f"{name}.ipynb: cells {missing} have no valid slideshow.slide_type"
    assert notebook.cells[0].metadata["slideshow"]["slide_type"] == "slide"
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# ")


@pytest.mark.parametrize("name", EXPECTED_POINTERS)
def test_seeds_are_fixed(name):
    code = "\n".join(c.source for c in read(name).cells if c.cell_type == "code")
    assert "seed_everything(" in code, f"{name}.ipynb never calls rnnutils.seeding.seed_everything"


@pytest.mark.parametrize("name", EXPECTED_POINTERS)
def test_ends_with_assignment_pointer_and_exercises(name):
    last = read(name).cells[-1]
    assert last.cell_type == "markdown", f"{name}.ipynb must end with a markdown cell"
    for assignment in EXPECTED_POINTERS[name]:
        assert f"assignments/{assignment}" in last.source, (
            f"{name}.ipynb's last cell does not point to assignments/{assignment}"
        )
    assert "**Exercises**" in last.source, f"{name}.ipynb's last cell has no Exercises section"
    assert last.source.count("\n1. ") == 1, f"{name}.ipynb's exercises should be a numbered list"


@pytest.mark.timeout(EXECUTION_TIMEOUT_SECONDS)
@pytest.mark.parametrize("name", EXPECTED_POINTERS)
def test_executes_top_to_bottom_with_a_figure(name, executed):
    notebook, _ = executed(name)  # raises CellExecutionError, naming the cell, on any error
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    assert not errors
    assert build.count_figures(notebook) >= 1, f"{name}.ipynb shows no figure"
    assert all(
        cell.execution_count is not None for cell in notebook.cells if cell.cell_type == "code"
    ), "some code cells were not executed"


def test_count_figures_counts_images():
    notebook = nbformat.v4.new_notebook()
    image = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": ""})
    text = nbformat.v4.new_output("stream", name="stdout", text="no figure here\n")
    notebook.cells = [nbformat.v4.new_code_cell("x", outputs=[image, text, image])]
    assert build.count_figures(notebook) == 2


@pytest.mark.timeout(EXECUTION_TIMEOUT_SECONDS)
def test_export_writes_page_and_slides(tmp_path, executed):
    notebook, _ = executed("01_perceptron")
    page, slides = build.export(notebook, "01_perceptron", tmp_path)
    assert page.name == "01_perceptron.html" and slides.name == "01_perceptron.slides.html"
    assert "<img" in page.read_text(encoding="utf-8")
    slides_html = slides.read_text(encoding="utf-8")
    assert "reveal" in slides_html.lower() and slides_html.count("<section") >= 5


def test_plotting_helpers_draw_with_agg():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from rnnutils import plotting

    plotting.use_course_style()
    fig, axes = plt.subplots(1, 4)
    x = np.arange(10)
    ax = plotting.plot_series_with_forecast(x, x**2, x[6:], x[6:] ** 2 + 1, split_at=6, ax=axes[0])
    assert len(ax.lines) == 3  # series, forecast, split line
    ax = plotting.plot_gradient_norms(x, {"rho = 0.5": 0.5**x, "rho = 1.5": 1.5**x}, ax=axes[1])
    assert ax.get_yscale() == "log" and len(ax.lines) == 2
    ax = plotting.plot_heatmap(np.eye(3), row_labels="abc", col_labels="xyz", ax=axes[2])
    assert len(ax.images) == 1 and [t.get_text() for t in ax.get_xticklabels()] == list("xyz")
    ax = plotting.plot_curves({"a": [3, 2, 1], "b": (np.array([0, 2]), np.array([1, 1]))}, ax=axes[3])
    assert [line.get_label() for line in ax.lines] == ["a", "b"]
    assert plotting.plot_curves({"c": [1, 2]}).figure is not fig  # no ax: a new figure
    plt.close("all")


def open_offline(path):
    """Open a test copy of a built page in headless Chromium with no network; the probe's JSON.

    The copy gets tests/fixtures/lectures/offline_probe.js, which waits for MathJax (and
    reveal.js on slides), measures, and writes its result into <pre id="offline-probe">.
    """
    probed = path.with_name(path.stem + ".probe.html")
    html = path.read_text(encoding="utf-8")
    probed.write_text(html.replace("</body>", f"<script>{OFFLINE_PROBE.read_text()}</script></body>"))
    with tempfile.TemporaryDirectory() as profile:
        run = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", "--disable-sync",
             f"--user-data-dir={profile}", "--window-size=1280,720",
             "--virtual-time-budget=60000", "--dump-dom", probed.as_uri()],
            capture_output=True, text=True, timeout=180,
        )
    found = re.search(r'<pre id="offline-probe">(\{.*?\})</pre>', run.stdout, re.S)
    assert found, f"the probe wrote nothing into {probed.name}: {run.stderr[-1000:]}"
    return json.loads(html_module.unescape(found.group(1)))


@pytest.fixture(scope="module")
def lecture_out(tmp_path_factory):
    """A build directory with the assets copied in, as `make lectures` makes it."""
    out = tmp_path_factory.mktemp("lectures")
    try:
        build.install_assets(out)
    except build.MissingAssetsError as error:
        pytest.fail(str(error))
    return out


def test_pages_load_only_the_copied_assets(lecture_out):
    page, slides = build.export(read("01_perceptron"), "01_perceptron", lecture_out)  # no need to execute
    for path in (page, slides):
        html = path.read_text(encoding="utf-8")
        remote = REMOTE_LOAD.findall(html)
        assert not remote, f"{path.name} loads from the network: {remote[:3]}"
        local = re.findall(r"""["'](assets/[^"'?]+)""", html)
        assert len(local) >= 2, local
        missing = [url for url in local if not (lecture_out / url).is_file()]
        assert not missing, f"{path.name} refers to assets the build did not copy: {missing}"


def test_missing_assets_are_one_clear_message(tmp_path):
    with pytest.raises(build.MissingAssetsError, match="run `make lecture-assets`"):
        build.install_assets(tmp_path, js_modules=tmp_path / "node_modules")
    assert not (tmp_path / "assets").exists()


def test_a_fragment_after_a_figure_gets_its_own_subslide():
    figure = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": ""})
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("plot()", outputs=[figure]),
        nbformat.v4.new_markdown_cell("after the figure"),
        nbformat.v4.new_markdown_cell("after text"),
    ]
    for cell in notebook.cells:
        cell.metadata["slideshow"] = {"slide_type": "fragment"}
    slides = build.fit_slides(notebook)
    assert [c.metadata.slideshow.slide_type for c in slides.cells] == ["fragment", "subslide", "fragment"]
    assert notebook.cells[1].metadata.slideshow.slide_type == "fragment"  # the page's copy is unchanged


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (Debian package: chromium)")
@pytest.mark.timeout(EXECUTION_TIMEOUT_SECONDS)
@pytest.mark.parametrize("name", EXPECTED_POINTERS)
def test_page_and_slides_render_offline_and_fit_16_9(name, lecture_out, executed):
    notebook, _ = executed(name)
    page, slides = build.export(notebook, name, lecture_out)
    page_result = open_offline(page)
    slides_result = open_offline(slides)
    for path, result in ((page, page_result), (slides, slides_result)):
        assert not result.get("timeout"), f"{path.name}: MathJax or reveal.js never loaded offline: {result}"
        math = result["math"]
        assert math["sources"] > 0 and math["rendered"] >= math["sources"], f"{path.name}: {math}"
        assert not math["errors"] and not math["raw"], f"{path.name}: equations not rendered: {math}"
    sections = len(re.findall(r"<section\b", slides.read_text(encoding="utf-8")))
    assert slides_result["slides"]["count"] >= 5 and slides_result["slides"]["count"] <= sections
    assert not slides_result["slides"]["overflow"], (
        f"{slides.name} does not fit 1280x720: " + "; ".join(slides_result["slides"]["overflow"][:10])
    )
