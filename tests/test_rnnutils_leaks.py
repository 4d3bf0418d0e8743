"""rnnutils holds only what a lecture taught, and nothing of it earns a point in an assignment.

The course library ships to every student and is importable while a submission is graded, so
whatever an assignment asks students to write must not be in it (d2l's rule: the library grows
only from what a lesson has taught, and says which lesson). Here:

- every module declares its public names in ``__all__``, and ``__all__`` is all of them;
- every public function and class says in its docstring which lecture introduced it
  ("Introduced in lecture 02, section 6 ..." or "Taught in lecture 04, ..."), that lecture exists
  and imports from the module, and it uses the name (or the docstring names a public name of the
  module that the lecture uses: the part belongs to that whole);
- no public name of the library is the name of a function or class of a released stub;
- each released stub with every public name of every module imported into it (a name equal to a
  stub's would rebind it) earns 0 points from the hidden suite, and the imports work in the worker;
- the old exploit, ``from rnnutils.windows import MinMaxScaler, make_windows`` appended to the a3
  stub (9 of 46 points before), cannot import and earns 0.
"""

import ast
import importlib
import importlib.util
import json
import pkgutil
import re
import shutil
from pathlib import Path

import pytest

import rnnutils
from grader.grading.suite import run_suite
from grader.paths import ASSIGNMENTS, REPO, known_assignments
from grader.sandbox import Submission

pytestmark = pytest.mark.slow  # grades a stub of every assignment

LECTURES = REPO / "lectures"
MODULES = sorted(info.name for info in pkgutil.iter_modules(rnnutils.__path__))
PROVENANCE = re.compile(r"(?:Introduced|Taught) in lecture (\d\d)\b")
OLD_EXPLOIT = "\nfrom rnnutils.windows import MinMaxScaler, make_windows\n"


def defined_names(path):
    """Top-level functions, classes and assigned names of a Python file, without a leading underscore."""
    names = set()
    for node in ast.parse(Path(path).read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {target.id for target in targets if isinstance(target, ast.Name)}
    return {name for name in names if not name.startswith("_")}


def library():
    """module name -> its public names (``__all__``)."""
    return {name: list(importlib.import_module(f"rnnutils.{name}").__all__) for name in MODULES}


def lecture_code(number):
    """The code cells of lectures/<number>_*.ipynb as one text, or None when there is no such lecture."""
    paths = sorted(LECTURES.glob(f"{number}_*.ipynb"))
    if len(paths) != 1:
        return None
    cells = json.loads(paths[0].read_text())["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")


def stub_modules(assignment):
    return sorted((ASSIGNMENTS / assignment).glob("*.py"))


# --- what the library holds and where it comes from ---------------------------------------------


def test_windows_is_gone_and_every_module_is_known():
    assert importlib.util.find_spec("rnnutils.windows") is None
    assert MODULES == ["airline", "corpora", "dates", "gradcheck", "grammar", "ngram", "plotting", "seeding"]
    assert defined_names(Path(rnnutils.__file__)) == set(), "rnnutils/__init__.py defines names of its own"


@pytest.mark.parametrize("module", MODULES)
def test_all_lists_every_public_name(module):
    mod = importlib.import_module(f"rnnutils.{module}")
    assert sorted(mod.__all__) == sorted(defined_names(mod.__file__)), f"rnnutils.{module}.__all__"
    assert len(set(mod.__all__)) == len(mod.__all__)


@pytest.mark.parametrize("module", MODULES)
def test_every_function_and_class_names_the_lecture_that_taught_it(module):
    mod = importlib.import_module(f"rnnutils.{module}")
    found = PROVENANCE.findall(mod.__doc__ or "")
    assert found, f"the docstring of rnnutils.{module} names no lecture"
    problems = []
    for name in mod.__all__:
        obj = getattr(mod, name)
        if not callable(obj):
            continue  # a constant: the module's docstring speaks for it
        doc = obj.__doc__ or ""
        numbers = PROVENANCE.findall(doc)
        if not numbers:
            problems.append(f"{name}: no 'Introduced in lecture NN' or 'Taught in lecture NN' in its docstring")
            continue
        code = lecture_code(numbers[0])
        if code is None:
            problems.append(f"{name}: lecture {numbers[0]} does not exist")
        elif f"from rnnutils.{module} import" not in code and f"rnnutils.{module}." not in code:
            problems.append(f"{name}: lecture {numbers[0]} does not use rnnutils.{module}")
        else:
            wholes = {n for n in re.findall(r"``(\w+)``", doc) if n in mod.__all__ and n != name}
            if not re.search(rf"\b{name}\b", code) and not any(re.search(rf"\b{w}\b", code) for w in wholes):
                problems.append(f"{name}: lecture {numbers[0]} never uses it, nor what its docstring says it is part of")
    assert not problems, problems


@pytest.mark.parametrize("assignment", known_assignments())
def test_no_library_name_is_a_name_students_write(assignment):
    stub_names = set().union(*(defined_names(path) for path in stub_modules(assignment)))
    shared = {f"rnnutils.{module}.{name}" for module, names in library().items() for name in names
              if name in stub_names}
    assert not shared, f"{assignment} asks students to write what the library ships: {sorted(shared)}"


# --- grading: a stub with all of the library earns nothing --------------------------------------


def library_imports():
    """The lines that import every public name of every module (appended last: they rebind any same name)."""
    lines = ["", "", "# Everything the course library offers (tests/test_rnnutils_leaks.py)."]
    lines += [f"from rnnutils.{module} import {', '.join(names)}  # noqa" for module, names in library().items()]
    return "\n".join(lines) + "\n"


def stub_with(assignment, root, appended):
    """The released stub of ``assignment`` copied under ``root``, ``appended`` added to each module."""
    folder = Path(root) / assignment
    shutil.copytree(ASSIGNMENTS / assignment, folder, ignore=shutil.ignore_patterns("__pycache__"))
    for path in stub_modules(assignment):
        target = folder / path.name
        target.write_text(target.read_text() + appended)
    return folder


def earned(result):
    return [(test.name, test.points) for test in result.tests if test.passed]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", known_assignments())
def test_a_stub_with_the_whole_library_imported_earns_nothing(assignment, tmp_path):
    folder = stub_with(assignment, tmp_path, library_imports())
    names = [name for names in library().values() for name in names]
    student = Submission(folder)
    try:  # the imports work in the grading worker: each name is there, in every module of the stub
        for path in stub_modules(assignment):
            kinds = {name: getattr(student.module(path.stem), name).type_name() for name in names}
            assert all(kinds.values()), kinds
    finally:
        student.close()
    result = run_suite(assignment, folder)
    assert result.score == 0, f"{assignment}: the library earns {earned(result)}"


@pytest.mark.slow
def test_the_old_windows_exploit_cannot_import_and_earns_nothing(tmp_path):
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("rnnutils.windows")
    folder = stub_with("a3_airline", tmp_path, OLD_EXPLOIT)
    result = run_suite("a3_airline", folder)
    assert result.score == 0, earned(result)
