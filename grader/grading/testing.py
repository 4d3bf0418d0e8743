"""The helpers every hidden suite and notebook check shares (none of them is a pytest fixture).

Every check raises ``AssertionError`` with a message written for the student: what was checked,
what came back, and the likely bug. The likely bug comes from the mutants (``grader/mutants/``):

- ``Diagnosis(...)``: handed to a check; only when the check fails does it run the reference and
  the mutants here on the same inputs (``grader.grading.diagnose``) and, if the student's output
  reproduces one of them, the message carries that mutant's HINT instead of the check's own hint;
- ``hint_of(assignment, mutant)``: a mutant's HINT, for a check that recognises its bug by what it
  observes (a mode flag, what student code fed a grader model) rather than by an output.

Comparisons check exact types first (``type(x) is np.ndarray``), then shapes, dtypes and values.
Student exceptions are asserted by class with ``expect_raises`` (never by their text).
"""

import weakref
from contextlib import contextmanager

import numpy as np

from grader.grading.diagnose import diagnose, hint_of, inspected, raised, record_of, same

__all__ = ["SAME_DTYPE", "Diagnosis", "as_number", "assert_array", "assert_close", "assert_equal", "case", "case_of",
           "describe", "expect_raises", "fail", "gradients_off", "hint_of", "inspected", "matches", "number_or_none",
           "once", "promised_dtype", "raised", "record_of", "seed_torch", "student_call", "unpack"]

# The dtype rule of a1 and a2 (their modules' docstrings): what a dtype failure says there.
SAME_DTYPE = "Keep the dtype of the inputs (float32 in, float32 out; float64 in, float64 out)."


def promised_dtype(function, dtype, when=""):
    """The dtype sentence of a failure where a docstring promises a fixed dtype.

    Inputs:
    - function: how the function reads in the message, e.g. "make_windows".
    - dtype: the promised dtype, e.g. np.float32.
    - when: an optional condition, e.g. "for an integer input".

    Returns e.g. "make_windows's docstring promises float32 whatever the dtype of its input."
    """
    condition = f" {when}" if when else " whatever the dtype of its input"
    return f"{function}'s docstring promises {np.dtype(dtype)}{condition}."


class Diagnosis:
    """Which known bug a student's output reproduces, worked out only if a check fails (then kept).

    Takes the arguments of ``grader.grading.diagnose.diagnose``: the assignment, the call (e.g.
    ``"cells.rnn_cell"`` with ``args`` and ``kwargs``, or ``"bptt"`` with ``run``, a function of the
    module), ``got`` (the student's whole output, as plain data, in the form the call returns it)
    and the check's tolerance. Give the same inputs the student's code was given.
    """

    def __init__(self, assignment, call, args=(), kwargs=None, *, got, rtol=0.0, atol=0.0, run=None, uses=None):
        self._request = dict(assignment=assignment, call=call, args=args, kwargs=kwargs, got=got, rtol=rtol,
                             atol=atol, run=run, uses=uses)
        self._hint = ...

    def hint(self):
        """The HINT of the mutant the output reproduces, or None."""
        if self._hint is ...:
            request = dict(self._request)
            try:
                self._hint = diagnose(request.pop("assignment"), request.pop("call"), **request)
            except Exception:  # noqa: BLE001 - a diagnosis that breaks must not hide the failed check
                self._hint = None
        return self._hint


def fail(what, problem, hint=None, diagnosis=None):
    """Raise the ``AssertionError`` of a failed check: "<what>: <problem>" and a hint.

    The hint is the diagnosed bug's when ``diagnosis`` finds one, else ``hint``.
    """
    found = diagnosis.hint() if diagnosis is not None else None
    message = f"{what}: {problem}"
    if found or hint:
        message += f"\nHint: {found or hint}"
    raise AssertionError(message)


def _raised_text(error):
    """A student exception's text (class, message, last lines), cut to leave room for the hint."""
    text = str(error)
    return text if len(text) <= 2000 else text[:2000] + " ..."


def student_call(function, *args, what, diagnose=None, **kwargs):
    """``function(*args, **kwargs)``, a call into student code; when the student's code raises, a failed
    check whose problem is the student's exception (its class, message and last lines).

    ``diagnose``: a function of the output that returns a ``Diagnosis``; it is given ``raised(error)``,
    so a mutant that raises an exception of the same class on the same inputs is named.
    """
    from grader.sandbox import StudentCodeError

    try:
        return function(*args, **kwargs)
    except StudentCodeError as error:
        fail(what, f"your code raised an exception.\n{_raised_text(error)}",
             diagnosis=diagnose(raised(error)) if diagnose else None)


