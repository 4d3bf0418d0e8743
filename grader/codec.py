"""The wire format between the grader and the worker: plain data only.

A message is a JSON tree in which every numpy array is replaced by a reference to a
blob; each blob is the array in ``.npy`` format, read back with ``allow_pickle=False``.
Decoding rebuilds exact builtin types and exact ``np.ndarray`` objects of a numeric or
bool dtype, so nothing that crosses the wire can carry behaviour (no ``__eq__``
override, no array or tensor subclass, no pickle).

This file is also copied next to the worker, which runs it without the grader package:
it must import nothing but the standard library and numpy.
"""

import io
import json
import struct

import numpy as np

MAX_MESSAGE_BYTES = 256 * 1024 * 1024
_ARRAY = "__ndarray__"
_TUPLE = "__tuple__"
_DICT = "__dict__"
_ALLOWED_KINDS = "biufc"  # bool, signed, unsigned, float, complex


class WireError(ValueError):
    """A value that is not plain data, or a malformed message."""


def _encode_tree(obj, blobs, path):
    kind = type(obj)
    if obj is None or kind in (bool, int, str):
        return obj
    if kind is float:
        if obj != obj or obj in (float("inf"), float("-inf")):
            return {_ARRAY: _add_blob(np.asarray(obj), blobs), "scalar": True}
        return obj
    if kind is np.ndarray:
        if obj.dtype.kind not in _ALLOWED_KINDS:
            raise WireError(f"{path}: numpy array of dtype {obj.dtype} is not plain numeric data")
        return {_ARRAY: _add_blob(obj, blobs)}
    if isinstance(obj, np.generic) and kind.__module__ == "numpy":
        return {_ARRAY: _add_blob(np.asarray(obj), blobs), "scalar": True}
    if kind is list:
        return [_encode_tree(v, blobs, f"{path}[{i}]") for i, v in enumerate(obj)]
    if kind is tuple:
        return {_TUPLE: [_encode_tree(v, blobs, f"{path}[{i}]") for i, v in enumerate(obj)]}
    if kind is dict:
        items = []
        for key, value in obj.items():
            if type(key) is not str:
                raise WireError(f"{path}: dict key {key!r} is not a string")
            items.append([key, _encode_tree(value, blobs, f"{path}[{key!r}]")])
        return {_DICT: items}
    raise WireError(f"{path}: a value of type {kind.__module__}.{kind.__qualname__} is not plain data")


def _add_blob(array, blobs):
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    blobs.append(buffer.getvalue())
    return len(blobs) - 1


def encode(obj, path="value"):
    """Encode a tree of plain data as bytes (raises WireError on anything else)."""
    blobs = []
    tree = _encode_tree(obj, blobs, path)
    header = json.dumps({"tree": tree, "sizes": [len(b) for b in blobs]}).encode()
    return struct.pack("<Q", len(header)) + header + b"".join(blobs)


def _decode_tree(node, arrays):
    kind = type(node)
    if node is None or kind in (bool, int, float, str):
        return node
    if kind is list:
        return [_decode_tree(v, arrays) for v in node]
    if kind is dict and set(node) <= {_ARRAY, "scalar"} and _ARRAY in node:
        index = node[_ARRAY]
        if type(index) is not int or not 0 <= index < len(arrays):
            raise WireError("bad array reference")
        array = arrays[index]
        return array[()].item() if node.get("scalar") else array
    if kind is dict and set(node) == {_TUPLE} and type(node[_TUPLE]) is list:
        return tuple(_decode_tree(v, arrays) for v in node[_TUPLE])
    if kind is dict and set(node) == {_DICT} and type(node[_DICT]) is list:
        out = {}
        for item in node[_DICT]:
            if type(item) is not list or len(item) != 2 or type(item[0]) is not str:
                raise WireError("bad dict item")
            out[item[0]] = _decode_tree(item[1], arrays)
        return out
    raise WireError("unknown node in message")


def decode(data):
    """Decode bytes made by ``encode`` into exact builtin types and exact ``np.ndarray``."""
    if len(data) < 8:
        raise WireError("truncated message")
    (header_len,) = struct.unpack("<Q", data[:8])
    if header_len > len(data) - 8:
        raise WireError("truncated message header")
    header = json.loads(data[8 : 8 + header_len])
    sizes = header.get("sizes")
    if type(sizes) is not list or any(type(s) is not int or s < 0 for s in sizes):
        raise WireError("bad blob sizes")
    arrays, offset = [], 8 + header_len
    for size in sizes:
        chunk = data[offset : offset + size]
        if len(chunk) != size:
            raise WireError("truncated array data")
        array = np.load(io.BytesIO(chunk), allow_pickle=False)
        if type(array) is not np.ndarray or array.dtype.kind not in _ALLOWED_KINDS:
            raise WireError("array of a non-numeric dtype")
        arrays.append(array)
        offset += size
    return _decode_tree(header.get("tree"), arrays)


def write_message(stream, obj):
    """Write one length-prefixed encoded message to a binary stream."""
    payload = encode(obj)
    stream.write(struct.pack("<Q", len(payload)) + payload)
    stream.flush()


def read_message(stream):
    """Read one length-prefixed message; None at end of stream."""
    prefix = stream.read(8)
    if len(prefix) < 8:
        return None
    (size,) = struct.unpack("<Q", prefix)
    if size > MAX_MESSAGE_BYTES:
        raise WireError(f"message of {size} bytes is over the {MAX_MESSAGE_BYTES}-byte limit")
    payload = stream.read(size)
    if len(payload) < size:
        return None
    return decode(payload)
