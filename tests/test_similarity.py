"""The similarity report: planted copies rank above independent solutions, the stub never counts, the page is safe.

tests/fixtures/similarity/<student>/cells.py: four independent correct solutions of a1 (ada, ben, chen, dev),
three planted copies (eve copies ada, fay copies chen, mal copies dev: every name renamed, the functions
reordered, comments and layout changed; mal also carries markup in a comment and a string), and the
stub as released (gus). The roster mixes a git repository whose report names an older graded commit
(ada: the newest commit is the bare stub), plain folders in both layouts, a file that is not UTF-8 and a
folder without the module.
"""

import csv
import html.parser
import importlib.util
import json
import shutil
import subprocess

import numpy as np
import pytest

from tests.conftest import fake_report, git, run_grader
from grader.paths import ASSIGNMENTS, REPO

FIXTURES = REPO / "tests" / "fixtures" / "similarity"
PLANTED = [{"ada", "eve"}, {"chen", "fay"}, {"dev", "mal"}]
CORRECT = ["ada", "ben", "chen", "dev", "eve", "fay", "mal"]
PAYLOAD = "</script><script>alert(1)</script>"
CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(name)), None)


def module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A roster of the fixtures (ada as a git repository with a report), and one run of `grader similarity`."""
    root = tmp_path_factory.mktemp("similarity")
    rows = ["student,submission"]
    for student in ["ben", "chen", "dev", "eve", "fay", "gus", "mal"]:
        folder = root / student / ("assignments/a1_cells" if student in ("ben", "fay") else "a1_cells")
        folder.mkdir(parents=True)
        shutil.copy(FIXTURES / student / "cells.py", folder / "cells.py")
        rows.append(f"{student},{student}")
    repo = root / "ada"
    (repo / "assignments" / "a1_cells").mkdir(parents=True)
    git(repo, "init", "--quiet", "-b", "main")
    shutil.copy(FIXTURES / "ada" / "cells.py", repo / "assignments" / "a1_cells" / "cells.py")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "a1 done", when="2027-02-28T10:00:00Z")
    graded = git(repo, "rev-parse", "HEAD")
    shutil.copy(ASSIGNMENTS / "a1_cells" / "cells.py", repo / "assignments" / "a1_cells" / "cells.py")
    git(repo, "commit", "--quiet", "-am", "start over, after the due date", when="2027-03-05T10:00:00Z")
    rows.append("ada,ada")
    (root / "zoe" / "a1_cells").mkdir(parents=True)
    (root / "zoe" / "a1_cells" / "cells.py").write_bytes(b"def sigmoid(x):\n    return '\xff\xfe'\n")
    (root / "yan" / "a1_cells").mkdir(parents=True)
    rows += ["zoe,zoe", "yan,yan"]
    (root / "roster.csv").write_text("\n".join(rows) + "\n")
    report = fake_report("ada", {"a1_cells": 10.0})
    report["assignments"]["a1_cells"]["lateness"] = {"status": "last-before-due", "commit": graded}
    (root / "reports").mkdir()
    (root / "reports" / "ada.json").write_text(json.dumps(report))
    run = run_grader("similarity", "--assignment", "a1_cells", str(root / "roster.csv"), "--reports",
                     str(root / "reports"), "--out", str(root / "out"), "--threshold", "50")
    assert run.returncode == 0, run.stderr
    with (root / "out" / "a1_cells.csv").open() as handle:
        pairs = list(csv.DictReader(handle))
    return {"root": root, "run": run, "pairs": pairs, "graded": graded, "html": root / "out" / "a1_cells.html"}


def similarity(row):
    return max(float(row["percent_of_a_in_b"]), float(row["percent_of_b_in_a"]))


def test_the_fixtures_are_correct_solutions_of_a1():
    reference = module(REPO / "solutions" / "a1_cells" / "cells.py", "reference_cells")
    rng = np.random.default_rng(5)
    x, h, c = rng.normal(size=(3, 4)), rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    weights = {g: (rng.normal(size=(g * 5, 4)), rng.normal(size=(g * 5, 5)), rng.normal(size=g * 5),
                   rng.normal(size=g * 5)) for g in (1, 3, 4)}
    for student in CORRECT:
        cells = module(FIXTURES / student / "cells.py", f"cells_{student}")
        z = np.array([-800.0, -3.0, 0.0, 2.0, 800.0])
        np.testing.assert_allclose(cells.sigmoid(z), reference.sigmoid(z), rtol=1e-12, err_msg=student)
        for cell, got, want in [
                ("rnn", cells.rnn_cell(x, h, *weights[1], nonlinearity="relu"),
                 reference.rnn_cell(x, h, *weights[1], nonlinearity="relu")),
                ("lstm", np.stack(cells.lstm_cell(x, h, c, *weights[4])),
                 np.stack(reference.lstm_cell(x, h, c, *weights[4]))),
                ("gru", cells.gru_cell(x, h, *weights[3]), reference.gru_cell(x, h, *weights[3]))]:
            np.testing.assert_allclose(got, want, rtol=1e-10, err_msg=f"{student} {cell}")
            assert cells.count_parameters(cell, 7, 3) == reference.count_parameters(cell, 7, 3), student


def test_every_planted_copy_ranks_above_every_independent_pair(course):
    pairs = course["pairs"]
    assert len(pairs) == 8 * 7 // 2          # ada, ben, chen, dev, eve, fay, gus, mal: zoe and yan not compared
    planted = [row for row in pairs if {row["student_a"], row["student_b"]} in PLANTED]
    independent = [row for row in pairs if {row["student_a"], row["student_b"]} not in PLANTED]
    assert len(planted) == 3
    assert min(map(similarity, planted)) > max(map(similarity, independent)), pairs[:5]
    assert all({row["student_a"], row["student_b"]} in PLANTED for row in pairs[:3]), pairs[:3]
    assert all(min(float(r["percent_of_a_in_b"]), float(r["percent_of_b_in_a"])) >= 90 for r in planted), planted
    assert "3 at or above 50%" in course["run"].stdout


def test_the_stub_only_submission_resembles_nobody(course):
    """gus handed in the stub: with the stub's fingerprints removed, nothing of it matches anyone."""
    with_gus = [row for row in course["pairs"] if "gus" in (row["student_a"], row["student_b"])]
    assert len(with_gus) == 7 and all(similarity(row) == 0.0 for row in with_gus), with_gus
    assert "No code beyond the released stub: gus." in course["html"].read_text()