def case_of(*, dtype=None, batched=None, **arrays):
    """A short description of an input case for messages: 'unbatched, x (3,), h (5,), float32'.

    Inputs:
    - dtype: the case's dtype (default: that of the first array).
    - batched: True, False or None (not said); default: False when the first array is 1-D.
    - arrays: name=array (or a shape tuple) of the call's inputs, in the order they are written.
    """
    shapes = {name: tuple(getattr(value, "shape", value)) for name, value in arrays.items()}
    first = next(iter(arrays.values()), None)
    if batched is None and first is not None and hasattr(first, "shape"):
        batched = len(first.shape) > 1
    if dtype is None and first is not None and hasattr(first, "dtype"):
        dtype = first.dtype
    parts = [] if batched is None else ["batched" if batched else "unbatched"]
    parts += [f"{name} {shape}" for name, shape in shapes.items()]
    parts += [] if dtype is None else [str(np.dtype(dtype))]
    return ", ".join(parts)


@contextmanager
def case(description):
    """Name the input case in front of any failure of the checks and student calls inside the block.

    ``description`` says which call and case it is, e.g. "gru_cell on an unbatched case (x (3,), h (5,),
    float64)". Inside the block, an exception of the student's code becomes a failed check
    "<description>: your code raised an exception ..."; a failed check whose message does not
    already name the case gets "<description>: " in front; any other error (a value of an
    unexpected kind that broke the check itself) becomes a failed check that names the case too.
    """
    from grader.sandbox import StudentCodeError

    try:
        yield
    except StudentCodeError as error:
        fail(description, f"your code raised an exception.\n{_raised_text(error)}")
    except AssertionError as error:
        text = str(error)
        if description in text:
            raise
        raise AssertionError(f"{description}: {text}") from None
    except Exception as error:  # noqa: BLE001 - the check broke on what came back: say on which case
        fail(description, f"the check could not be completed ({type(error).__name__}: {str(error)[:300]}). "
             "This usually means a value of an unexpected shape or kind came back from your code.")


def describe(value):
    """A short description of a value's type (and shape/dtype for arrays)."""
    if type(value) is np.ndarray:
        return f"np.ndarray of shape {value.shape} and dtype {value.dtype}"
    return f"{type(value).__name__} ({value!r:.60})"


def assert_array(actual, *, shape=None, dtype=None, what="the result", hint=None, diagnosis=None, dtype_rule=None):
    """Check that ``actual`` is an exact ``np.ndarray`` with the given shape and dtype.

    ``dtype_rule``: the sentence a dtype failure adds, what the docstring promises (``SAME_DTYPE``,
    ``promised_dtype(...)``); without it the failure says only which dtype was expected.
    """
    if type(actual) is not np.ndarray:
        fail(what, f"expected a numpy array, got {describe(actual)}.", hint, diagnosis)
    if shape is not None and tuple(actual.shape) != tuple(shape):
        fail(what, f"expected shape {tuple(shape)}, got {tuple(actual.shape)}.", hint, diagnosis)
    if dtype is not None and actual.dtype != np.dtype(dtype):
        rule = f" {dtype_rule}" if dtype_rule else ""
        fail(what, f"expected dtype {np.dtype(dtype)}, got {actual.dtype}.{rule}", hint, diagnosis)


def assert_close(actual, expected, *, rtol, atol, what="the result", hint=None, check_dtype=True, diagnosis=None,
                 dtype_rule=None):
    """Check an exact ndarray against ``expected`` (shape, dtype, then values within rtol/atol).

    ``dtype_rule``: as for ``assert_array``.
    """
    expected = np.asarray(expected)
    assert_array(actual, shape=expected.shape, dtype=expected.dtype if check_dtype else None, what=what, hint=hint,
                 diagnosis=diagnosis, dtype_rule=dtype_rule)
    if actual.dtype.kind not in "biuf":
        fail(what, f"expected numbers, got an array of dtype {actual.dtype}.", hint, diagnosis)
    if not np.all(np.isfinite(actual)) and np.all(np.isfinite(expected)):
        fail(what, "contains NaN or inf where finite values were expected.", hint, diagnosis)
    error = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    bound = atol + rtol * np.abs(expected.astype(np.float64))
    if not np.all(error <= bound):
        worst = np.unravel_index(np.argmax(error - bound), error.shape)
        fail(what,
             f"values differ from the expected ones (largest error {error.max():.3g} at index "
             f"{tuple(int(i) for i in worst)}: got {float(actual[worst]):.6g}, expected {float(expected[worst]):.6g}; "
             f"rtol={rtol}, atol={atol}).", hint, diagnosis)


