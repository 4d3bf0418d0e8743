"""Hidden tests of clip_grad_norm, softmax_cross_entropy and adagrad_step against PyTorch."""

import numpy as np
import pytest
import torch

from grader.grading.testing import Diagnosis, case, case_of, fail, inspected, record_of, unpack
from grader.suites.a2_bptt.checks import ASSIGNMENT, assert_close
from grader.suites.a2_bptt.reference import torch_clip, torch_cross_entropy

CLIP_HINT = ("The norm is global: sqrt of the sum of squares of ALL entries of ALL arrays; every array "
             "is multiplied by the same factor min(1, max_norm / (total_norm + 1e-6)).")


def random_grads(seed, scale=1.0):
    rng = np.random.default_rng(seed)
    return {"W_ih": scale * rng.standard_normal((4, 3)), "W_hh": scale * rng.standard_normal((4, 4)),
            "b": scale * rng.standard_normal(4)}


def check_clip(student, grads, max_norm, what):
    shapes = ", ".join(f'"{name}" {value.shape}' for name, value in grads.items())
    with case(f"clip_grad_norm on the gradients {{{shapes}}} (float64)"):
        clip_checks(student, grads, max_norm, what)


def clip_checks(student, grads, max_norm, what):
    """clip_grad_norm's values against torch's, then its inputs left untouched."""
    record = student.inspect_call("bptt", "clip_grad_norm", grads, max_norm)
    clipped, total = unpack(record.value, ("clipped", "total_norm"), "clip_grad_norm")
    diagnosis = Diagnosis(ASSIGNMENT, "bptt.clip_grad_norm", (grads, max_norm), got=record.value,
                          rtol=1e-12, atol=1e-15)
    expected, expected_total = torch_clip(grads, max_norm)
    if type(total) is not float:
        fail(f"clip_grad_norm ({what})", f"total_norm must be a Python float, got {type(total).__name__}.")
    if not abs(total - expected_total) <= 1e-9 + 1e-9 * expected_total:
        fail(f"clip_grad_norm total_norm ({what})", f"got {total!r}, expected {expected_total!r}.", CLIP_HINT,
             diagnosis)
    if not (type(clipped) is dict and set(clipped) == set(grads)):
        fail(f"clip_grad_norm ({what})", f"clipped must be a dict with the keys {sorted(grads)}.")
    for name in grads:
        assert_close(clipped[name], expected[name], rtol=1e-12, atol=1e-15, hint=CLIP_HINT, diagnosis=diagnosis,
                     what=f'clip_grad_norm: clipped["{name}"] ({what})')
    # Checked only now that the result is right: a function that does nothing leaves its inputs alone too.
    after = record.args_after[0] if len(record.args_after) == 2 else None
    if not (type(after) is dict and after.keys() == grads.keys() and all(
            type(after[n]) is np.ndarray and np.array_equal(after[n], grads[n]) for n in grads)):
        fail(f"clip_grad_norm ({what})", "it changed the dict or arrays it was given.",
             "build a new dict of new arrays (g * scale), as the docstring promises.",
             inspected_diagnosis("clip_grad_norm", (grads, max_norm), record))


def inspected_diagnosis(function, args, record):
    """The known bug whose value AND arguments after the call match the student's inspected call of ``function``."""
    return Diagnosis(ASSIGNMENT, "bptt", run=lambda bptt: inspected(getattr(bptt, function), *copy_args(args)),
                     got=record_of(record), rtol=1e-12, atol=1e-15, uses=(function,))


def copy_args(args):
    """Deep copies of plain arguments (dicts of arrays, numbers)."""
    return [{k: np.array(v, copy=True) for k, v in a.items()} if type(a) is dict else a for a in args]


@pytest.mark.points(2)
def test_clip_grad_norm_above_threshold(student):
    check_clip(student, random_grads(100), 1.0, "norm about 6, max_norm=1")


@pytest.mark.points(1)
def test_clip_grad_norm_below_threshold_unchanged(student):
    check_clip(student, random_grads(101, scale=0.01), 5.0, "norm about 0.06, max_norm=5: nothing to clip")


