"""Tests of rnnutils.gradcheck: numeric gradients, relative errors, and the checker."""

import numpy as np
import pytest

from rnnutils.gradcheck import check_gradients, numeric_gradient, relative_error


def test_numeric_gradient_of_quadratic():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.5, -1.0])
    grad = numeric_gradient(lambda x: 0.5 * x @ A @ x, {"x": x}, "x")
    # rounding error of a centred difference is about 1e-16 / eps = 1e-10
    np.testing.assert_allclose(grad, A @ x, rtol=1e-8, atol=1e-9)


def test_numeric_gradient_with_upstream_and_tuple_output():
    W = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]])
    x = np.array([[0.2, -0.4]])
    upstream = np.array([[1.0, -2.0, 0.5]])

    def forward(x, W):
        return np.tanh(x @ W.T), "cache"  # a tuple: the first element is the output

    h = np.tanh(x @ W.T)
    expected = ((1 - h ** 2) * upstream).T @ x
    grad = numeric_gradient(forward, {"x": x, "W": W}, "W", upstream=upstream)
    np.testing.assert_allclose(grad, expected, rtol=1e-7, atol=1e-10)


def test_numeric_gradient_works_in_float64_and_leaves_inputs_alone():
    x32 = np.array([1.0, 2.0], dtype=np.float32)
    seen = []

    def f(x):
        seen.append(x.dtype)
        return np.sum(x ** 3)

    grad = numeric_gradient(f, {"x": x32}, "x")
    assert set(seen) == {np.dtype(np.float64)}
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, 3 * np.array([1.0, 4.0]), rtol=1e-7, atol=1e-9)
    assert x32.dtype == np.float32 and np.array_equal(x32, [1.0, 2.0])


def test_numeric_gradient_needs_upstream_for_array_output():
    with pytest.raises(ValueError, match="upstream"):
        numeric_gradient(lambda x: x * 2, {"x": np.ones(3)}, "x")


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0]), np.array([1.0 + 1e-9])) < 1e-9
    assert relative_error(np.array([1.0]), np.array([-1.0])) == 1.0
    with pytest.raises(ValueError):
        relative_error(np.zeros(2), np.zeros(3))


def test_check_gradients_passes_right_and_names_wrong_gradient():
    x, w = np.array([0.3, -0.7]), np.array([1.5, 2.0])

    def f(x, w):
        return np.sum(np.sin(x * w))

    right = {"x": w * np.cos(x * w), "w": x * np.cos(x * w)}
    errors = check_gradients(f, {"x": x, "w": w}, right)
    assert max(errors.values()) < 1e-8
    wrong = dict(right, w=-right["w"])
    with pytest.raises(AssertionError, match="w:"):
        check_gradients(f, {"x": x, "w": w}, wrong)