def test_without_the_stub_as_boilerplate_the_stub_would_match_everyone():
    """The check above can fail: without the stub's fingerprints, a fifth of gus's stub is found in everyone's code
    (the signatures and the ``raise`` lines; each docstring is one token once strings are replaced)."""
    from grader.semester.similarity import Submission, compare_submissions

    submissions = [Submission(s, {"cells.py": (FIXTURES / s / "cells.py").read_text()}, "folder")
                   for s in ("ada", "ben", "gus")]
    stubs = {"cells.py": (ASSIGNMENTS / "a1_cells" / "cells.py").read_text()}
    removed = compare_submissions("a1_cells", stubs, submissions)
    kept = compare_submissions("a1_cells", {"cells.py": ""}, submissions)
    assert all(p.similarity == 0.0 for p in removed.pairs if "gus" in (p.student_a, p.student_b))
    assert all(p.similarity > 0.15 for p in kept.pairs if "gus" in (p.student_a, p.student_b))


def test_the_graded_commit_is_compared_not_the_newest(course):
    """ada's report names the commit before the due date; her newest commit is the bare stub."""
    ada = {row["student_a"]: row["source_a"] for row in course["pairs"]} | {
        row["student_b"]: row["source_b"] for row in course["pairs"]}
    assert ada["ada"] == f"commit {course['graded'][:10]} (graded)"
    assert ada["ben"] == "folder as it is"


def test_unreadable_and_missing_modules_are_named_and_lose_nobody_else(course):
    errors = course["run"].stderr
    assert "a1_cells: not compared: zoe: cells.py is not UTF-8 text" in errors
    assert "a1_cells: not compared: yan: no cells.py in a1_cells/" in errors
    page = course["html"].read_text()
    assert "zoe: cells.py is not UTF-8 text" in page and "yan: no cells.py" in page


@pytest.mark.parametrize("arguments, message", [
    (["--assignment", "a9_nope"], "error: unknown assignment 'a9_nope' (released: a1_cells,"),
    (["--assignment", "a1_cells", "--threshold", "120"], "error: --threshold is a percentage from 0 to 100"),
])
def test_bad_arguments_get_one_line(course, arguments, message):
    run = run_grader("similarity", str(course["root"] / "roster.csv"), *arguments, "--out", str(course["root"] / "x"))
    assert run.returncode == 2 and run.stderr.startswith(message) and len(run.stderr.splitlines()) == 1, run.stderr


def test_fewer_than_two_submissions_is_an_error(course, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(f"student,submission\nben,{course['root'] / 'ben'}\nyan,{course['root'] / 'yan'}\n")
    run = run_grader("similarity", str(roster), "--assignment", "a1_cells", "--out", str(tmp_path / "out"))
    assert run.returncode == 2, run.stderr
    assert "error: a1_cells: 1 submission(s) to compare (ben); at least two are needed" in run.stderr
    assert not (tmp_path / "out").exists()


class Elements(html.parser.HTMLParser):
    """The start tags and the text of a page, as a browser's parser sees them."""

    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_students_code_is_text_and_the_page_loads_nothing(course):
    page = Elements()
    page.feed(course["html"].read_text())
    text = "".join(page.text)
    assert PAYLOAD in text                             # mal's comment and string, shown as code
    assert not [tag for tag, _ in page.tags if tag in ("script", "iframe", "object", "embed", "img", "link")]
    assert not [attrs for _, attrs in page.tags if any(k in ("src", "href") and "//" in (v or "")
                                                        for k, v in attrs.items())]


def chromium(*arguments):
    """Headless Chromium without network (every host name unresolvable); its standard output."""
    run = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                          "--host-resolver-rules=MAP * ~NOTFOUND", *arguments], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine")
def test_the_report_opens_offline_in_chromium_with_a_planted_pair_first_and_no_script(course, tmp_path):
    dom = chromium("--dump-dom", course["html"].as_uri())
    page = Elements()
    page.feed(dom)
    assert not [tag for tag, _ in page.tags if tag == "script"]      # the payload never became an element
    text = "".join(page.text)
    assert PAYLOAD in text
    first = dom.index('href="#pair-1"')
    row = dom[first:dom.index("</tr>", first)]
    assert {name for name in ("ada", "ben", "chen", "dev", "eve", "fay", "mal") if f"<td>{name}</td>" in row} \
        in PLANTED, row
    shot = tmp_path / "similarity.png"
    chromium(f"--screenshot={shot}", "--window-size=1200,1600", course["html"].as_uri())
    assert shot.stat().st_size > 10_000
