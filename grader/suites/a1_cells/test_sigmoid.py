"""Hidden tests of sigmoid: values, numerical stability, dtype (float64 for an integer input), inputs untouched."""

import numpy as np
import pytest

from grader.grading.testing import SAME_DTYPE, Diagnosis, assert_close, fail, inspected, promised_dtype, record_of
from grader.suites.a1_cells.checks import ASSIGNMENT

STABILITY_HINT = "compute exp only of non-positive numbers, exp(-|x|), so that nothing overflows."


def diagnosis_of(record, x, **tolerance):
    """The known bug behind a sigmoid call's record: its value, its warnings, its argument afterwards."""
    return Diagnosis(ASSIGNMENT, "cells", got=record_of(record), **tolerance, uses=("sigmoid",),
                     run=lambda cells: inspected(cells.sigmoid, x.copy()))


@pytest.mark.points(2)
def test_sigmoid_known_values(student):
    x = np.linspace(-30, 30, 7)
    expected = [9.3576229688e-14, 2.0611536182e-09, 4.5397868702e-05, 0.5, 9.9995460213e-01, 9.9999999794e-01, 1.0]
    got = student.module("cells").sigmoid(x)
    assert_close(got, np.array(expected), rtol=1e-9, atol=1e-15, what="sigmoid(np.linspace(-30, 30, 7))",
                 diagnosis=Diagnosis(ASSIGNMENT, "cells.sigmoid", (x,), got=got, rtol=1e-9, atol=1e-15))


@pytest.mark.points(2)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_no_overflow_warning(student, dtype):
    x = np.linspace(-1e4, 1e4, 2001).astype(dtype)
    record = student.inspect_call("cells", "sigmoid", x)
    diagnosis = diagnosis_of(record, x, rtol=1e-6, atol=1e-30)
    what = f"sigmoid of {np.dtype(dtype)} x in [-1e4, 1e4]"
    if record.warnings:
        fail(what, f"it warned ({record.warnings[0]}).", STABILITY_HINT, diagnosis)
    expected = (1 / (1 + np.exp(-np.clip(x.astype(np.float64), -700, 700)))).astype(dtype)
    assert_close(record.value, expected, rtol=1e-6, atol=1e-30, what=what, hint=STABILITY_HINT, diagnosis=diagnosis,
                 dtype_rule=SAME_DTYPE)


@pytest.mark.points(1)
def test_sigmoid_shape_dtype_and_input_untouched(student):
    x = np.linspace(-5, 5, 24).reshape(2, 3, 4).astype(np.float32)
    record = student.inspect_call("cells", "sigmoid", x)
    diagnosis = diagnosis_of(record, x, rtol=1e-6, atol=1e-7)
    expected = (1 / (1 + np.exp(-x.astype(np.float64)))).astype(np.float32)
    assert_close(record.value, expected, rtol=1e-6, atol=1e-7, what="sigmoid of a (2, 3, 4) float32 array",
                 diagnosis=diagnosis, dtype_rule=SAME_DTYPE)
    if not (len(record.args_after) == 1 and np.array_equal(record.args_after[0], x)):
        fail("sigmoid of a (2, 3, 4) float32 array", "it modified its input in place.", "return a new array.",
             diagnosis)


@pytest.mark.points(1)
def test_sigmoid_of_integers_is_float64(student):
    # the docstring: "an integer array gives a float64 result" (int64 and int32 alike).
    for dtype in (np.int64, np.int32):
        x = np.arange(-6, 7, dtype=dtype).reshape(13, 1)
        what = f"sigmoid of a (13, 1) {np.dtype(dtype)} array (np.arange(-6, 7))"
        got = student.module("cells").sigmoid(x)
        assert_close(got, 1 / (1 + np.exp(-x.astype(np.float64))), rtol=1e-12, atol=1e-15, what=what,
                     dtype_rule=promised_dtype("sigmoid", np.float64, "for an integer input"),
                     diagnosis=Diagnosis(ASSIGNMENT, "cells.sigmoid", (x,), got=got, rtol=1e-12, atol=1e-15))
