"""The plain-data wire format: round trips, exact types, and everything it refuses."""

import functools
import io

import numpy as np
import pytest

from grader.sandbox import codec


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


@pytest.mark.parametrize("data", [
    b"",
    b"\x00" * 7,
    (10).to_bytes(8, "little") + b"{not json}",
    (2).to_bytes(8, "little") + b"[]",
    (40).to_bytes(8, "little") + b'{"tree": {"zz": 1}, "sizes": []}' + b" " * 7,
    (1 << 62).to_bytes(8, "little") + b"{}",
    (27).to_bytes(8, "little") + b'{"tree": 1, "sizes": [999]}',
])
def test_malformed_bytes_raise_only_wire_error(data):
    with pytest.raises(codec.WireError):
        codec.decode(data)


def test_deep_nesting_is_refused_not_a_recursion_error():
    deep = b"[" * 100000 + b"]" * 100000
    header = b'{"tree": ' + deep + b', "sizes": []}'
    with pytest.raises(codec.WireError):
        codec.decode(len(header).to_bytes(8, "little") + header)
    with pytest.raises(codec.WireError):
        codec.encode(functools.reduce(lambda inner, _: [inner], range(200), []))


def test_tagged_nodes_need_a_decoder():
    data = codec.encode([codec.Tagged("h", 3), codec.Tagged("T", np.arange(3))])
    with pytest.raises(codec.WireError):
        codec.decode(data)
    out = codec.decode(data, {"h": lambda n: ("handle", n), "T": lambda array: ("tensor", array.tolist())})
    assert out == [("handle", 3), ("tensor", [0, 1, 2])]


def test_frame_length_refuses_oversized_frames():
    with pytest.raises(codec.WireError):
        codec.frame_length((codec.MAX_MESSAGE_BYTES + 1).to_bytes(8, "little"))
    assert codec.frame_length((5).to_bytes(8, "little")) == 5
