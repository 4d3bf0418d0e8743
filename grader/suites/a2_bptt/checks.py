"""Checks shared by the a2_bptt tests (and its notebook checks): run the student's forward and
backward passes and compare with torch.autograd.

The forward function's cache never leaves the worker: ``returning(VALUE, HANDLE)`` brings ``hs``
back as an array and keeps the cache there, and the backward call receives it as the object itself.
When a comparison fails, ``Diagnosis`` runs the mutants of bptt.py (grader/mutants/a2_bptt/) on the
same case, here in the grader, and names the bug the student's hs and gradients reproduce.
"""

import numpy as np

from grader.grading.testing import Diagnosis, assert_close
from grader.sandbox import HANDLE, VALUE
from grader.suites.a2_bptt import reference as ref

ASSIGNMENT = "a2_bptt"

# float64 against torch.autograd: both are exact up to rounding (observed errors < 1e-13).
TORCH_TOL = dict(rtol=1e-7, atol=1e-9)
# float64 against centred differences with eps=1e-6: truncation and rounding error of the
# reference itself stay below 1e-8 on these cases (checked by the suite against torch).
NUMERIC_TOL = dict(rtol=1e-5, atol=1e-7)

GRAD_HINTS = {
    "x": "dx_t = da_t @ W_ih, where da_t is the gradient with respect to the pre-activation of step t.",
    "h0": "The gradient of h0 is what your loop carries back out of the first step (t = 0).",
    "c0": "The gradient of c0 is the cell-state gradient carried back out of the first step: dc_0 * f_0.",
    "W_ih": "dW_ih is the sum over all steps of da_t^T @ x_t (a matrix of shape (G*H, D)).",
    "W_hh": "dW_hh is the sum over all steps of da_t^T @ h_{t-1}, with h_{t-1} = h0 at the first step.",
    "b_ih": "db_ih is da summed over the batch and over all time steps.",
    "b_hh": "db_hh is da summed over the batch and over all time steps (the same as db_ih).",
}


def shape_text(case):
    """'N=.., T=.., D=.., H=..' for messages."""
    N, T, D = case["x"].shape
    return f"N={N}, T={T}, D={D}, H={case['h0'].shape[1]}"


def check_grad_dict(grads, names, func):
    """The backward function must return a dict with exactly the expected keys."""
    assert type(grads) is dict, f"{func} must return a dict of gradients, got {type(grads).__name__}."
    missing = [n for n in names if n not in grads]
    assert not missing, f"{func} returned a dict without the key(s) {missing}; expected keys {list(names)}."


MULTI_STEP_HINT = (" Your gradients are right on a T = 1 case, so one step is fine and the problem is how "
                   "steps combine: do you sum the weight gradients over ALL time steps, and add dhs[:, t] to "
                   "the gradient carried back from step t+1?")


def single_step_is_right(student):
    """True when the student's rnn_forward + rnn_backward pass on a T = 1 case (for hints only)."""
    try:
        check_rnn(student, ref.random_case("rnn", 2, 1, 3, 4, seed=5), numeric=False, diagnose=False)
    except AssertionError:
        return False
    return True


def run_rnn(student, case, nonlinearity="tanh", k=None):
    """The student's rnn_forward on case, then rnn_backward (or rnn_backward_truncated when k is given).

    Returns ``(hs, grads)`` as plain data; the cache stays in the worker between the two calls.
    """
    bptt = student.module("bptt")
    options = {} if nonlinearity == "tanh" else {"nonlinearity": nonlinearity}
    hs, cache = bptt.rnn_forward.returning(VALUE, HANDLE)(*ref.args_of("rnn", case), **options)
    if k is None:
        return hs, bptt.rnn_backward(case["dhs"], cache)
    return hs, bptt.rnn_backward_truncated(case["dhs"], cache, k)


def run_lstm(student, case):
    """The student's lstm_forward on case, then lstm_backward; returns ``(hs, grads)`` as plain data."""
    bptt = student.module("bptt")
    hs, cache = bptt.lstm_forward.returning(VALUE, HANDLE)(*ref.args_of("lstm", case))
    return hs, bptt.lstm_backward(case["dhs"], cache)


def known_pass(kind, case, nonlinearity="tanh", k=None):
    """The same forward and backward calls, for a module of ours (the reference or a mutant): a
    function of the module that returns ``(hs, grads)``, for ``Diagnosis``."""
    names = ref.LSTM_NAMES if kind == "lstm" else ref.RNN_NAMES

    def run(bptt):
        args = [np.array(a, copy=True) for a in ref.args_of(kind, case)]
        options = {} if nonlinearity == "tanh" else {"nonlinearity": nonlinearity}
        hs, cache = getattr(bptt, f"{kind}_forward")(*args, **options)
        dhs = np.array(case["dhs"], copy=True)
        grads = (getattr(bptt, f"{kind}_backward")(dhs, cache) if k is None
                 else bptt.rnn_backward_truncated(dhs, cache, k))
        return hs, {name: grads[name] for name in names}

    return run


def diagnosis_of(kind, case, hs, grads, nonlinearity="tanh", k=None, **tolerance):
    """The known bug the student's ``hs`` and ``grads`` (all of the expected names) reproduce."""
    names = ref.LSTM_NAMES if kind == "lstm" else ref.RNN_NAMES
    got = (hs, {name: grads.get(name) for name in names} if type(grads) is dict else grads)
    backward = f"{kind}_backward" if k is None else "rnn_backward_truncated"
    return Diagnosis(ASSIGNMENT, "bptt", run=known_pass(kind, case, nonlinearity, k), got=got, **tolerance,
                     uses=(f"{kind}_forward", backward))


