"""Checksum of the airline passengers data shipped with rnnutils (Box & Jenkins Series G).

(The library has no windowing or scaling helpers: assignment a3_airline asks students to write
them, and lecture 02 scales and windows the series in its own cells.)"""

import numpy as np

from rnnutils.airline import load_airline


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

