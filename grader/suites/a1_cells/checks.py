"""Checks shared by the a1_cells tests: run a student's cell on a case and compare with PyTorch.

When a comparison fails, ``Diagnosis`` runs the mutants of cells.py on the same case and names the
bug the student's output reproduces (grader/mutants/a1_cells/).
"""

import copy

import numpy as np

from grader.grading.testing import (SAME_DTYPE, Diagnosis, assert_array, assert_close, case, case_of, fail, inspected,
                                   record_of, student_call)
from grader.suites.a1_cells import reference as ref

ASSIGNMENT = "a1_cells"
TOLERANCE = {np.float64: dict(rtol=1e-7, atol=1e-9), np.float32: dict(rtol=1e-4, atol=1e-5)}
CELL_HINT = "c' = f * c + i * g with g = tanh(a_g): check the forget gate f multiplies c."
SATURATION_HINT = ("Large pre-activations must give tanh -> +-1 and sigmoid -> 0 or 1 without overflow: use np.tanh "
                   "(not a formula with exp) and the stable sigmoid, which computes exp only of non-positive numbers.")


def case_text(kind, inputs, nonlinearity="tanh"):
    """'lstm_cell on the case: unbatched, x (3,), h (5,), c (5,), float64' for messages."""
    names = ["x", "h", "c"] if kind == "lstm" else ["x", "h"]
    option = f", nonlinearity={nonlinearity!r}" if kind == "rnn" and nonlinearity != "tanh" else ""
    return f"{kind}_cell on the case: {case_of(**{name: inputs[name] for name in names})}{option}"


def compare_cell(out, expected, kind, diagnosis, tolerance, name):
    """Compare a cell's output (a pair for the LSTM) with ``expected``; name the bug when one matches."""
    if kind != "lstm":
        assert_close(out, expected, **tolerance, what=name, diagnosis=diagnosis, dtype_rule=SAME_DTYPE)
        return
    if type(out) not in (tuple, list) or len(out) != 2:
        fail(name, f"expected a tuple (h_next, c_next), got {type(out).__name__}.")
    assert_array(out[1], shape=expected[1].shape, what=f"c_next of {name}", diagnosis=diagnosis)
    assert_close(out[0], expected[0], **tolerance, what=f"h_next of {name}", diagnosis=diagnosis, dtype_rule=SAME_DTYPE)
    assert_close(out[1], expected[1], **tolerance, what=f"c_next of {name}", hint=CELL_HINT, diagnosis=diagnosis,
                 dtype_rule=SAME_DTYPE)


def check_cell(cell_function, kind, inputs, nonlinearity="tanh", expected=None, tolerance=None, name=None):
    """Call the student's cell on the case ``inputs`` and compare every output with PyTorch's (or ``expected``).

    Every failure, an exception of the student's code included, names the case (batched or
    unbatched, shapes, dtype).
    """
    args = ref.arguments(kind, inputs)
    kwargs = {"nonlinearity": nonlinearity} if kind == "rnn" and nonlinearity != "tanh" else {}
    tolerance = tolerance or TOLERANCE[inputs["x"].dtype.type]
    name = name or case_text(kind, inputs, nonlinearity)

    def diagnosis_of(out):
        return Diagnosis(ASSIGNMENT, f"cells.{kind}_cell", args, kwargs, got=out, **tolerance)

    with case(name):
        out = student_call(cell_function, *args, what=name, diagnose=diagnosis_of, **kwargs)
        expected = ref.torch_step(kind, inputs, nonlinearity) if expected is None else expected
        compare_cell(out, expected, kind, diagnosis_of(out), tolerance, name)


def check_saturated(student, kind, dtype, nonlinearity="tanh"):
    """The student's cell on pre-activations up to +-1e3 (``ref.saturated_case``): PyTorch's values, no NaN or
    inf, and no warning (an overflow in exp warns even where the value comes out right)."""
    inputs = ref.saturated_case(kind, dtype)
    args = ref.arguments(kind, inputs)
    kwargs = {"nonlinearity": nonlinearity} if nonlinearity != "tanh" else {}
    func = f"{kind}_cell"
    tolerance = TOLERANCE[np.dtype(dtype).type]
    name = f"{case_text(kind, inputs, nonlinearity)}, pre-activations up to +-1e3"
    with case(name):
        record = student.inspect_call("cells", func, *args, **kwargs)
        diagnosis = Diagnosis(ASSIGNMENT, "cells", got=record_of(record), **tolerance, uses=(func, "sigmoid"),
                              run=lambda cells: inspected(getattr(cells, func), *copy.deepcopy(args), **kwargs))
        if record.warnings:
            fail(name, f"it warned ({record.warnings[0]}).", SATURATION_HINT, diagnosis)
        compare_cell(record.value, ref.torch_step(kind, inputs, nonlinearity), kind, diagnosis, tolerance, name)


def linspace_case(kind):
    """The fixed case behind the hard-coded expected values: everything from np.linspace."""
    G = ref.GATES[kind]
    inputs = {
        "x": np.linspace(-1, 1, 6).reshape(2, 3),
        "h": np.linspace(-0.5, 0.5, 4).reshape(2, 2),
        "W_ih": np.linspace(-0.6, 0.6, G * 2 * 3).reshape(G * 2, 3),
        "W_hh": np.linspace(-0.4, 0.8, G * 2 * 2).reshape(G * 2, 2),
        "b_ih": np.linspace(-0.2, 0.2, G * 2),
        "b_hh": np.linspace(0.1, -0.3, G * 2),
    }
    if kind == "lstm":
        inputs["c"] = np.linspace(-1, 0.5, 4).reshape(2, 2)
    return inputs


def check_inputs_untouched(student, func, kind):
    """Call ``func`` on a float64 case: the result must be right and no argument may have changed.

    A function that does nothing (returns None) keeps its inputs untouched too, so the result is
    checked first: this test gives its point for a correct cell that leaves its inputs alone.
    """
    inputs = ref.random_case(kind, 3, 4, 5, np.float64, seed=99)
    args = ref.arguments(kind, inputs)
    tolerance = TOLERANCE[np.float64]
    name = case_text(kind, inputs)
    with case(name):
        record = student.inspect_call("cells", func, *args)
        diagnosis = Diagnosis(ASSIGNMENT, "cells", got=record_of(record), **tolerance, uses=(func,),
                              run=lambda cells: inspected(getattr(cells, func), *copy.deepcopy(args)))
        compare_cell(record.value, ref.torch_step(kind, inputs), kind, diagnosis, tolerance, name)
    names = (["x", "h", "c"] if kind == "lstm" else ["x", "h"]) + ["W_ih", "W_hh", "b_ih", "b_hh"]
    if len(record.args_after) != len(args):
        fail(func, "the grader could not read its arguments back after the call.")
    for arg, before, after in zip(names, args, record.args_after):
        if type(after) is not np.ndarray or not np.array_equal(before, after):
            fail(name, f"modified its argument {arg} in place.",
                 "Never write into an input (no `+=` on an argument, no `out=`): compute new arrays instead.",
                 diagnosis)
