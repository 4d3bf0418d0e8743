"""Hidden tests of the character model: its gradients, and training on "hello"."""

import numpy as np
import pytest
import torch

from grader.suites.a2_bptt import probes
from grader.testing import assert_close

PARAM_NAMES = ("W_ih", "W_hh", "b_ih", "b_hh", "W_hy", "b_y")


def random_params(V, H, rng, scale=0.5):
    shapes = {"W_ih": (H, V), "W_hh": (H, H), "b_ih": (H,), "b_hh": (H,), "W_hy": (V, H), "b_y": (V,)}
    return {name: scale * rng.standard_normal(shape) for name, shape in shapes.items()}


def torch_char_rnn(params, inputs, targets, h0):
    """(loss, grads, h_last, logits) of one-hot -> tanh RNN -> linear -> mean cross-entropy, by autograd."""
    p = {n: torch.tensor(v, requires_grad=True) for n, v in params.items()}
    V = params["W_hy"].shape[0]
    x = torch.nn.functional.one_hot(torch.tensor(inputs), V).to(torch.float64)
    h = torch.tensor(h0)
    outs = []
    for t in range(x.shape[1]):
        h = torch.tanh(x[:, t] @ p["W_ih"].T + p["b_ih"] + h @ p["W_hh"].T + p["b_hh"])
        outs.append(h)
    logits = torch.stack(outs, 1) @ p["W_hy"].T + p["b_y"]
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), torch.tensor(targets).reshape(-1))
    loss.backward()
    return float(loss), {n: p[n].grad.numpy() for n in p}, h.detach().numpy(), logits.detach().numpy()


@pytest.mark.points(2)
def test_char_rnn_loss_matches_torch(student):
    rng = np.random.default_rng(130)
    for N, T, V, H in [(2, 5, 4, 3), (1, 1, 3, 1)]:
        params = random_params(V, H, rng)
        inputs, targets = rng.integers(0, V, (N, T)), rng.integers(0, V, (N, T))
        h0 = rng.standard_normal((N, H))
        out = student.module("bptt").char_rnn_loss(params, inputs, targets, h0)
        assert type(out) is tuple and len(out) == 3, "char_rnn_loss must return (loss, grads, h_last)."
        loss, grads, h_last = out
        expected_loss, expected, expected_h, _ = torch_char_rnn(params, inputs, targets, h0)
        where = f"N={N}, T={T}, V={V}, H={H}"
        assert type(loss) is float and abs(loss - expected_loss) <= 1e-9 * (1 + abs(expected_loss)), (
            f"char_rnn_loss loss ({where}): got {loss!r}, expected {expected_loss!r}. Logits are "
            "h_t @ W_hy.T + b_y and the loss is softmax_cross_entropy(logits, targets).")
        assert_close(h_last, expected_h, rtol=1e-9, atol=1e-12, what=f"char_rnn_loss h_last ({where})",
                     hint="h_last is the hidden state after the LAST step, hs[:, -1].")
        assert type(grads) is dict and set(grads) == set(PARAM_NAMES), \
            f"grads must be a dict with the keys {list(PARAM_NAMES)}."
        for name in PARAM_NAMES:
            assert_close(grads[name], expected[name], rtol=1e-7, atol=1e-10,
                         what=f'char_rnn_loss grads["{name}"] ({where})',
                         hint="dW_hy = sum over steps of dlogits_t^T h_t, db_y = dlogits summed over N and T; "
                              "the gradient reaching the hidden states is dlogits @ W_hy, fed to rnn_backward.")


# "hello": vocabulary h, e, l, o; read "hell", predict "ello" (the 'l' -> 'l' / 'l' -> 'o' pair needs memory).
HELLO_INPUTS = np.array([[0, 1, 2, 2]])
HELLO_TARGETS = np.array([[1, 2, 2, 3]])
HELLO_STEPS = 200
# Calibration (reference bptt.py, H=3, weights N(0, 0.1^2), Adagrad lr=0.1, clip 5, 200 steps):
# 2000 seeds, 0 failures; final loss at most 0.071 (median 0.021). The threshold 0.25 keeps a wide
# margin. Pass rate per seed over 300 seeds for mutants (grader/mutants/a2_bptt): adagrad_sign_error 0%,
# adagrad_uses_old_sum 0%, dhs_not_added_to_carry 16%, dw_hh_last_step_only 52% (two seeds run, so
# these fail about 97% and 73% of the time). The task is easy, so bugs that keep the gradient roughly
# right still learn it (carry_dropped, transposed_w_hh_backward: 100%; tanh_derivative_on_preactivation:
# 92%): the gradient tests catch those. This test checks the whole training pipeline.
HELLO_MAX_LOSS = 0.25


@pytest.mark.points(3)
def test_hello_model_learns_ello(student, secret_seed):
    V, H = 4, 3
    for seed in (0, secret_seed):
        rng = np.random.default_rng(seed)
        params = {"W_ih": 0.1 * rng.standard_normal((H, V)), "W_hh": 0.1 * rng.standard_normal((H, H)),
                  "b_ih": np.zeros(H), "b_hh": np.zeros(H), "W_hy": 0.1 * rng.standard_normal((V, H)),
                  "b_y": np.zeros(V)}
        trained = student.probe(probes.train_hello, params, HELLO_INPUTS, HELLO_TARGETS, HELLO_STEPS, 0.1, 5.0,
                                timeout=60)
        assert type(trained) is dict and set(trained) == set(PARAM_NAMES), "training returned no parameters."
        loss, _, _, logits = torch_char_rnn(trained, HELLO_INPUTS, HELLO_TARGETS, np.zeros((1, H)))
        predicted = "".join("helo"[i] for i in logits.argmax(-1)[0])
        assert predicted == "ello" and loss <= HELLO_MAX_LOSS, (
            f"After {HELLO_STEPS} Adagrad steps (lr=0.1, clip 5, seed {seed}) on 'hell' -> 'ello', your model "
            f"predicts {predicted!r} with loss {loss:.3f} (the reference reaches 'ello' with loss below 0.08 for "
            "every seed). Check char_rnn_loss's gradients (test above) and adagrad_step: p <- p - lr * g / "
            "(sqrt(s) + eps) with s the running sum of g**2.")
