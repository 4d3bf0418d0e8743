"""Checksum of the airline passengers data shipped with rnnutils (Box & Jenkins Series G), and the
windowing helpers of rnnutils.windows that lectures use with it."""

import numpy as np

from rnnutils.airline import load_airline
from rnnutils.windows import MinMaxScaler, make_windows


def test_airline_shape_and_types():
    months, passengers = load_airline()
    assert type(months) is np.ndarray and months.shape == (144,)
    assert type(passengers) is np.ndarray and passengers.shape == (144,)
    assert passengers.dtype == np.float64


def test_airline_months_are_consecutive():
    months, _ = load_airline()
    expected = [f"{1949 + i // 12}-{i % 12 + 1:02d}" for i in range(144)]
    assert months.tolist() == expected
    assert months[0] == "1949-01" and months[-1] == "1960-12"


def test_airline_checksum():
    _, passengers = load_airline()
    np.testing.assert_allclose(passengers.sum(), 40363.0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(passengers.min(), 104.0, rtol=0, atol=0)
    np.testing.assert_allclose(passengers.max(), 622.0, rtol=0, atol=0)
    # A few values pinned, so that a shifted or reordered file fails too.
    np.testing.assert_allclose(passengers[[0, 11, 12, 127, 143]], [112, 118, 115, 559, 432],
                               rtol=0, atol=0)


def test_make_windows_pairs_each_window_with_the_next_value():
    X, y = make_windows(np.arange(6.0), 4)
    assert X.shape == (2, 4, 1) and y.shape == (2, 1) and X.dtype == np.float32
    np.testing.assert_array_equal(X[:, :, 0], [[0, 1, 2, 3], [1, 2, 3, 4]])
    np.testing.assert_array_equal(y[:, 0], [4, 5])


def test_min_max_scaler_keeps_the_fitted_range():
    _, passengers = load_airline()
    scaler = MinMaxScaler().fit(passengers[:100])
    scaled = scaler.transform(passengers)
    np.testing.assert_allclose([scaled[:100].min(), scaled[:100].max()], [0.0, 1.0], rtol=0, atol=1e-12)
    assert scaled[100:].max() > 1.0          # test months above the training range stay above 1
    np.testing.assert_allclose(scaler.inverse_transform(scaled), passengers, rtol=1e-12, atol=0)