@pytest.mark.points(1)
def test_clip_grad_norm_all_zero(student):
    zeros = {name: np.zeros_like(value) for name, value in random_grads(102).items()}
    check_clip(student, zeros, 1.0, "all-zero gradients: no division by zero, no NaN")


def check_cross_entropy(student, logits, targets, what):
    with case(f"softmax_cross_entropy on the case {case_of(logits=logits, targets=targets, batched=None)}"):
        cross_entropy_checks(student, logits, targets, what)


def cross_entropy_checks(student, logits, targets, what):
    """softmax_cross_entropy's loss and dlogits against torch's."""
    out = student.module("bptt").softmax_cross_entropy(logits, targets)
    loss, dlogits = unpack(out, ("loss", "dlogits"), "softmax_cross_entropy")
    diagnosis = Diagnosis(ASSIGNMENT, "bptt.softmax_cross_entropy", (logits, targets), got=out, rtol=1e-9, atol=1e-12)
    expected_loss, expected_grad = torch_cross_entropy(logits, targets)
    if type(loss) is not float:
        fail("softmax_cross_entropy", f"loss must be a Python float (use float(...)), got {type(loss).__name__}.")
    if not (np.isfinite(loss) and abs(loss - expected_loss) <= 1e-9 + 1e-9 * abs(expected_loss)):
        fail(f"softmax_cross_entropy loss ({what})", f"got {loss!r}, expected {expected_loss!r}.",
             "the loss is the MEAN over all N*T positions of -log softmax(logits)[target]; subtract the row "
             "maximum first.", diagnosis)
    assert_close(dlogits, expected_grad, rtol=1e-9, atol=1e-12, what=f"softmax_cross_entropy dlogits ({what})",
                 hint="dlogits = (softmax(logits) - one_hot(targets)) / (N*T).", diagnosis=diagnosis)


@pytest.mark.points(2)
def test_softmax_cross_entropy_matches_torch(student):
    rng = np.random.default_rng(110)
    check_cross_entropy(student, rng.standard_normal((3, 4, 5)), rng.integers(0, 5, (3, 4)), "N=3, T=4, V=5")
    check_cross_entropy(student, rng.standard_normal((1, 1, 1)), np.zeros((1, 1), dtype=np.int64), "V=1")


@pytest.mark.points(1)
def test_softmax_cross_entropy_large_logits(student):
    rng = np.random.default_rng(111)
    check_cross_entropy(student, 1e3 * rng.standard_normal((2, 3, 6)), rng.integers(0, 6, (2, 3)),
                        "logits of size 1e3: subtract the maximum of each row before exp")


@pytest.mark.points(1)
def test_adagrad_step_matches_torch(student):
    rng = np.random.default_rng(120)
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(3)}
    grads_seq = [{name: rng.standard_normal(v.shape) for name, v in params.items()} for _ in range(3)]
    torch_params = {name: torch.nn.Parameter(torch.tensor(v)) for name, v in params.items()}
    optimizer = torch.optim.Adagrad(list(torch_params.values()), lr=0.3)
    sq = {name: np.zeros_like(v) for name, v in params.items()}
    current = params
    for step, grads in enumerate(grads_seq):
        for name, p in torch_params.items():
            p.grad = torch.tensor(grads[name])
        optimizer.step()
        with case(f"adagrad_step on the params {params_text(params)} (float64), lr=0.3, step {step + 1}"):
            current, sq = adagrad_matches(student, current, grads, sq, torch_params)


def params_text(params):
    """'{"W" (3, 2), "b" (3,)}' for messages."""
    return "{" + ", ".join(f'"{name}" {value.shape}' for name, value in params.items()) + "}"


def adagrad_matches(student, current, grads, sq, torch_params):
    """One student adagrad_step from (current, sq) against torch's step; returns the student's new (params, sums)."""
    out = student.module("bptt").adagrad_step(current, grads, sq, 0.3)
    diagnosis = Diagnosis(ASSIGNMENT, "bptt.adagrad_step", (current, grads, sq, 0.3), got=out, rtol=1e-9, atol=1e-12)
    new_params, new_sq = unpack(out, ("new_params", "new_sq_sums"), "adagrad_step")
    if not (type(new_params) is dict and set(new_params) == set(torch_params)):
        fail("adagrad_step", "new_params must be a dict with the same keys as params.")
    for name, p in torch_params.items():
        assert_close(new_params[name], p.detach().numpy(), rtol=1e-9, atol=1e-12, what=f'new_params["{name}"]',
                     hint="s <- s + g**2 FIRST, then p <- p - lr * g / (sqrt(s) + eps).", diagnosis=diagnosis)
    return new_params, new_sq


