"""Checks shared by the a2_bptt tests: run the student's forward + backward and compare.

The forward function's cache never leaves the worker: ``returning(VALUE, HANDLE)`` brings ``hs``
back as an array and keeps the cache there, and the backward call receives it as the object itself.
"""

import numpy as np

from grader.sandbox import HANDLE, VALUE
from grader.suites.a2_bptt import reference as ref
from grader.grading.testing import assert_close, assert_close_or_diagnose

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


def check_rnn(student, case, nonlinearity="tanh", k=None, numeric=True, diagnose=True, single_step_ok=False):
    """Run the student's RNN forward + (truncated) backward on case; compare with torch and numerics.

    Inputs:
    - student: the fixture; case: from reference.random_case("rnn", ...).
    - nonlinearity: "tanh" or "relu"; k: None for rnn_backward, else the truncation length.
    - numeric: also compare with centred finite differences (full BPTT only).
    - diagnose: name a known bug when the answer matches one (tanh only).
    - single_step_ok: the student passes a T = 1 case; say so in the hint when T > 1 fails.
    """
    func = "rnn_backward" if k is None else f"rnn_backward_truncated(dhs, cache, k={k})"
    hs, grads = run_rnn(student, case, nonlinearity, k)
    expected_hs, expected = ref.torch_forward_backward("rnn", case, nonlinearity, k)
    where = f"({shape_text(case)}, nonlinearity={nonlinearity!r})"
    assert_close(hs, expected_hs, **TORCH_TOL, what=f"rnn_forward: hs {where}",
                 hint="h_t = f(x_t @ W_ih.T + b_ih + h_{t-1} @ W_hh.T + b_hh), starting from h0.")
    check_grad_dict(grads, ref.RNN_NAMES, func)
    num = ref.numeric_grads("rnn", case, nonlinearity) if numeric else {}
    bugs = ref.RNN_BUG_HINTS if k is None else {}
    for name in ref.RNN_NAMES:
        candidates = {}
        if diagnose and nonlinearity == "tanh":
            candidates = ref.rnn_candidates(case, name, bugs=tuple(bugs), k=k)
            if k is not None:
                candidates.update(truncation_candidates(case, name, k))
        hint = GRAD_HINTS[name] + (MULTI_STEP_HINT if single_step_ok and case["x"].shape[1] > 1 else "")
        assert_close_or_diagnose(grads[name], expected[name], **TORCH_TOL,
                                 what=f'{func}: grads["{name}"] against torch.autograd {where}',
                                 candidates=candidates, hint=hint)
        if name in num:
            assert_close(grads[name], num[name], **NUMERIC_TOL,
                         what=f'{func}: grads["{name}"] against centred finite differences {where}',
                         hint=hint)


def truncation_candidates(case, name, k):
    """hint -> gradient `name` under the classic truncation mistakes."""
    _, full = ref.torch_forward_backward("rnn", case)
    found = {
        f"Your gradients equal those of full BPTT: with k={k} the gradient must not flow from step "
        f"t = k, 2k, ... back into the hidden state before it.": full[name],
        "Your cut is one step too late: cut the gradient between steps k-1 and k (the first chunk "
        "is steps 0..k-1).": ref.rnn_backward_with_bug(case, "truncate_late", k)[name],
        "Your cut is one step too early: the first chunk is steps 0..k-1, so the gradient stops "
        "between step k-1 and step k, not between k-2 and k-1.": ref.rnn_backward_with_bug(case, "truncate_early", k)[name],
    }
    return found


def check_lstm(student, case, numeric=True):
    """Run the student's LSTM forward + backward on case; compare with torch and numerics."""
    hs, grads = run_lstm(student, case)
    expected_hs, expected = ref.torch_forward_backward("lstm", case)
    where = f"({shape_text(case)})"
    assert_close(hs, expected_hs, **TORCH_TOL, what=f"lstm_forward: hs {where}",
                 hint="Gates [i, f, g, o] = x_t W_ih^T + b_ih + h W_hh^T + b_hh in PyTorch's order; "
                      "c_t = f*c_{t-1} + i*g, h_t = o*tanh(c_t).")
    check_grad_dict(grads, ref.LSTM_NAMES, "lstm_backward")
    no_forget = ref.lstm_without_forget_on_carry(case)
    num = ref.numeric_grads("lstm", case) if numeric else {}
    for name in ref.LSTM_NAMES:
        candidates = {"Your gradients match leaving out the forget gate on the path c_{t-1} -> c_t: "
                      "since c_t = f_t * c_{t-1} + ..., the gradient carried back is dc_t * f_t.": no_forget[name]}
        assert_close_or_diagnose(grads[name], expected[name], **TORCH_TOL,
                                 what=f'lstm_backward: grads["{name}"] against torch.autograd {where}',
                                 candidates=candidates, hint=GRAD_HINTS[name])
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
