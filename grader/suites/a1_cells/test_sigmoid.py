"""Hidden tests of sigmoid: values, numerical stability, dtype, inputs untouched."""

import numpy as np
import pytest

from grader.grading.testing import assert_close

STABILITY_HINT = (
    "exp(-x) overflows for large negative x. Use exp(-|x|): 1/(1+exp(-|x|)) for x >= 0 and "
    "exp(-|x|)/(1+exp(-|x|)) for x < 0."
)


@pytest.mark.points(2)
def test_sigmoid_known_values(student):
    x = np.linspace(-30, 30, 7)
    expected = [9.3576229688e-14, 2.0611536182e-09, 4.5397868702e-05, 0.5, 9.9995460213e-01, 9.9999999794e-01, 1.0]
    assert_close(student.module("cells").sigmoid(x), np.array(expected), rtol=1e-9, atol=1e-15,
                 what="sigmoid(np.linspace(-30, 30, 7))")


@pytest.mark.points(2)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_no_overflow_warning(student, dtype):
    x = np.linspace(-1e4, 1e4, 2001).astype(dtype)
    record = student.inspect_call("cells", "sigmoid", x)
    if record.warnings:
        raise AssertionError(f"sigmoid warned for |x| up to 1e4 ({record.warnings[0]}).\nHint: {STABILITY_HINT}")
    expected = (1 / (1 + np.exp(-np.clip(x.astype(np.float64), -700, 700)))).astype(dtype)
    assert_close(record.value, expected, rtol=1e-6, atol=1e-30, what=f"sigmoid of {np.dtype(dtype)} x in [-1e4, 1e4]",
                 hint=STABILITY_HINT)


@pytest.mark.points(1)
def test_sigmoid_shape_dtype_and_input_untouched(student):
    x = np.linspace(-5, 5, 24).reshape(2, 3, 4).astype(np.float32)
    record = student.inspect_call("cells", "sigmoid", x)
    expected = (1 / (1 + np.exp(-x.astype(np.float64)))).astype(np.float32)
    assert_close(record.value, expected, rtol=1e-6, atol=1e-7, what="sigmoid of a (2, 3, 4) float32 array")
    assert np.array_equal(record.args_after[0], x), "sigmoid modified its input in place: return a new array."
