"""Comparison helpers for hidden suites: exact types first, then shapes, dtypes, values.

Every helper raises ``AssertionError`` with a message written for the student: what was
checked, what came back, and (with ``hint``) the likely bug.
"""

import numpy as np


def _fail(what, problem, hint=None):
    message = f"{what}: {problem}"
    if hint:
        message += f"\nHint: {hint}"
    raise AssertionError(message)


def describe(value):
    """A short description of a value's type (and shape/dtype for arrays)."""
    if type(value) is np.ndarray:
        return f"np.ndarray of shape {value.shape} and dtype {value.dtype}"
    return f"{type(value).__name__} ({value!r:.60})"


def assert_array(actual, *, shape=None, dtype=None, what="the result", hint=None):
    """Check that ``actual`` is an exact ``np.ndarray`` with the given shape and dtype."""
    if type(actual) is not np.ndarray:
        _fail(what, f"expected a numpy array, got {describe(actual)}.", hint)
    if shape is not None and tuple(actual.shape) != tuple(shape):
        _fail(what, f"expected shape {tuple(shape)}, got {tuple(actual.shape)}.", hint)
    if dtype is not None and actual.dtype != np.dtype(dtype):
        _fail(what, f"expected dtype {np.dtype(dtype)}, got {actual.dtype}. Keep the dtype of the inputs.", hint)


def assert_close(actual, expected, *, rtol, atol, what="the result", hint=None, check_dtype=True):
    """Check an exact ndarray against ``expected`` (shape, dtype, then values within rtol/atol)."""
    expected = np.asarray(expected)
    assert_array(actual, shape=expected.shape, dtype=expected.dtype if check_dtype else None, what=what, hint=hint)
    if not np.all(np.isfinite(actual)) and np.all(np.isfinite(expected)):
        _fail(what, "contains NaN or inf where finite values were expected.", hint)
    error = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    bound = atol + rtol * np.abs(expected.astype(np.float64))
    if not np.all(error <= bound):
        worst = np.unravel_index(np.argmax(error - bound), error.shape)
        _fail(
            what,
            f"values differ from the expected ones (largest error {error.max():.3g} at index "
            f"{tuple(int(i) for i in worst)}: got {float(actual[worst]):.6g}, expected {float(expected[worst]):.6g}; "
            f"rtol={rtol}, atol={atol}).",
            hint,
        )


def matches(actual, expected, *, rtol, atol):
    """True when ``actual`` is an exact ndarray equal to ``expected`` within tolerance."""
    expected = np.asarray(expected)
    return (
        type(actual) is np.ndarray
        and actual.shape == expected.shape
        and bool(np.all(np.abs(actual.astype(np.float64) - expected) <= atol + rtol * np.abs(expected)))
    )


def diagnose(actual, candidates, *, rtol, atol):
    """Name the known bug whose output ``actual`` reproduces.

    Inputs:
    - actual: what the student's code returned.
    - candidates: dict mapping a hint (str) to the output that bug would give.

    Returns the first matching hint, or None.
    """
    for hint, wrong in candidates.items():
        if matches(actual, wrong, rtol=rtol, atol=atol):
            return hint
    return None


def assert_close_or_diagnose(actual, expected, *, rtol, atol, what, candidates, hint=None):
    """``assert_close``, but when the values are wrong, name the bug they match if any."""
    if matches(actual, expected, rtol=rtol, atol=atol) and actual.dtype == np.asarray(expected).dtype:
        return
    found = diagnose(actual, candidates, rtol=rtol, atol=atol)
    assert_close(actual, expected, rtol=rtol, atol=atol, what=what, hint=found or hint)


def expect_raises(exception_class, call, *args, what, hint=None, **kwargs):
    """Check that ``call(*args, **kwargs)`` (a call into student code) raises ``exception_class``.

    The check looks at the class of the student's exception as the worker reported it (the
    qualified names of its class and bases, ``StudentCodeError.exc_mro``), never at its message:
    ``raise NotImplementedError("ValueError")`` is not a ValueError, and neither is a class of the
    student's own that is merely named ValueError. A subclass of ``exception_class`` counts.

    Inputs:
    - exception_class: a builtin exception class, e.g. ValueError.
    - call: a callable that forwards to the worker (e.g. ``student.module("cells").rnn_cell``).
    - what: how the call reads in a message, e.g. "rnn_cell(..., nonlinearity='sigmoid')".

    Returns the ``StudentCodeError`` that was raised.
    """
    from grader.sandbox import StudentCodeError

    wanted = exception_class.__name__
    try:
        call(*args, **kwargs)
    except StudentCodeError as error:
        if error.is_a(exception_class):
            return error
        said = str(error)[:800] or error.exc_type
        _fail(what, f"should raise {wanted}; it raised {error.exc_type or 'another exception'} instead:\n{said}", hint)
    _fail(what, f"returned a value; it should raise {wanted}.", hint)
