"""Checks shared by the a1_cells tests: run a student's cell on a case and compare with PyTorch.

When a comparison fails, ``Diagnosis`` runs the mutants of cells.py on the same case and names the
bug the student's output reproduces (grader/mutants/a1_cells/).
"""

import copy

import numpy as np

from grader.grading.testing import Diagnosis, assert_array, assert_close, fail, inspected, record_of, student_call
from grader.suites.a1_cells import reference as ref

ASSIGNMENT = "a1_cells"
TOLERANCE = {np.float64: dict(rtol=1e-7, atol=1e-9), np.float32: dict(rtol=1e-4, atol=1e-5)}
CELL_HINT = "c' = f * c + i * g with g = tanh(a_g): check the forget gate f multiplies c."


def case_text(kind, case):
    """'lstm_cell on a case with N=4, D=3, H=5, float64' for messages."""
    N = "unbatched" if case["x"].ndim == 1 else f"N={case['x'].shape[0]}"
    return f"{kind}_cell on a case with {N}, D={case['x'].shape[-1]}, H={case['h'].shape[-1]}, {case['x'].dtype}"


def compare_cell(out, expected, kind, diagnosis, tolerance, name):
    """Compare a cell's output (a pair for the LSTM) with ``expected``; name the bug when one matches."""
    if kind != "lstm":
        assert_close(out, expected, **tolerance, what=name, diagnosis=diagnosis)
        return
    if type(out) not in (tuple, list) or len(out) != 2:
        fail(name, f"expected a tuple (h_next, c_next), got {type(out).__name__}.")
    assert_array(out[1], shape=expected[1].shape, what=f"c_next of {name}", diagnosis=diagnosis)
    assert_close(out[0], expected[0], **tolerance, what=f"h_next of {name}", diagnosis=diagnosis)
    assert_close(out[1], expected[1], **tolerance, what=f"c_next of {name}", hint=CELL_HINT, diagnosis=diagnosis)


def check_cell(cell_function, kind, case, nonlinearity="tanh", expected=None, tolerance=None, name=None):
    """Call the student's cell on ``case`` and compare every output with PyTorch's (or ``expected``)."""
    args = ref.arguments(kind, case)
    kwargs = {"nonlinearity": nonlinearity} if kind == "rnn" and nonlinearity != "tanh" else {}
    tolerance = tolerance or TOLERANCE[case["x"].dtype.type]
    name = name or case_text(kind, case)

    def diagnosis_of(out):
        return Diagnosis(ASSIGNMENT, f"cells.{kind}_cell", args, kwargs, got=out, **tolerance)

    out = student_call(cell_function, *args, what=name, diagnose=diagnosis_of, **kwargs)
    expected = ref.torch_step(kind, case, nonlinearity) if expected is None else expected
    compare_cell(out, expected, kind, diagnosis_of(out), tolerance, name)


def linspace_case(kind):
    """The fixed case behind the hard-coded expected values: everything from np.linspace."""
    G = ref.GATES[kind]
    case = {
        "x": np.linspace(-1, 1, 6).reshape(2, 3),
        "h": np.linspace(-0.5, 0.5, 4).reshape(2, 2),
        "W_ih": np.linspace(-0.6, 0.6, G * 2 * 3).reshape(G * 2, 3),
        "W_hh": np.linspace(-0.4, 0.8, G * 2 * 2).reshape(G * 2, 2),
        "b_ih": np.linspace(-0.2, 0.2, G * 2),
        "b_hh": np.linspace(0.1, -0.3, G * 2),
    }
    if kind == "lstm":
        case["c"] = np.linspace(-1, 0.5, 4).reshape(2, 2)
    return case


def check_inputs_untouched(student, func, kind):
    """Call ``func`` on a float64 case: the result must be right and no argument may have changed.

    A function that does nothing (returns None) keeps its inputs untouched too, so the result is
    checked first: this test gives its point for a correct cell that leaves its inputs alone.
    """
    case = ref.random_case(kind, 3, 4, 5, np.float64, seed=99)
    args = ref.arguments(kind, case)
    record = student.inspect_call("cells", func, *args)
    tolerance = TOLERANCE[np.float64]
    diagnosis = Diagnosis(ASSIGNMENT, "cells", got=record_of(record), **tolerance, uses=(func,),
                          run=lambda cells: inspected(getattr(cells, func), *copy.deepcopy(args)))
    name = f"{func} on an N=3, D=4, H=5 float64 case"
    compare_cell(record.value, ref.torch_step(kind, case), kind, diagnosis, tolerance, name)
    names = (["x", "h", "c"] if kind == "lstm" else ["x", "h"]) + ["W_ih", "W_hh", "b_ih", "b_hh"]
    if len(record.args_after) != len(args):
        fail(func, "the grader could not read its arguments back after the call.")
    for arg, before, after in zip(names, args, record.args_after):
        if type(after) is not np.ndarray or not np.array_equal(before, after):
            fail(func, f"modified its argument {arg} in place.",
                 "Never write into an input (no `+=` on an argument, no `out=`): compute new arrays instead.",
                 diagnosis)
