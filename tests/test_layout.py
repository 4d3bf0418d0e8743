"""The grader's layout: imports run one way, as each package's docstring says.

    paths <- sandbox <- grading <- authoring
    paths <- records <- grading, semester <- cli

Every import of every module is read from its source (not by importing it), so a lazy import inside a
function counts as much as one at the top.
"""

import ast
import sys

import pytest

from grader.paths import REPO

GRADER = REPO / "grader"
# package -> the grader packages its modules may import (besides their own, grader.paths and grader.errors)
ALLOWED = {
    "sandbox": set(),
    "records": set(),
    "grading": {"sandbox", "records"},
    "authoring": {"grading", "sandbox", "records"},
    "semester": {"records", "grading"},
    "benches": {"authoring", "grading", "sandbox", "records", "semester", "suites"},
    "suites": {"grading", "sandbox"},
    "mutants": set(),
    "student_template": set(),
}
# Modules that run on a bare Python (the plan and collect jobs): the standard library only.
BARE = ["records", "semester/course.py", "semester/roster.py", "semester/history.py", "semester/pushes.py",
        "semester/lateness.py", "semester/plan.py", "semester/github.py", "paths.py", "cli.py"]


def imports(path):
    """Every module name ``path`` imports (absolute names; relative imports resolved)."""
    tree = ast.parse(path.read_text(), str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = ".".join(path.relative_to(REPO).with_suffix("").parts[:-node.level])
                base = f"{package}.{node.module}" if node.module else package
            else:
                base = node.module
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def modules(folder):
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def grader_package(name):
    """``grader.records.export`` -> "records"; ``grader.paths`` -> "paths"."""
    parts = name.split(".")
    return parts[1] if parts[0] == "grader" and len(parts) > 1 else None


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_what_its_docstring_allows(package):
    wrong = []
    for path in modules(GRADER / package):
        for name in imports(path):
            target = grader_package(name)
            if target is None or target in (package, "paths", "errors") or target in ALLOWED[package]:
                continue
            if name.startswith("grader.") and target not in ALLOWED and not (GRADER / target).is_dir() \
                    and target != "cli":
                continue   # a name imported from the grader package itself, e.g. `from grader import x`
            wrong.append(f"{path.relative_to(REPO)} imports {name}")
    assert not wrong, wrong


def test_nothing_but_the_entry_point_imports_the_cli():
    users = [str(p.relative_to(REPO)) for p in modules(GRADER) if p.name not in ("cli.py", "__main__.py")
             and any(n == "grader.cli" or n.startswith("grader.cli.") for n in imports(p))]
    assert not users, users


def test_the_pipeline_imports_grading_only_where_it_grades():
    """In the semester, only grade_roster grades; the rest runs in the plan job with nothing installed."""
    for path in modules(GRADER / "semester"):
        if path.name != "grade_roster.py":
            assert not {n for n in imports(path) if grader_package(n) == "grading"}, path.name


@pytest.mark.parametrize("where", BARE)
def test_the_records_and_the_plan_use_the_standard_library_only(where):
    paths = modules(GRADER / where) if (GRADER / where).is_dir() else [GRADER / where]
    outside = []
    for path in paths:
        for name in imports(path):
            top = name.split(".")[0]
            if top == "grader":
                target = grader_package(name)
                if target in ("grading", "sandbox", "authoring", "benches"):
                    if path.name == "cli.py":
                        continue      # the CLI imports a stage only inside the command that needs it
                    outside.append(f"{path.relative_to(REPO)} imports {name}")
            elif top not in sys.stdlib_module_names:
                outside.append(f"{path.relative_to(REPO)} imports {name}")
    assert not outside, outside


def test_the_cli_imports_stages_only_inside_commands():
    """``python -m grader collect`` on a bare Python must not import torch through the CLI's top level."""
    tree = ast.parse((GRADER / "cli.py").read_text())
    top = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    names = {alias.name for node in top for alias in node.names} | {node.module for node in top
                                                                   if isinstance(node, ast.ImportFrom)}
    assert all(not (n or "").startswith("grader.") or n == "grader.errors" for n in names), names