def adagrad_case(seed):
    rng = np.random.default_rng(seed)
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(3)}
    grads = {name: rng.standard_normal(v.shape) for name, v in params.items()}
    sq = {name: rng.random(v.shape) for name, v in params.items()}  # a running sum from earlier steps
    return params, grads, sq


def torch_adagrad(params, grads, sq, lr, eps):
    """One torch.optim.Adagrad step from the running sums sq (its state set to them); returns (params, sums)."""
    torch_params = {name: torch.nn.Parameter(torch.tensor(v)) for name, v in params.items()}
    optimizer = torch.optim.Adagrad(list(torch_params.values()), lr=lr, eps=eps)
    for name, p in torch_params.items():
        p.grad = torch.tensor(grads[name])
        optimizer.state[p] = {"step": torch.tensor(0.0), "sum": torch.tensor(sq[name])}
    optimizer.step()
    return ({n: p.detach().numpy() for n, p in torch_params.items()},
            {n: optimizer.state[p]["sum"].numpy() for n, p in torch_params.items()})


def check_adagrad_values(out, expected, what, diagnosis):
    new_params, new_sq = unpack(out, ("new_params", "new_sq_sums"), "adagrad_step")
    for label, got, want in (("new_params", new_params, expected[0]), ("new_sq_sums", new_sq, expected[1])):
        if not (type(got) is dict and set(got) == set(want)):
            fail(f"adagrad_step ({what})", f"{label} must be a dict with the keys {sorted(want)}.")
        for name in want:
            assert_close(got[name], want[name], rtol=1e-9, atol=1e-12, diagnosis=diagnosis,
                         what=f'adagrad_step: {label}["{name}"] ({what})',
                         hint="s <- s + g**2, then p <- p - lr * g / (sqrt(s) + eps), with the lr and eps given.")


@pytest.mark.points(1)
def test_adagrad_step_eps_takes_effect(student):
    # eps=0.5 and sums from earlier steps: a step that ignores its eps argument (or uses the default) is caught.
    params, grads, sq = adagrad_case(121)
    with case(f"adagrad_step on the params {params_text(params)} (float64) with running sums, lr=0.2, eps=0.5"):
        out = student.module("bptt").adagrad_step(params, grads, sq, 0.2, eps=0.5)
        diagnosis = Diagnosis(ASSIGNMENT, "bptt.adagrad_step", (params, grads, sq, 0.2), {"eps": 0.5}, got=out,
                              rtol=1e-9, atol=1e-12)
        check_adagrad_values(out, torch_adagrad(params, grads, sq, 0.2, 0.5), "lr=0.2, eps=0.5", diagnosis)


@pytest.mark.points(1)
def test_adagrad_step_returns_new_dicts(student):
    # the docstring promises NEW dicts and inputs left untouched: checked once the values are right.
    params, grads, sq = adagrad_case(122)
    with case(f"adagrad_step on the params {params_text(params)} (float64) with running sums, lr=0.3"):
        record = student.inspect_call("bptt", "adagrad_step", params, grads, sq, 0.3)
        diagnosis = inspected_diagnosis("adagrad_step", (params, grads, sq, 0.3), record)
        check_adagrad_values(record.value, torch_adagrad(params, grads, sq, 0.3, 1e-10), "lr=0.3", diagnosis)
    after = record.args_after
    untouched = len(after) == 4 and all(
        type(got) is dict and got.keys() == given.keys()
        and all(type(got[n]) is np.ndarray and np.array_equal(got[n], given[n]) for n in given)
        for got, given in zip(after[:3], (params, grads, sq)))
    if not untouched:
        fail("adagrad_step", "it changed the params, grads or sq_sums it was given (or their arrays).",
             "return NEW dicts of new arrays (params[name] - ..., sq_sums[name] + ...); no -= or += on the inputs.",
             diagnosis)