def check_rnn(student, case, nonlinearity="tanh", k=None, numeric=True, diagnose=True, single_step_ok=False):
    """Run the student's RNN forward + (truncated) backward on case; compare with torch and numerics.

    Inputs:
    - student: the fixture; case: from reference.random_case("rnn", ...).
    - nonlinearity: "tanh" or "relu"; k: None for rnn_backward, else the truncation length.
    - numeric: also compare with centred finite differences (full BPTT only).
    - diagnose: name the known bug the answer reproduces, if any (off for a quick probe).
    - single_step_ok: the student passes a T = 1 case; say so in the hint when T > 1 fails.
    """
    func = "rnn_backward" if k is None else f"rnn_backward_truncated(dhs, cache, k={k})"
    hs, grads = run_rnn(student, case, nonlinearity, k)
    expected_hs, expected = ref.torch_forward_backward("rnn", case, nonlinearity, k)
    where = f"({shape_text(case)}, nonlinearity={nonlinearity!r})"
    diagnosis = diagnosis_of("rnn", case, hs, grads, nonlinearity, k, **TORCH_TOL) if diagnose else None
    assert_close(hs, expected_hs, **TORCH_TOL, what=f"rnn_forward: hs {where}",
                 hint="h_t = f(x_t @ W_ih.T + b_ih + h_{t-1} @ W_hh.T + b_hh), starting from h0.", diagnosis=diagnosis)
    check_grad_dict(grads, ref.RNN_NAMES, func)
    num = ref.numeric_grads("rnn", case, nonlinearity) if numeric else {}
    for name in ref.RNN_NAMES:
        hint = GRAD_HINTS[name] + (MULTI_STEP_HINT if single_step_ok and case["x"].shape[1] > 1 else "")
        if k is not None:
            hint = TRUNCATION_HINT.format(k=k) + " " + GRAD_HINTS[name]
        assert_close(grads[name], expected[name], **TORCH_TOL, hint=hint, diagnosis=diagnosis,
                     what=f'{func}: grads["{name}"] against torch.autograd {where}')
        if name in num:
            assert_close(grads[name], num[name], **NUMERIC_TOL,
                         what=f'{func}: grads["{name}"] against centred finite differences {where}', hint=hint)


TRUNCATION_HINT = ("with k={k} the chunks are steps 0..k-1, k..2k-1, ...: inside a chunk the gradient flows back as in "
                   "rnn_backward, from a chunk into the one before it flows nothing, and the weight gradients are "
                   "summed over all chunks.")


def check_lstm(student, case, numeric=True):
    """Run the student's LSTM forward + backward on case; compare with torch and numerics."""
    hs, grads = run_lstm(student, case)
    expected_hs, expected = ref.torch_forward_backward("lstm", case)
    where = f"({shape_text(case)})"
    diagnosis = diagnosis_of("lstm", case, hs, grads, **TORCH_TOL)
    assert_close(hs, expected_hs, **TORCH_TOL, what=f"lstm_forward: hs {where}",
                 hint="Gates [i, f, g, o] = x_t W_ih^T + b_ih + h W_hh^T + b_hh in PyTorch's order; "
                      "c_t = f*c_{t-1} + i*g, h_t = o*tanh(c_t).", diagnosis=diagnosis)
    check_grad_dict(grads, ref.LSTM_NAMES, "lstm_backward")
    num = ref.numeric_grads("lstm", case) if numeric else {}
    for name in ref.LSTM_NAMES:
        assert_close(grads[name], expected[name], **TORCH_TOL,
                     what=f'lstm_backward: grads["{name}"] against torch.autograd {where}', hint=GRAD_HINTS[name],
                     diagnosis=diagnosis)
        if name in num:
            assert_close(grads[name], num[name], **NUMERIC_TOL,
                         what=f'lstm_backward: grads["{name}"] against centred finite differences {where}',
                         hint=GRAD_HINTS[name])


def as_parameters(trained, V, H, what, exact=True):
    """Trained parameters of the character model as float64 arrays of the model's shapes, or a failed check.

    ``what`` names them in messages, e.g. "After training, adagrad_step's new_params". With ``exact``
    the dict must hold the six keys and nothing else; otherwise other keys are ignored.
    """
    keys_ok = type(trained) is dict and (set(trained) == set(ref.PARAM_NAMES) if exact
                                         else set(ref.PARAM_NAMES) <= set(trained))
    assert keys_ok, (
        f"{what} must be a dict with the keys {list(ref.PARAM_NAMES)}; got {type(trained).__name__}"
        + (f" with the keys {sorted(map(str, trained))[:10]}." if type(trained) is dict else "."))
    params = {}
    for name, shape in ref.param_shapes(V, H).items():
        try:
            params[name] = np.asarray(trained[name], dtype=np.float64)
        except (TypeError, ValueError):
            raise AssertionError(f'{what}["{name}"] is not an array of numbers.') from None
        assert params[name].shape == shape, f'{what}["{name}"] has shape {params[name].shape}; it must be {shape}.'
    return params
