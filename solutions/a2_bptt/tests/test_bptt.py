"""Public tests of bptt.py: shapes, small known values and a numeric gradient check.

Run them from the assignment folder with `pytest tests/`. The grader's hidden tests are more
thorough (PyTorch autograd on many shapes, truncation, training); passing these is a start.
"""

import numpy as np
import pytest

from bptt import (adagrad_step, clip_grad_norm, lstm_backward, lstm_forward, rnn_backward,
                  rnn_backward_truncated, rnn_forward, softmax_cross_entropy)
from rnnutils.gradcheck import check_gradients


def small_case(N=2, T=3, D=4, H=5, G=1, seed=0):
    """Random float64 inputs for a sequence model with G gate blocks (1: RNN, 4: LSTM)."""
    rng = np.random.default_rng(seed)
    return {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H)),
            "W_ih": rng.standard_normal((G * H, D)) * 0.5, "W_hh": rng.standard_normal((G * H, H)) * 0.5,
            "b_ih": rng.standard_normal(G * H) * 0.1, "b_hh": rng.standard_normal(G * H) * 0.1}


def test_rnn_forward_shape_and_first_step():
    case = small_case()
    hs, _ = rnn_forward(**case)
    assert hs.shape == (2, 3, 5), "hs must have shape (N, T, H)"
    first = np.tanh(case["x"][:, 0] @ case["W_ih"].T + case["b_ih"] + case["h0"] @ case["W_hh"].T + case["b_hh"])
    np.testing.assert_allclose(hs[:, 0], first, rtol=1e-10, atol=1e-12,
                               err_msg="hs[:, 0] must be tanh(x_0 W_ih^T + b_ih + h0 W_hh^T + b_hh)")


def test_rnn_backward_shapes():
    case = small_case()
    hs, cache = rnn_forward(**case)
    grads = rnn_backward(np.ones_like(hs), cache)
    for name, value in case.items():
        assert grads[name].shape == value.shape, f'grads["{name}"] must have the shape of {name}'


@pytest.mark.parametrize("T", [1, 4])
def test_rnn_backward_matches_numeric_gradient(T):
    case = small_case(N=2, T=T, D=3, H=2, seed=T)
    dhs = np.random.default_rng(7).standard_normal((2, T, 2))
    _, cache = rnn_forward(**case)
    grads = rnn_backward(dhs, cache)
    # raises with the names of the wrong gradients; tolerances for float64 centred differences
    check_gradients(rnn_forward, case, grads, upstream=dhs, rtol=1e-5, atol=1e-7)


def test_truncated_with_k_at_least_T_is_full_bptt():
    case = small_case(T=4)
    hs, cache = rnn_forward(**case)
    dhs = np.random.default_rng(1).standard_normal(hs.shape)
    full = rnn_backward(dhs, cache)
    truncated = rnn_backward_truncated(dhs, cache, k=4)
    for name in full:
        np.testing.assert_allclose(truncated[name], full[name], rtol=1e-10, atol=1e-12,
                                   err_msg=f'k = T must give the gradients of rnn_backward ("{name}")')


def test_lstm_matches_numeric_gradient():
    case = small_case(N=2, T=3, D=3, H=2, G=4, seed=3)
    case["c0"] = np.random.default_rng(4).standard_normal((2, 2))
    hs, cache = lstm_forward(**case)
    assert hs.shape == (2, 3, 2), "hs must have shape (N, T, H)"
    dhs = np.random.default_rng(5).standard_normal(hs.shape)
    check_gradients(lstm_forward, case, lstm_backward(dhs, cache), upstream=dhs, rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_known_value():
    grads = {"a": np.array([3.0]), "b": np.array([[4.0]])}  # global norm 5
    clipped, total = clip_grad_norm(grads, 1.0)
    assert abs(total - 5.0) < 1e-12, "total_norm is the norm over all arrays together: sqrt(3**2 + 4**2)"
    np.testing.assert_allclose(clipped["a"], [3.0 / (5.0 + 1e-6)], rtol=1e-12, atol=0)
    assert grads["a"][0] == 3.0, "clip_grad_norm must not modify its input"


def test_softmax_cross_entropy_uniform_logits():
    loss, dlogits = softmax_cross_entropy(np.zeros((2, 3, 4)), np.zeros((2, 3), dtype=int))
    assert abs(loss - np.log(4)) < 1e-12, "equal logits over V=4 classes give a loss of log(4)"
    assert dlogits.shape == (2, 3, 4)
    np.testing.assert_allclose(dlogits.sum(axis=-1), 0.0, atol=1e-12,
                               err_msg="every row of dlogits sums to zero (softmax minus one-hot)")


def test_adagrad_first_step_moves_by_lr():
    params, grads = {"w": np.array([1.0, -2.0])}, {"w": np.array([0.5, -3.0])}
    new_params, new_sq = adagrad_step(params, grads, {"w": np.zeros(2)}, lr=0.1)
    # first step: s = g**2, so every entry moves by lr against the sign of its gradient
    np.testing.assert_allclose(new_params["w"], [0.9, -1.9], rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(new_sq["w"], [0.25, 9.0], rtol=1e-12, atol=0)
