"""Known bugs: which mutant a wrong answer reproduces, and the hint its student should read.

A mutant (``grader/mutants/<assignment>/<bug>.py``) is the single source of what the course knows
about one realistic bug: its docstring names the bug in one line, ``TARGET`` and ``REPLACE`` write it
into the reference module of ``solutions/<assignment>/`` (text replacements, each ``old`` occurring
exactly once), and ``HINT`` is the message a student whose code makes that bug should read. A
mutant whose output cannot be matched (it raises, or it changes a training run whose result no one
can reproduce exactly) declares ``DIAGNOSIS = False`` and says why in ``REASON`` (one line).

``diagnose`` runs the reference and every relevant mutant **here, in the grader process** (they are
our own trusted code, built from the solution like ``grader.authoring.mutants`` builds them; never
in the student's sandbox) on the inputs the student's code was given, and returns the ``HINT`` of
the first mutant whose output the student's reproduces within the check's tolerance. Hidden tests
call it only once a check has failed, usually through ``grader.grading.testing.Diagnosis``.
Modules are built once per process.
"""

import ast
import copy
import random
import sys
import types
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from grader.paths import MUTANTS, SOLUTIONS


class MutantError(ValueError):
    """A mutant file that cannot be read or applied to the current solution."""


@dataclass(frozen=True)
class Mutant:
    """One known bug of an assignment (see the module docstring)."""

    assignment: str
    name: str                # the file's stem
    description: str         # the docstring's first line
    target: str              # the solution module it changes, e.g. "cells.py"
    replacements: tuple      # ((old, new), ...)
    hint: str                # what a student with this bug should read
    diagnosable: bool = True
    reason: str = ""         # why not, when diagnosable is False


def read_mutant(path, assignment=None):
    """Read and validate a mutant file; returns a ``Mutant`` (``MutantError`` when malformed)."""
    path = Path(path)
    namespace = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    description = (namespace.get("__doc__") or "").strip().splitlines()
    target, replacements = namespace.get("TARGET"), namespace.get("REPLACE")
    if not description or not isinstance(target, str) or not isinstance(replacements, list) or not replacements:
        raise MutantError(f"{path}: needs a docstring, TARGET (str) and REPLACE (non-empty list)")
    hint = namespace.get("HINT")
    if not isinstance(hint, str) or not hint.strip():
        raise MutantError(f"{path}: needs HINT, the message a student with this bug should read (a str)")
    diagnosable = namespace.get("DIAGNOSIS", True)
    reason = namespace.get("REASON", "")
    if diagnosable not in (True, False):
        raise MutantError(f"{path}: DIAGNOSIS must be True or False")
    if not diagnosable and (not isinstance(reason, str) or not reason.strip() or "\n" in reason.strip()):
        raise MutantError(f"{path}: DIAGNOSIS = False needs REASON, one line saying why its output cannot be matched")
    return Mutant(assignment or path.parent.name, path.stem, description[0], target,
                  tuple(tuple(pair) for pair in replacements), hint.strip(), bool(diagnosable), reason.strip())


def mutate(text, replacements, where):
    """Apply ``replacements`` to ``text``; every ``old`` must occur exactly once."""
    for old, new in replacements:
        count = text.count(old)
        if count != 1:
            raise MutantError(f"{where}: {old[:60]!r} occurs {count} times in the solution (expected once)")
        text = text.replace(old, new)
    return text


def mutant_paths(assignment):
    """The mutant files of one assignment, sorted by name."""
    return sorted(p for p in (MUTANTS / assignment).glob("*.py") if not p.name.startswith("_"))


@lru_cache(maxsize=None)
def mutants_of(assignment):
    """Every mutant of an assignment, sorted by name (read once per process)."""
    return tuple(read_mutant(path, assignment) for path in mutant_paths(assignment))


def hint_of(assignment, name):
    """The HINT of one mutant, for a check that recognises its bug by what it observes rather than
    by an output it could reproduce (a mode left on, gradients enabled, a state that was not carried)."""
    for mutant in mutants_of(assignment):
        if mutant.name == name:
            return mutant.hint
    raise MutantError(f"{assignment} has no mutant {name!r}")


# ---------------------------------------------------------------------------------------------
# Building the reference and its mutants as modules of the grader process


_MODULES = {}


