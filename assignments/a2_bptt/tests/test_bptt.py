"""Public tests of bptt.py: shapes, small known values and a numeric gradient check.

Run them from the assignment folder with `pytest tests/`. The grader's hidden tests are more
thorough (PyTorch autograd on many shapes, truncation, training); passing these is a start.
"""

import numpy as np
import pytest
import torch

from bptt import (adagrad_step, clip_grad_norm, gru_backward, gru_forward, lstm_backward, lstm_forward,
                  rnn_backward, rnn_backward_truncated, rnn_forward, softmax_cross_entropy, stacked_rnn_backward,
                  stacked_rnn_forward)
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


def test_adagrad_returns_new_dicts():
    params, grads, sq = {"w": np.array([1.0, -2.0])}, {"w": np.array([0.5, -3.0])}, {"w": np.zeros(2)}
    new_params, new_sq = adagrad_step(params, grads, sq, lr=0.1)
    assert new_params is not params and new_sq is not sq, "adagrad_step must return NEW dicts"
    assert params["w"].tolist() == [1.0, -2.0] and sq["w"].tolist() == [0.0, 0.0], \
        "adagrad_step must leave the params and sq_sums it was given untouched (no += or -=)"


def test_gru_matches_numeric_gradient():
    case = small_case(N=2, T=3, D=3, H=2, G=3, seed=6)
    hs, cache = gru_forward(**case)
    assert hs.shape == (2, 3, 2), "hs must have shape (N, T, H)"
    dhs = np.random.default_rng(8).standard_normal(hs.shape)
    check_gradients(gru_forward, case, gru_backward(dhs, cache), upstream=dhs, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gru_saturated_keeps_dtype_without_warnings(dtype):
    case = {name: value.astype(dtype) for name, value in small_case(G=3, seed=9).items()}
    case["W_ih"] = case["W_ih"] * dtype(400)  # pre-activations of several hundred: sigmoid and tanh saturate
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # a numpy warning fails the test
        hs, cache = gru_forward(**case)
        grads = gru_backward(np.ones_like(hs), cache)
    assert hs.dtype == dtype and all(g.dtype == dtype for g in grads.values()), "keep the dtype of the inputs"
    assert np.all(np.isfinite(hs)) and all(np.all(np.isfinite(g)) for g in grads.values())


def test_stacked_rnn_matches_torch_two_layers():
    rng = np.random.default_rng(10)
    N, T, D, H = 2, 3, 3, 4
    x, h0s = rng.standard_normal((N, T, D)), [rng.standard_normal((N, H)) for _ in range(2)]
    layers = [{"W_ih": 0.5 * rng.standard_normal((H, D if l == 0 else H)), "W_hh": 0.5 * rng.standard_normal((H, H)),
               "b_ih": 0.1 * rng.standard_normal(H), "b_hh": 0.1 * rng.standard_normal(H)} for l in range(2)]
    dhs = rng.standard_normal((N, T, H))
    hs, cache = stacked_rnn_forward(x, h0s, layers)
    grads = stacked_rnn_backward(dhs, cache)
    rnn2 = torch.nn.RNN(D, H, num_layers=2, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        for l, layer in enumerate(layers):
            for torch_name, name in [("weight_ih", "W_ih"), ("weight_hh", "W_hh"), ("bias_ih", "b_ih"),
                                     ("bias_hh", "b_hh")]:
                getattr(rnn2, f"{torch_name}_l{l}").copy_(torch.from_numpy(layer[name]))
    h0s_t = torch.tensor(np.stack(h0s), requires_grad=True)
    out, _ = rnn2(torch.from_numpy(x), h0s_t)
    (out * torch.from_numpy(dhs)).sum().backward()
    np.testing.assert_allclose(hs, out.detach().numpy(), rtol=1e-7, atol=1e-9)
    for l in range(2):
        np.testing.assert_allclose(grads["h0s"][l], h0s_t.grad[l].numpy(), rtol=1e-7, atol=1e-9,
                                   err_msg=f'grads["h0s"][{l}]: the dhs of layer 0 is the "x" gradient of layer 1')
        np.testing.assert_allclose(grads["layers"][l]["W_hh"], getattr(rnn2, f"weight_hh_l{l}").grad.numpy(),
                                   rtol=1e-7, atol=1e-9, err_msg=f'grads["layers"][{l}]["W_hh"]')


def test_lstm_backward_dc_T_alone():
    # a loss on the last cell state only, sum(c_T * dc_T): dhs is zero, so everything comes from dc_T.
    case = small_case(N=2, T=3, D=3, H=2, G=4, seed=11)
    case["c0"] = np.random.default_rng(12).standard_normal((2, 2))
    hs, cache = lstm_forward(**case)
    dc_T = np.random.default_rng(13).standard_normal((2, 2))
    grads = lstm_backward(np.zeros_like(hs), cache, dc_T=dc_T)
    assert np.abs(grads["c0"]).max() > 0, "with dc_T given, the gradient reaches c0 through the forget gates"
    no_dc = lstm_backward(np.zeros_like(hs), cache)
    assert np.all(no_dc["c0"] == 0), "without dc_T and with dhs = 0, every gradient is zero"
