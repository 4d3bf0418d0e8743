"""Checks shared by the a2_bptt tests (and its notebook checks): run the student's forward and
backward passes and compare with torch.autograd.

The forward function's cache never leaves the worker: ``returning(VALUE, HANDLE)`` brings ``hs``
back as an array and keeps the cache there, and the backward call receives it as the object itself.
When a comparison fails, ``Diagnosis`` runs the mutants of bptt.py (grader/mutants/a2_bptt/) on the
same case, here in the grader, and names the bug the student's hs and gradients reproduce.
"""

from functools import partial

import numpy as np

from grader.grading import testing
from grader.grading.testing import SAME_DTYPE, Diagnosis, case_of, fail, hint_of, raised
from grader.sandbox import HANDLE, VALUE, StudentCodeError
from grader.suites.a2_bptt import reference as ref

ASSIGNMENT = "a2_bptt"

# Every a2 function keeps the dtype of its inputs (the module's dtype rule): a dtype failure says so.
assert_close = partial(testing.assert_close, dtype_rule=SAME_DTYPE)

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


def case_name(kind, case, nonlinearity="tanh", k=None):
    """How a forward + backward call on ``case`` reads in messages, e.g. 'rnn_forward + rnn_backward on the
    case N=2, T=5, D=3, H=4 (x (2, 5, 3), h0 (2, 4), float64), nonlinearity='relu''."""
    backward = f"{kind}_backward" if k is None else f"rnn_backward_truncated with k={k}"
    arrays = {"x": case["x"], "h0": case["h0"]}
    if kind == "lstm":
        arrays["c0"] = case["c0"]
    options = (f", nonlinearity={nonlinearity!r}" if nonlinearity != "tanh" else "") + (
        ", with dc_T" if kind == "lstm" and case.get("dc_T") is not None else "")
    return f"{kind}_forward + {backward} on the case {shape_text(case)} ({case_of(batched=None, **arrays)}){options}"


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


def backward_options(kind, case):
    """The keyword arguments of the backward call beyond (dhs, cache): dc_T for an LSTM case that has one."""
    return {"dc_T": case["dc_T"]} if kind == "lstm" and case.get("dc_T") is not None else {}


def run_lstm(student, case):
    """The student's lstm_forward on case, then lstm_backward (with the case's dc_T, if any);
    returns ``(hs, grads)`` as plain data."""
    bptt = student.module("bptt")
    hs, cache = bptt.lstm_forward.returning(VALUE, HANDLE)(*ref.args_of("lstm", case))
    return hs, bptt.lstm_backward(case["dhs"], cache, **backward_options("lstm", case))


def run_gru(student, case):
    """The student's gru_forward on case, then gru_backward; returns ``(hs, grads)`` as plain data."""
    bptt = student.module("bptt")
    hs, cache = bptt.gru_forward.returning(VALUE, HANDLE)(*ref.args_of("gru", case))
    return hs, bptt.gru_backward(case["dhs"], cache)


def known_pass(kind, case, nonlinearity="tanh", k=None, errors=None):
    """The same forward and backward calls, for a module of ours (the reference or a mutant): a
    function of the module that returns ``(hs, grads)``, for ``Diagnosis``. ``errors``: numpy's
    floating-point error modes to run under (as the student's worker ran), e.g. FLOAT_ERRORS_RAISE."""
    names = ref.LSTM_NAMES if kind == "lstm" else ref.RNN_NAMES

    def run(bptt):
        args = [np.array(a, copy=True) for a in ref.args_of(kind, case)]
        options = {} if nonlinearity == "tanh" else {"nonlinearity": nonlinearity}
        with np.errstate(**(errors or {})):
            hs, cache = getattr(bptt, f"{kind}_forward")(*args, **options)
            dhs = np.array(case["dhs"], copy=True)
            grads = (getattr(bptt, f"{kind}_backward")(dhs, cache, **backward_options(kind, case)) if k is None
                     else bptt.rnn_backward_truncated(dhs, cache, k))
        return hs, {name: grads[name] for name in names}

    return run