def solution_module(assignment, target, mutant=None):
    """The module ``solutions/<assignment>/<target>``, with ``mutant``'s bug written in when given.

    Built from source once per process and kept; never imported under its own name, so a module of
    the same name elsewhere (a student's) is never touched.
    """
    key = (assignment, target, mutant.name if mutant else None)
    if key not in _MODULES:
        path = SOLUTIONS / assignment / target
        text = path.read_text()
        if mutant is not None:
            text = mutate(text, mutant.replacements, f"{mutant.name}.py -> {target}")
        label = mutant.name if mutant else "reference"
        name = f"_grader_known_{assignment}_{Path(target).stem}_{label}"
        module = types.ModuleType(name)
        module.__file__ = str(path)
        sys.modules[name] = module      # classes defined in it need their module to be importable
        with _quiet():
            exec(compile(text, f"{path} [{label}]", "exec"), module.__dict__)
        _MODULES[key] = module
    return _MODULES[key]


@lru_cache(maxsize=None)
def _top_level(assignment, target):
    """For the reference module: its top-level definitions as {name: (first line, last line)} and
    {name: the top-level names its body mentions}."""
    text = (SOLUTIONS / assignment / target).read_text()
    tree = ast.parse(text)
    spans, mentions = {}, {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            spans[node.name] = (node.lineno, node.end_lineno)
            mentions[node.name] = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    return text, spans, mentions


def _reachable(assignment, target, uses):
    """The top-level definitions ``uses`` (names) may run, by what each one's body mentions."""
    _, spans, mentions = _top_level(assignment, target)
    seen, todo = set(), [u for u in uses if u in spans]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [m for m in mentions[name] if m in spans and m not in seen]
    return seen


def _changes(mutant):
    """The top-level definitions a mutant's replacements fall in; None when one falls outside them."""
    text, spans, _ = _top_level(mutant.assignment, mutant.target)
    changed = set()
    for old, _ in mutant.replacements:
        at = text.find(old)
        if at < 0:
            return None
        first = text.count("\n", 0, at) + 1
        last = first + old.count("\n")
        inside = [name for name, (start, end) in spans.items() if start <= first and last <= end]
        if not inside:
            return None
        changed.add(inside[0])
    return changed


def relevant_mutants(assignment, target, uses=None):
    """The diagnosable mutants of ``target`` that change code ``uses`` may run (all when uses is None)."""
    found = []
    reach = None if uses is None else _reachable(assignment, target, uses)
    for mutant in mutants_of(assignment):
        if mutant.target != target or not mutant.diagnosable:
            continue
        changed = _changes(mutant)
        if reach is None or changed is None or changed & reach:
            found.append(mutant)
    return found


# ---------------------------------------------------------------------------------------------
# Running them, and comparing outputs


@contextmanager
def _quiet():
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


@contextmanager
def _isolated():
    """Run trusted code without changing the grader's random state, autograd mode or warnings."""
    torch = sys.modules.get("torch")
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        if torch is None:
            with _quiet():
                yield
        else:
            grad, threads = torch.is_grad_enabled(), torch.get_num_threads()
            try:
                with torch.random.fork_rng(devices=[]), _quiet():
                    torch.set_num_threads(1)      # as the suites' workers run: same arithmetic, same order
                    yield
            finally:
                torch.set_grad_enabled(grad)
                torch.set_num_threads(threads)
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


@dataclass(frozen=True)
class Raised:
    """An output that is an exception: the qualified name of its class (e.g. "builtins.ValueError")."""

    exc_type: str


def raised(error):
    """What a student's call that raised (a ``StudentCodeError``) gave, as an output ``same`` can compare."""
    return Raised(error.exc_type)


def _raised_here(exc):
    kind = type(exc)
    return Raised(f"{kind.__module__}.{kind.__qualname__}")


def as_received(value):
    """``value`` as the grader would receive it from a worker: tensors as numpy arrays, numpy
    scalars as Python numbers, OrderedDicts as dicts (the worker's ``to_plain`` and the codec's
    round trip). Raises ``WireError`` for anything that is not plain data."""
    from grader.sandbox import codec
    from grader.sandbox.worker import to_plain

    return codec.decode(codec.encode(to_plain(value)))


def same(a, b, *, rtol=0.0, atol=0.0):
    """True when two plain-data values agree: the same types, shapes and dtypes, numbers within
    ``atol + rtol * |b|`` (NaN equal to NaN, infinities of the same sign equal)."""
    if type(a) is not type(b):
        return False
    if a is None or type(a) in (bool, str, Raised):
        return a == b
    if type(a) in (int, float):
        if a == b:
            return True
        if type(a) is float and (a != a or b != b):
            return a != a and b != b
        return abs(a - b) <= atol + rtol * abs(b)
    if type(a) is np.ndarray:
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.kind in "biu":
            return bool(np.array_equal(a, b))
        return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(same(x, y, rtol=rtol, atol=atol) for x, y in zip(a, b))
    if type(a) is dict:
        return a.keys() == b.keys() and all(same(a[k], b[k], rtol=rtol, atol=atol) for k in a)
    return False


def inspected(function, *args, **kwargs):
    """What ``student.inspect_call`` reports of a call, for trusted code run here.

    Returns a dict: "value", "warnings" (as the worker writes them, "Category: message") and
    "args_after" (the positional arguments after the call). ``record_of`` puts a student's
    ``CallRecord`` in the same form, so the two can be compared.
    """
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn", under="ignore"):
        warnings.simplefilter("always")
        value = function(*args, **kwargs)
    return {"value": value, "warnings": [f"{w.category.__name__}: {str(w.message)[:300]}" for w in caught[:20]],
            "args_after": list(args)}


def record_of(record):
    """A student's ``CallRecord`` in the form ``inspected`` returns."""
    return {"value": record.value, "warnings": list(record.warnings), "args_after": list(record.args_after)}


def _output(module, run):
    """``run(module)`` as received data; ``Raised`` when it raises; a marker when it returns something
    that is not plain data."""
    from grader.sandbox.codec import WireError

    try:
        with _isolated():
            value = run(module)
    except Exception as exc:  # noqa: BLE001 - an exception is an output too, matched by its class
        return _raised_here(exc)
    try:
        return as_received(value)
    except WireError:
        return _NOTHING


_NOTHING = object()


def find_mutant(assignment, call, args=(), kwargs=None, *, got, rtol=0.0, atol=0.0, run=None, uses=None):
    """The mutant whose output on the same inputs ``got`` reproduces, or None.

    Inputs:
    - assignment: e.g. "a1_cells".
    - call: "module.function" (e.g. "cells.rnn_cell"), called with deep copies of ``args`` and
      ``kwargs``; or "module" with ``run``, a function of the module that returns the output (for
      a sequence of calls, e.g. a forward pass and then its backward pass).
    - got: what the student's code gave, as plain data, in the form ``run`` returns (``raised(error)``
      when the student's call raised: then a mutant that raises an exception of the same class on
      these inputs, where the reference does not, is the match).
    - rtol, atol: the check's tolerance.
    - uses: the module's top-level names the call runs (only mutants that change code they may run
      are tried); with "module.function" it defaults to that function, with ``run`` to every name.

    A mutant counts only where its output differs from the reference's on these inputs, so a
    student's answer is never matched to a bug that these inputs do not show.
    """
    module_name, _, function = call.partition(".")
    if function:
        if run is not None:
            raise TypeError("give either call='module.function' with args, or call='module' with run")
        def run(module):  # noqa: E306 - the default runner: one call on copies of the arguments
            return getattr(module, function)(*copy.deepcopy(tuple(args)), **copy.deepcopy(dict(kwargs or {})))
        uses = (function,) if uses is None else uses
    elif run is None:
        raise TypeError("call='module' needs run, a function of the module")
    target = f"{module_name}.py"
    if not (SOLUTIONS / assignment / target).is_file():
        return None
    candidates = relevant_mutants(assignment, target, uses)
    if not candidates:
        return None
    reference = _output(solution_module(assignment, target), run)
    for mutant in candidates:
        try:
            module = solution_module(assignment, target, mutant)
        except (MutantError, SyntaxError):   # a stale mutant (tests/test_mutants.py reports it) names nothing
            continue
        output = _output(module, run)
        if output is _NOTHING or (reference is not _NOTHING and same(output, reference, rtol=rtol, atol=atol)):
            continue
        if same(got, output, rtol=rtol, atol=atol):
            return mutant
    return None


def diagnose(assignment, call, args=(), kwargs=None, *, got, rtol=0.0, atol=0.0, run=None, uses=None):
    """The HINT of the mutant ``got`` reproduces (see ``find_mutant``), or None."""
    mutant = find_mutant(assignment, call, args, kwargs, got=got, rtol=rtol, atol=atol, run=run, uses=uses)
    return None if mutant is None else mutant.hint
