"""The plain-data wire format: round trips, exact types, and everything it refuses."""

import io

import numpy as np
import pytest

from grader import codec


def roundtrip(value):
    return codec.decode(codec.encode(value))


def test_round_trip_keeps_values_and_exact_types():
    value = {"a": [1, 2.5, True, None, "text"], "b": (np.arange(6, dtype=np.float32).reshape(2, 3),), "c": {}}
    out = roundtrip(value)
    assert type(out) is dict and type(out["a"]) is list and type(out["b"]) is tuple
    assert out["a"] == [1, 2.5, True, None, "text"]
    array = out["b"][0]
    assert type(array) is np.ndarray and array.dtype == np.float32 and array.shape == (2, 3)
    np.testing.assert_array_equal(array, np.arange(6).reshape(2, 3))


def test_non_finite_floats_and_numpy_scalars_become_python_floats():
    out = roundtrip([float("nan"), float("inf"), np.float32(1.5), np.int64(3)])
    assert np.isnan(out[0]) and out[1] == float("inf")
    assert [type(v) for v in out] == [float, float, float, int]


class AlwaysEqual:
    def __eq__(self, other):
        return True


class SneakyArray(np.ndarray):
    pass


@pytest.mark.parametrize("value", [
    AlwaysEqual(),
    np.arange(3).view(SneakyArray),
    np.array([AlwaysEqual()], dtype=object),
    {1: "non-string key"},
    b"bytes",
    lambda: 0,
])
def test_anything_but_plain_data_is_refused(value):
    with pytest.raises(codec.WireError):
        codec.encode(value)


def test_a_pickled_array_in_a_message_is_refused():
    honest = codec.encode([np.zeros(2)])
    buffer = io.BytesIO()
    np.save(buffer, np.array([AlwaysEqual()], dtype=object), allow_pickle=True)
    header_len = int.from_bytes(honest[:8], "little")
    header = honest[8 : 8 + header_len].replace(str(len(honest) - 8 - header_len).encode(), str(len(buffer.getvalue())).encode())
    forged = len(header).to_bytes(8, "little") + header + buffer.getvalue()
    with pytest.raises((codec.WireError, ValueError)):
        codec.decode(forged)


def test_truncated_messages_are_refused():
    data = codec.encode({"x": np.ones(10)})
    with pytest.raises((codec.WireError, ValueError)):
        codec.decode(data[:-5])