def diagnosis_of(kind, case, hs, grads, nonlinearity="tanh", k=None, errors=None, **tolerance):
    """The known bug the student's ``hs`` and ``grads`` (all of the expected names) reproduce.

    ``hs`` may be ``raised(error)`` (with ``grads`` None) when the student's call raised."""
    names = ref.LSTM_NAMES if kind == "lstm" else ref.RNN_NAMES
    if type(hs) is not np.ndarray and grads is None:
        got = hs  # an exception: matched by its class
    else:
        got = (hs, {name: grads.get(name) for name in names} if type(grads) is dict else grads)
    backward = f"{kind}_backward" if k is None else "rnn_backward_truncated"
    return Diagnosis(ASSIGNMENT, "bptt", run=known_pass(kind, case, nonlinearity, k, errors), got=got, **tolerance,
                     uses=(f"{kind}_forward", backward))


def forward_diagnosis(kind, case, hs, **tolerance):
    """The known bug of the FORWARD pass the student's ``hs`` reproduce (whatever their backward pass does)."""
    def run(bptt):
        return getattr(bptt, f"{kind}_forward")(*[np.array(a, copy=True) for a in ref.args_of(kind, case)])[0]

    return Diagnosis(ASSIGNMENT, "bptt", run=run, got=hs, **tolerance, uses=(f"{kind}_forward",))


def check_rnn(student, case, nonlinearity="tanh", k=None, numeric=True, diagnose=True, single_step_ok=False):
    """Run the student's RNN forward + (truncated) backward on case; compare with torch and numerics.

    Inputs:
    - student: the fixture; case: from reference.random_case("rnn", ...).
    - nonlinearity: "tanh" or "relu"; k: None for rnn_backward, else the truncation length.
    - numeric: also compare with centred finite differences (full BPTT only).
    - diagnose: name the known bug the answer reproduces, if any (off for a quick probe).
    - single_step_ok: the student passes a T = 1 case; say so in the hint when T > 1 fails.
    """
    where = case_name("rnn", case, nonlinearity, k)
    with testing.case(where):
        hs, grads = run_rnn(student, case, nonlinearity, k)
        expected_hs, expected = ref.torch_forward_backward("rnn", case, nonlinearity, k)
        diagnosis = diagnosis_of("rnn", case, hs, grads, nonlinearity, k, **TORCH_TOL) if diagnose else None
        assert_close(hs, expected_hs, **TORCH_TOL, what=f"{where}: hs",
                     hint="h_t = f(x_t @ W_ih.T + b_ih + h_{t-1} @ W_hh.T + b_hh), starting from h0.",
                     diagnosis=diagnosis)
        check_grad_dict(grads, ref.RNN_NAMES, "rnn_backward" if k is None else "rnn_backward_truncated")
        num = ref.numeric_grads("rnn", case, nonlinearity) if numeric else {}
        for name in ref.RNN_NAMES:
            hint = GRAD_HINTS[name] + (MULTI_STEP_HINT if single_step_ok and case["x"].shape[1] > 1 else "")
            if k is not None:
                hint = TRUNCATION_HINT.format(k=k) + " " + GRAD_HINTS[name]
            assert_close(grads[name], expected[name], **TORCH_TOL, hint=hint, diagnosis=diagnosis,
                         what=f'{where}: grads["{name}"] against torch.autograd')
            if name in num:
                assert_close(grads[name], num[name], **NUMERIC_TOL,
                             what=f'{where}: grads["{name}"] against centred finite differences', hint=hint)


TRUNCATION_HINT = ("with k={k} the chunks are steps 0..k-1, k..2k-1, ...: inside a chunk the gradient flows back as in "
                   "rnn_backward, from a chunk into the one before it flows nothing, and the weight gradients are "
                   "summed over all chunks.")


