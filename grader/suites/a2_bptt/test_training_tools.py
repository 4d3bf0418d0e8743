"""Hidden tests of clip_grad_norm, softmax_cross_entropy and adagrad_step against PyTorch."""

import numpy as np
import pytest
import torch

from grader.suites.a2_bptt.reference import torch_clip, torch_cross_entropy
from grader.grading.testing import assert_close, assert_close_or_diagnose

CLIP_HINT = ("The norm is global: sqrt of the sum of squares of ALL entries of ALL arrays; every array "
             "is multiplied by the same factor min(1, max_norm / (total_norm + 1e-6)).")


def random_grads(seed, scale=1.0):
    rng = np.random.default_rng(seed)
    return {"W_ih": scale * rng.standard_normal((4, 3)), "W_hh": scale * rng.standard_normal((4, 4)),
            "b": scale * rng.standard_normal(4)}


def check_clip(student, grads, max_norm, what):
    record = student.inspect_call("bptt", "clip_grad_norm", grads, max_norm)
    out = record.value
    assert type(out) is tuple and len(out) == 2, \
        f"clip_grad_norm must return a tuple (clipped, total_norm), got {type(out).__name__}."
    clipped, total = out
    expected, expected_total = torch_clip(grads, max_norm)
    assert type(total) is float, f"total_norm must be a Python float, got {type(total).__name__} ({what})."
    assert abs(total - expected_total) <= 1e-9 + 1e-9 * expected_total, (
        f"clip_grad_norm total_norm ({what}): got {total!r}, expected {expected_total!r}.\nHint: {CLIP_HINT}")
    assert type(clipped) is dict and set(clipped) == set(grads), \
        f"clipped must be a dict with the keys {sorted(grads)} ({what})."
    per_array = {name: g * min(1.0, max_norm / (np.sqrt(np.sum(g ** 2)) + 1e-6)) for name, g in grads.items()}
    for name in grads:
        assert_close_or_diagnose(clipped[name], expected[name], rtol=1e-12, atol=1e-15,
                                 what=f'clip_grad_norm: clipped["{name}"] ({what})',
                                 candidates={"You clip every array by its own norm; torch clips by the "
                                             "global norm over all arrays together.": per_array[name]},
                                 hint=CLIP_HINT)
    # Checked only now that the result is right: a function that does nothing leaves its inputs alone too.
    after = record.args_after[0] if len(record.args_after) == 2 else None
    assert type(after) is dict and after.keys() == grads.keys() and all(
        type(after[n]) is np.ndarray and np.array_equal(after[n], grads[n]) for n in grads), \
        "clip_grad_norm changed the dict or arrays it was given: build a new dict of new arrays."


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
    out = student.module("bptt").softmax_cross_entropy(logits, targets)
    assert type(out) is tuple and len(out) == 2, "softmax_cross_entropy must return (loss, dlogits)."
    loss, dlogits = out
    expected_loss, expected_grad = torch_cross_entropy(logits, targets)
    assert type(loss) is float, f"loss must be a Python float (use float(...)), got {type(loss).__name__}."
    assert np.isfinite(loss) and abs(loss - expected_loss) <= 1e-9 + 1e-9 * abs(expected_loss), (
        f"softmax_cross_entropy loss ({what}): got {loss!r}, expected {expected_loss!r}.\nHint: the loss is "
        "the MEAN over all N*T positions of -log softmax(logits)[target]; subtract the row maximum first.")
    N, T, _ = logits.shape
    assert_close_or_diagnose(dlogits, expected_grad, rtol=1e-9, atol=1e-12,
                             what=f"softmax_cross_entropy dlogits ({what})",
                             candidates={"dlogits is N*T times too large: the loss is a mean over N*T "
                                         "positions, so divide the gradient by N*T.": expected_grad * N * T,
                                         "dlogits is T times too large: the mean is over N*T positions, "
                                         "not N.": expected_grad * T},
                             hint="dlogits = (softmax(logits) - one_hot(targets)) / (N*T).")


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
        out = student.module("bptt").adagrad_step(current, grads, sq, 0.3)
        assert type(out) is tuple and len(out) == 2, "adagrad_step must return (new_params, new_sq_sums)."
        current, sq = out
        assert type(current) is dict and set(current) == set(params), "new_params must be a dict with the same keys."
        for name, p in torch_params.items():
            assert_close(current[name], p.detach().numpy(), rtol=1e-9, atol=1e-12,
                         what=f'adagrad_step: params["{name}"] after step {step + 1}',
                         hint="s <- s + g**2 FIRST, then p <- p - lr * g / (sqrt(s) + eps).")
