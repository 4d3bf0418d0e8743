"""Public tests for a1_cells. Run them from the assignment folder with `pytest tests/`.

They check shapes, a few values you can verify by hand, and simple properties. Passing
them is a good sign, not a guarantee: the hidden suite checks far more cases.
"""

import warnings

import numpy as np
import pytest

from cells import count_parameters, gru_cell, lstm_cell, rnn_cell, sigmoid


def random_weights(G, D, H, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    shapes = [(G * H, D), (G * H, H), (G * H,), (G * H,)]
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


def test_sigmoid_values_and_no_overflow_warning():
    x = np.array([-1e4, -1.0, 0.0, 1.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow warning fails the test
        s = sigmoid(x)
    np.testing.assert_allclose(s, [0.0, 0.26894142, 0.5, 0.73105858, 1.0], rtol=1e-7, atol=1e-12)


def test_rnn_cell_zero_weights_gives_tanh_of_biases():
    W_ih, W_hh, b_ih, b_hh = random_weights(1, 3, 2)
    x, h = np.ones((4, 3)), np.ones((4, 2))
    out = rnn_cell(x, h, 0 * W_ih, 0 * W_hh, b_ih, b_hh)
    assert out.shape == (4, 2)
    np.testing.assert_allclose(out, np.tanh(b_ih + b_hh)[None].repeat(4, 0), rtol=1e-12, atol=1e-12)


def test_rnn_cell_relu_is_non_negative():
    W_ih, W_hh, b_ih, b_hh = random_weights(1, 3, 5)
    x, h = np.random.default_rng(1).standard_normal((2, 3)), np.zeros((2, 5))
    out = rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh, nonlinearity="relu")
    assert out.shape == (2, 5) and np.all(out >= 0)


def test_lstm_cell_shapes_and_dtype():
    W_ih, W_hh, b_ih, b_hh = random_weights(4, 3, 5, dtype=np.float32)
    x = np.ones((2, 3), np.float32)
    h, c = np.zeros((2, 5), np.float32), np.zeros((2, 5), np.float32)
    h_next, c_next = lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh)
    assert h_next.shape == c_next.shape == (2, 5)
    assert h_next.dtype == c_next.dtype == np.float32


def test_lstm_cell_closed_forget_gate_and_open_input_gate():
    # Large biases saturate the gates: i = 1, f = 0, o = 1 and g = tanh(0) = 0, so c' = 0.
    H = 2
    b = np.concatenate([np.full(H, 50.0), np.full(H, -50.0), np.zeros(H), np.full(H, 50.0)])
    h_next, c_next = lstm_cell(np.zeros(1), np.zeros(H), np.ones(H), np.zeros((4 * H, 1)), np.zeros((4 * H, H)), b, 0 * b)
    np.testing.assert_allclose(c_next, np.zeros(H), atol=1e-12, rtol=0)
    np.testing.assert_allclose(h_next, np.zeros(H), atol=1e-12, rtol=0)


def test_gru_cell_update_gate_one_keeps_the_state():
    H = 3
    b = np.concatenate([np.zeros(H), np.full(H, 50.0), np.zeros(H)])  # z = 1
    h = np.array([0.3, -0.2, 0.9])
    out = gru_cell(np.ones(2), h, np.ones((3 * H, 2)), np.ones((3 * H, H)), b, np.zeros(3 * H))
    np.testing.assert_allclose(out, h, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cell, expected", [("rnn", 22 - 4), ("lstm", 4 * 18), ("gru", 3 * 18)])
def test_count_parameters_for_one_input_and_three_hidden(cell, expected):
    # D = 1, H = 3: each gate has 3*1 + 3*3 + 3 + 3 = 18 parameters.
    assert count_parameters(cell, 1, 3) == expected


def test_unbatched_input():
    W_ih, W_hh, b_ih, b_hh = random_weights(3, 4, 2)
    out = gru_cell(np.ones(4), np.zeros(2), W_ih, W_hh, b_ih, b_hh)
    assert out.shape == (2,)