def check_lstm(student, case, numeric=True):
    """Run the student's LSTM forward + backward on case; compare with torch and numerics."""
    where = case_name("lstm", case)
    with testing.case(where):
        hs, grads = run_lstm(student, case)
        expected_hs, expected = ref.torch_forward_backward("lstm", case)
        diagnosis = diagnosis_of("lstm", case, hs, grads, **TORCH_TOL)
        assert_close(hs, expected_hs, **TORCH_TOL, what=f"{where}: hs",
                     hint="Gates [i, f, g, o] = x_t W_ih^T + b_ih + h W_hh^T + b_hh in PyTorch's order; "
                          "c_t = f*c_{t-1} + i*g, h_t = o*tanh(c_t).", diagnosis=diagnosis)
        check_grad_dict(grads, ref.LSTM_NAMES, "lstm_backward")
        num = ref.numeric_grads("lstm", case) if numeric else {}
        for name in ref.LSTM_NAMES:
            assert_close(grads[name], expected[name], **TORCH_TOL, what=f'{where}: grads["{name}"] against torch.autograd',
                         hint=GRAD_HINTS[name], diagnosis=diagnosis)
            if name in num:
                assert_close(grads[name], num[name], **NUMERIC_TOL, hint=GRAD_HINTS[name],
                             what=f'{where}: grads["{name}"] against centred finite differences')


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


# ------------------------------------------------------------------------------------------
# GRU, the stack of RNN layers, saturation, and exactness
# ------------------------------------------------------------------------------------------

GRU_FORWARD_HINT = ("[x_r, x_z, x_n] = x_t @ W_ih.T + b_ih and [h_r, h_z, h_n] = h_{t-1} @ W_hh.T + b_hh (blocks r, z, "
                    "n); r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r * h_n), "
                    "h_t = (1 - z) * n + z * h_{t-1}.")
GRU_GRAD_HINTS = {
    "x": "dx_t = d_in_t @ W_ih, where d_in_t holds the gradients of the three input-side blocks x_r, x_z, x_n.",
    "h0": "h_{t-1} reaches h_t directly (dh * z) and through h_{t-1} @ W_hh.T: dh_{t-1} = dh_t * z + d_hid_t @ W_hh.",
    "W_ih": "dW_ih is the sum over all steps of d_in_t^T @ x_t, blocks r, z, n.",
    "W_hh": "dW_hh is the sum over all steps of d_hid_t^T @ h_{t-1}; its n block carries the factor r (r * h_n).",
    "b_ih": "db_ih is d_in summed over the batch and over all steps.",
    "b_hh": "db_hh is d_hid summed over the batch and over all steps; in the n block d_hid = d_n * r, not d_n.",
}


def check_gru(student, case):
    """Run the student's gru_forward + gru_backward on case; compare with torch.autograd (torch.nn.GRU's equations)."""
    where = case_name("gru", case)
    with testing.case(where):
        hs, grads = run_gru(student, case)
        expected_hs, expected = ref.torch_forward_backward("gru", case)
        assert_close(hs, expected_hs, **TORCH_TOL, what=f"{where}: hs", hint=GRU_FORWARD_HINT,
                     diagnosis=forward_diagnosis("gru", case, hs, **TORCH_TOL))
        check_grad_dict(grads, ref.RNN_NAMES, "gru_backward")
        diagnosis = diagnosis_of("gru", case, hs, grads, **TORCH_TOL)
        for name in ref.RNN_NAMES:
            assert_close(grads[name], expected[name], **TORCH_TOL, hint=GRU_GRAD_HINTS[name], diagnosis=diagnosis,
                         what=f'{where}: grads["{name}"] against torch.autograd')


STACK_HINT = ("go through the layers from the last to the first with rnn_backward; the dhs of layer l is the \"x\" "
              "gradient of layer l + 1, and each layer's h0 gradient is its own entry of \"h0s\".")


def run_stacked(student, case):
    """The student's stacked_rnn_forward on case, then stacked_rnn_backward; ``(hs, grads)`` as plain data."""
    bptt = student.module("bptt")
    hs, cache = bptt.stacked_rnn_forward.returning(VALUE, HANDLE)(case["x"], case["h0s"], case["layers"])
    return hs, bptt.stacked_rnn_backward(case["dhs"], cache)