def assert_equal(actual, expected, *, what="the result", hint=None, diagnosis=None):
    """Check plain data (numbers, strings, lists, tuples, dicts, arrays) for exact equality, types included."""
    if not same(actual, expected):
        fail(what, f"got {actual!r:.200}, expected {expected!r:.200}.", hint, diagnosis)


def matches(actual, expected, *, rtol, atol):
    """True when ``actual`` is an exact ndarray equal to ``expected`` within tolerance."""
    expected = np.asarray(expected)
    return (
        type(actual) is np.ndarray
        and actual.shape == expected.shape
        and actual.dtype.kind in "biuf"
        and bool(np.all(np.abs(actual.astype(np.float64) - expected) <= atol + rtol * np.abs(expected)))
    )


def number_or_none(value):
    """A float from an int, a float or a numeric array of one element; None for anything else."""
    if type(value) in (int, float):
        return float(value)
    if type(value) is np.ndarray and value.size == 1 and value.dtype.kind in "iuf":
        return float(value.reshape(-1)[0])
    return None


def as_number(value, what, hint=None):
    """A float from a returned scalar (float, int or a one-element array); a failed check otherwise."""
    number = number_or_none(value)
    if number is None:
        fail(what, f"expected a number (a Python float), got {type(value).__name__} ({value!r:.60}).", hint)
    return number


def unpack(value, names, what):
    """The items of a tuple result (a tuple or list of ``len(names)`` items), or a failed check.

    ``names`` are the items' names for the message, e.g. ("loss", "grads").
    """
    if type(value) not in (tuple, list) or len(value) != len(names):
        size = f" of {len(value)} items" if type(value) in (tuple, list) else ""
        fail(what, f"must return a tuple ({', '.join(names)}); it returned a {type(value).__name__}{size}.")
    return tuple(value)


def expect_raises(exception_class, call, *args, what, hint=None, diagnose=None, **kwargs):
    """Check that ``call(*args, **kwargs)`` (a call into student code) raises ``exception_class``.

    The check looks at the class of the student's exception as the worker reported it (the
    qualified names of its class and bases, ``StudentCodeError.exc_mro``), never at its message:
    ``raise NotImplementedError("ValueError")`` is not a ValueError, and neither is a class of the
    student's own that is merely named ValueError. A subclass of ``exception_class`` counts.

    Inputs:
    - exception_class: a builtin exception class, e.g. ValueError.
    - call: a callable that forwards to the worker (e.g. ``student.module("cells").rnn_cell``).
    - what: how the call reads in a message, e.g. "rnn_cell(..., nonlinearity='sigmoid')".
    - diagnose: optional, a function of what the call gave (``raised(error)`` for another exception class,
      else the value it returned) that returns a ``Diagnosis``: a mutant that does the same is named.

    Returns the ``StudentCodeError`` that was raised (its ``exc_message`` is the student's message).
    """
    from grader.sandbox import StudentCodeError

    wanted = exception_class.__name__
    try:
        value = call(*args, **kwargs)
    except StudentCodeError as error:
        if error.is_a(exception_class):
            return error
        said = str(error)[:800] or error.exc_type
        fail(what, f"should raise {wanted}; it raised {error.exc_type or 'another exception'} instead:\n{said}", hint,
             diagnose(raised(error)) if diagnose else None)
    fail(what, f"returned a value; it should raise {wanted}.", hint, diagnose(value) if diagnose else None)


_RUNS = weakref.WeakKeyDictionary()


def once(student, name, compute):
    """``compute()`` run once per submission and kept, for work several tests read (a training run).

    The value is kept per ``student`` (the ``Submission``) under ``name``; an exception is kept too
    and raised again by every test that asks for the run, so each fails with the same message.
    """
    runs = _RUNS.setdefault(student, {})
    if name not in runs:
        try:
            runs[name] = (True, compute())
        except BaseException as exc:  # noqa: BLE001 - kept and raised again for every reader
            if not isinstance(exc, Exception):
                raise
            runs[name] = (False, exc)
    ok, value = runs[name]
    if not ok:
        raise value
    return value


def seed_torch(sub, seed):
    """One thread and ``torch.manual_seed(seed)`` in the worker (what a notebook cell would do first)."""
    torch = sub.module("torch")
    torch.set_num_threads(1)
    torch.manual_seed.remote(seed)


@contextmanager
def gradients_off(sub):
    """Disable autograd in the worker for the calls inside (as ``torch.no_grad()`` would)."""
    from grader.sandbox import SubmissionFailure

    sub.module("torch").set_grad_enabled.remote(False)
    try:
        yield
    finally:
        if sub.worker.alive():
            try:
                sub.module("torch").set_grad_enabled.remote(True)
            except SubmissionFailure:
                pass
