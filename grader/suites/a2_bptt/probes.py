"""Trusted code that runs inside the worker, next to the student's bptt.py.

Each probe imports the student's module in its body, runs it, and returns plain data only
(arrays, dicts of arrays, floats). The grader compares and scores.
"""


def rnn_run(x, h0, W_ih, W_hh, b_ih, b_hh, dhs, nonlinearity="tanh", k=None):
    """rnn_forward then rnn_backward (or rnn_backward_truncated when k is given)."""
    import bptt

    kwargs = {} if nonlinearity == "tanh" else {"nonlinearity": nonlinearity}
    hs, cache = bptt.rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, **kwargs)
    grads = bptt.rnn_backward(dhs, cache) if k is None else bptt.rnn_backward_truncated(dhs, cache, k)
    return hs, grads


def lstm_run(x, h0, c0, W_ih, W_hh, b_ih, b_hh, dhs):
    """lstm_forward then lstm_backward."""
    import bptt

    hs, cache = bptt.lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh)
    return hs, bptt.lstm_backward(dhs, cache)


def train_hello(params, inputs, targets, steps, lr, max_norm):
    """Train the character model with the student's char_rnn_loss, clip_grad_norm, adagrad_step.

    Inputs:
    - params: dict of starting parameters (chosen by the grader).
    - inputs, targets: integer arrays (1, T).
    - steps: int, number of updates; lr: float; max_norm: float.

    Returns:
    - params: the trained parameters (dict of arrays), for the grader to evaluate itself.
    """
    import numpy as np

    import bptt

    h0 = np.zeros((1, params["W_hh"].shape[0]))
    sq_sums = {name: np.zeros_like(value) for name, value in params.items()}
    for _ in range(steps):
        _, grads, _ = bptt.char_rnn_loss(params, inputs, targets, h0)
        grads, _ = bptt.clip_grad_norm(grads, max_norm)
        params, sq_sums = bptt.adagrad_step(params, grads, sq_sums, lr)
    return {name: np.asarray(value, dtype=np.float64) for name, value in params.items()}