def stacked_diagnosis(case, hs, grads):
    """The known bug the student's stacked ``hs`` and ``grads`` reproduce."""
    def run(bptt):
        copied = {name: copy_plain(value) for name, value in case.items()}
        out, cache = bptt.stacked_rnn_forward(copied["x"], copied["h0s"], copied["layers"])
        return out, bptt.stacked_rnn_backward(copied["dhs"], cache)

    return Diagnosis(ASSIGNMENT, "bptt", run=run, got=(hs, grads), **TORCH_TOL,
                     uses=("stacked_rnn_forward", "stacked_rnn_backward"))


def copy_plain(value):
    """A deep copy of plain data (arrays, lists, dicts)."""
    if type(value) is dict:
        return {key: copy_plain(item) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(copy_plain(item) for item in value)
    return np.array(value, copy=True) if type(value) is np.ndarray else value


def check_stacked(student, case):
    """Run the student's stacked_rnn_forward + stacked_rnn_backward on case; compare with torch.autograd."""
    sizes = [h0.shape[1] for h0 in case["h0s"]]
    L = len(sizes)
    where = (f"stacked_rnn_forward + stacked_rnn_backward on the case of L={L} layers of sizes {sizes}, "
             f"N={case['x'].shape[0]}, T={case['x'].shape[1]}, D={case['x'].shape[2]} "
             f"({case_of(x=case['x'], **{f'h0s[{layer}]': h0 for layer, h0 in enumerate(case['h0s'])})})")
    with testing.case(where):
        hs, grads = run_stacked(student, case)
        expected_hs, expected = ref.torch_stacked(case)
        diagnosis = stacked_diagnosis(case, hs, grads)
        assert_close(hs, expected_hs, **TORCH_TOL, what=f"{where}: hs of the last layer",
                     hint="layer 0 reads x, layer l reads the hidden states of layer l - 1; return the last layer's.",
                     diagnosis=diagnosis)
        shape_ok = (type(grads) is dict and {"x", "h0s", "layers"} <= set(grads)
                    and type(grads["h0s"]) in (list, tuple) and len(grads["h0s"]) == L
                    and type(grads["layers"]) in (list, tuple) and len(grads["layers"]) == L
                    and all(type(g) is dict and set(ref.LAYER_NAMES) <= set(g) for g in grads["layers"]))
        if not shape_ok:
            fail(where, "stacked_rnn_backward must return a dict with \"x\", \"h0s\" (a list of L arrays) and "
                 f"\"layers\" (a list of L dicts with the keys {list(ref.LAYER_NAMES)}).")
        assert_close(grads["x"], expected["x"], **TORCH_TOL, hint=STACK_HINT, diagnosis=diagnosis,
                     what=f'{where}: grads["x"] against torch.autograd')
        for layer in reversed(range(L)):
            assert_close(grads["h0s"][layer], expected["h0s"][layer], **TORCH_TOL, hint=STACK_HINT,
                         diagnosis=diagnosis, what=f'{where}: grads["h0s"][{layer}] against torch.autograd')
            for name in ref.LAYER_NAMES:
                assert_close(grads["layers"][layer][name], expected["layers"][layer][name], **TORCH_TOL,
                             hint=STACK_HINT, diagnosis=diagnosis,
                             what=f'{where}: grads["layers"][{layer}]["{name}"] against torch.autograd')


# numpy's floating-point errors (overflow, 0/0, x/0) raise in the student's worker during the saturation checks,
# and in the grader when the mutants run on the same case: a warning becomes a FloatingPointError on both sides.
FLOAT_ERRORS_RAISE = dict(over="raise", invalid="raise", divide="raise")
# Saturated cases against torch.autograd in float64 on the same (rounded) inputs. float32: the pre-activations are
# up to 1e3, whose float32 rounding (about 6e-5 each) moves the unsaturated states and gradients. Calibration: the
# reference on 450 saturated float32 cases (rnn tanh and relu, lstm, gru; seeds 170-259) stays within 0.18 of it.
SATURATION_TOL = {np.float64: dict(rtol=1e-7, atol=1e-9), np.float32: dict(rtol=1e-3, atol=3e-4)}
SATURATION_HINT = ("with pre-activations as large as 1e3, exp(-a) or exp(2a) overflows: compute tanh with np.tanh and "
                   "the sigmoid from np.tanh too (sigmoid(a) = 0.5 * (1 + tanh(a / 2)), as bptt.sigmoid does), and "
                   "keep every array in the dtype of the inputs.")


def saturated_case(kind, dtype, seed, N=2, T=4, D=3, H=3):
    """A random case whose input-side pre-activations reach +-1e3 (and some stay small), in ``dtype``."""
    case = ref.random_case(kind, N, T, D, H, seed=seed)
    projected = case["x"] @ case["W_ih"].T
    case["W_ih"] = case["W_ih"] * (1e3 / np.abs(projected).max())
    if kind == "lstm":
        case["dc_T"] = np.random.default_rng(seed + 1).standard_normal((N, H))
    return {name: value.astype(dtype) for name, value in case.items()}


def check_saturation(student, kind, dtype, seed, nonlinearity="tanh"):
    """The student's forward + backward pass on a saturated case in ``dtype``: no numpy warning (it runs with
    numpy's floating-point errors raised), no NaN, the dtype of the inputs, and torch's values."""
    case = saturated_case(kind, dtype, seed)
    where = f"{case_name(kind, case, nonlinearity)}, input pre-activations up to +-1e3"
    tolerance = SATURATION_TOL[dtype]
    numpy_in_worker = student.module("numpy")
    before = numpy_in_worker.seterr(**FLOAT_ERRORS_RAISE)
    try:
        if kind == "rnn":
            hs, grads = run_rnn(student, case, nonlinearity)
        else:
            hs, grads = {"lstm": run_lstm, "gru": run_gru}[kind](student, case)
    except StudentCodeError as error:
        found = diagnosis_of(kind, case, raised(error), None, nonlinearity, errors=FLOAT_ERRORS_RAISE, **tolerance)
        if error.is_a(FloatingPointError):
            fail(where, "numpy warned during your code (an overflow or an invalid value, turned into an error "
                 f"here):\n{str(error)[:1500]}", SATURATION_HINT, found)
        fail(where, f"your code raised an exception.\n{str(error)[:2000]}", diagnosis=found)
    finally:
        if type(before) is dict:
            numpy_in_worker.seterr(**{key: value for key, value in before.items() if type(value) is str})
    names = ref.LSTM_NAMES if kind == "lstm" else ref.RNN_NAMES
    with testing.case(where):
        expected_hs, expected = ref.torch_forward_backward(kind, case, nonlinearity)
        diagnosis = diagnosis_of(kind, case, hs, grads, nonlinearity, errors=FLOAT_ERRORS_RAISE, **tolerance)
        assert_close(hs, expected_hs.astype(dtype), **tolerance, what=f"{where}: hs", hint=SATURATION_HINT,
                     diagnosis=diagnosis)
        check_grad_dict(grads, names, f"{kind}_backward")
        for name in names:
            assert_close(grads[name], expected[name].astype(dtype), **tolerance, hint=SATURATION_HINT,
                         diagnosis=diagnosis, what=f'{where}: grads["{name}"]')


# An analytic backward pass agrees with torch.autograd to rounding (observed < 1e-14 here); centred finite
# differences with eps=1e-6 are off by about 1e-8 relative (round-off of the loss divided by 2 eps), so they
# pass TORCH_TOL but never this.
EXACT_TOL = dict(rtol=1e-10, atol=1e-12)


def check_rnn_exact(student, case):
    """rnn_backward agrees with torch.autograd to rounding (float64), as an analytic backward pass does."""
    check_rnn(student, case, numeric=False)
    where = case_name("rnn", case)
    with testing.case(where):
        _, grads = run_rnn(student, case)
        _, expected = ref.torch_forward_backward("rnn", case)
        numerical = hint_of(ASSIGNMENT, "rnn_backward_finite_differences")
        for name in ref.RNN_NAMES:
            assert_close(grads[name], expected[name], **EXACT_TOL, hint=numerical,
                         what=f'{where}: grads["{name}"] against torch.autograd to rounding')
