"""The one wire format between the grader and a worker: framed messages of plain data.

A frame is an 8-byte little-endian length and that many bytes of message. A message is a JSON
header (the tree, and the dtype and shape of every array) followed by blobs: every numpy array is a
reference to a blob holding its elements in C order. The dtype is one of the plain numeric or bool
dtypes, named by its short string (``"<f4"``, ``"|b1"``); decoding checks the name and that the
shape's elements fill the blob exactly, and copies the elements into a fresh array. So decoding
rebuilds exact builtin types and exact ``np.ndarray`` objects of a numeric or bool dtype, and nothing
that crosses the wire carries behaviour (no ``__eq__`` override, no array or tensor subclass, no
pickle). (Raw blobs, not ``.npy``: ``np.load`` parses each array's header with ``ast``, and cost
about 40 us per array against 1.4 us for ``np.frombuffer``, measured on this project's 2-core
machine; a callback of the a4 suite carries two arrays each way.)

Besides plain data a tree may hold tagged nodes that the two ends give a meaning to: ``{"T": i}``
(an array the worker turns into a torch tensor), ``{"h": n}`` (an object kept in the worker, known
to the grader by number) and ``{"c": n, "kind": k}`` (an object of the grader's that the worker may
call back). ``encode`` takes an ``extra`` function for values it does not know; ``decode`` takes a
``tags`` dict from tag to function.

Anything malformed raises ``WireError``, whatever is wrong with it: decoding never raises another
exception type, never recurses without a bound and never allocates more than the frame holds.

This file is also run by the worker (without the grader package): it imports nothing but the
standard library and numpy.
"""

import functools
import json
import math
import re
import struct

import numpy as np

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64
FRAME = struct.Struct("<Q")
_ALLOWED_KINDS = "biufc"  # bool, signed, unsigned, float, complex
_DTYPE_NAME = re.compile(r"[<>|][biufc][0-9]{1,2}\Z")   # "<f8", "|b1", ">i4", "<c16": a dtype's .str
MAX_DIMENSIONS = 32
_ARRAY, _SCALAR, _TUPLE, _DICT = "a", "s", "t", "d"


class WireError(ValueError):
    """A value that is not plain data, or a malformed message."""


class Tagged:
    """A node the codec passes through as ``{tag: value, **fields}`` (tensors, handles, callbacks)."""

    def __init__(self, tag, value, **fields):
        self.tag, self.value, self.fields = tag, value, fields


class _Refused(Exception):
    """A value that cannot be encoded; ``keys`` is where it sits, innermost first (a path is built only then)."""

    def __init__(self, problem):
        super().__init__(problem)
        self.problem, self.keys = problem, []

    def path(self, root):
        return root + "".join(reversed(self.keys))


def _encode_tree(obj, blobs, extra, depth):
    if depth > MAX_DEPTH:   # as deep as decoding accepts, scalars included
        raise _Refused(f"nested more than {MAX_DEPTH} levels deep")
    kind = type(obj)
    if obj is None or kind is str or kind is int or kind is bool:
        return obj
    if kind is float:
        if obj != obj or obj in (float("inf"), float("-inf")):
            return {_SCALAR: _add_blob(np.asarray(obj), blobs)}
        return obj
    if kind is np.ndarray:
        if obj.dtype.kind not in _ALLOWED_KINDS:
            raise _Refused(f"numpy array of dtype {obj.dtype} is not plain numeric data")
        return {_ARRAY: _add_blob(obj, blobs)}
    if isinstance(obj, np.generic) and kind.__module__ == "numpy" and np.dtype(kind).kind in _ALLOWED_KINDS:
        return {_SCALAR: _add_blob(np.asarray(obj), blobs)}
    if kind is list:
        return _encode_items(obj, blobs, extra, depth)
    if kind is tuple:
        return {_TUPLE: _encode_items(obj, blobs, extra, depth)}
    if kind is dict:
        return {_DICT: _encode_dict(obj, blobs, extra, depth)}
    if kind is Tagged:
        value = obj.value
        if type(value) is np.ndarray:
            value = _add_blob(value, blobs)
        return dict(obj.fields, **{obj.tag: value})
    if extra is not None:
        replaced = extra(obj)
        if replaced is not None:
            return _encode_tree(replaced, blobs, None, depth + 1)
    raise _Refused(f"a value of type {kind.__module__}.{kind.__qualname__} is not plain data")


def _encode_items(items, blobs, extra, depth):
    out, index = [], 0
    try:
        for index, item in enumerate(items):
            out.append(_encode_tree(item, blobs, extra, depth + 1))
    except _Refused as exc:
        exc.keys.append(f"[{index}]")
        raise
    return out


def _encode_dict(mapping, blobs, extra, depth):
    out = []
    for key, value in mapping.items():
        if type(key) is not str:
            raise _Refused(f"dict key {key!r:.40} is not a string")
        try:
            out.append([key, _encode_tree(value, blobs, extra, depth + 1)])
        except _Refused as exc:
            exc.keys.append(f"[{key!r}]")
            raise
    return out


def _add_blob(array, blobs):
    """Add ``array`` (numeric or bool) to the message's arrays; return its index."""
    blobs.append(array)
    return len(blobs) - 1


def encode(obj, path="value", extra=None):
    """Encode a tree of plain data as bytes (raises WireError on anything else, naming where it sits under ``path``).

    ``extra(value)`` may turn a value the codec does not know into a ``Tagged`` node (or other plain
    data); returning None refuses it.
    """
    blobs = []
    try:
        tree = _encode_tree(obj, blobs, extra, 0)
    except _Refused as exc:
        raise WireError(f"{exc.path(path)}: {exc.problem}") from None
    arrays = [[a.dtype.str, list(a.shape)] for a in blobs]
    header = json.dumps({"tree": tree, "arrays": arrays}, allow_nan=False).encode()
    return b"".join([FRAME.pack(len(header)), header, *(a.tobytes() for a in blobs)])


def _decode_tree(node, arrays, tags, depth):
    if depth > MAX_DEPTH:
        raise WireError(f"message nested more than {MAX_DEPTH} levels deep")
    kind = type(node)
    if node is None or kind in (bool, int, float, str):
        return node
    if kind is list:
        return [_decode_tree(v, arrays, tags, depth + 1) for v in node]
    if kind is not dict or not node:
        raise WireError("unknown node in message")
    if len(node) == 1 and _ARRAY in node:
        return _array(node[_ARRAY], arrays)
    if len(node) == 1 and _SCALAR in node:
        return _array(node[_SCALAR], arrays)[()].item()
    if len(node) == 1 and _TUPLE in node and type(node[_TUPLE]) is list:
        return tuple(_decode_tree(v, arrays, tags, depth + 1) for v in node[_TUPLE])
    if len(node) == 1 and _DICT in node and type(node[_DICT]) is list:
        out = {}
        for item in node[_DICT]:
            if type(item) is not list or len(item) != 2 or type(item[0]) is not str:
                raise WireError("bad dict item")
            out[item[0]] = _decode_tree(item[1], arrays, tags, depth + 1)
        return out
    for tag, function in (tags or {}).items():
        if tag in node:
            fields = {k: v for k, v in node.items() if k != tag}
            if any(type(v) not in (str, int, bool) for v in fields.values()):
                raise WireError(f"bad fields of a {tag!r} node")
            value = node[tag]
            if tag == "T":
                value = _array(value, arrays)
            elif type(value) is not int:
                raise WireError(f"bad {tag!r} reference")
            return function(value, **fields)
    raise WireError("unknown node in message")


def _array(index, arrays):
    if type(index) is not int or not 0 <= index < len(arrays):
        raise WireError("bad array reference")
    return arrays[index]


def decode(data, tags=None):
    """Decode bytes made by ``encode`` into exact builtin types and exact ``np.ndarray``.

    ``tags`` maps a tag ("T", "h", "c") to a function of (value, **fields) that rebuilds it;
    a tagged node without a function is refused. Raises only WireError.
    """
    try:
        return _decode(data, tags)
    except WireError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever breaks in a malformed message is one error
        raise WireError(f"malformed message ({type(exc).__name__}: {str(exc)[:200]})") from None


def _decode(data, tags):
    if len(data) < FRAME.size:
        raise WireError("truncated message")
    (header_len,) = FRAME.unpack(data[: FRAME.size])
    if header_len > min(len(data) - FRAME.size, MAX_HEADER_BYTES):
        raise WireError("truncated or oversized message header")
    header = json.loads(data[FRAME.size : FRAME.size + header_len])
    if type(header) is not dict:
        raise WireError("the message header is not an object")
    layouts = [_layout(item) for item in _list(header.get("arrays"), "array list")]
    if FRAME.size + header_len + sum(dtype.itemsize * count for dtype, _, count in layouts) != len(data):
        raise WireError("array sizes do not add up to the message length")
    arrays, offset = [], FRAME.size + header_len
    for dtype, shape, count in layouts:
        arrays.append(np.frombuffer(data, dtype, count, offset).reshape(shape).copy())
        offset += dtype.itemsize * count
    return _decode_tree(header.get("tree"), arrays, tags, 0)


def _list(value, what):
    if type(value) is not list:
        raise WireError(f"bad {what}")
    return value


def _layout(item):
    """``(dtype, shape, number of elements)`` of one array of a message header (WireError if not plain)."""
    if type(item) is not list or len(item) != 2 or type(item[0]) is not str:
        raise WireError("array of a non-numeric dtype")
    dtype = _plain_dtype(item[0])
    shape = _list(item[1], "array shape")
    if len(shape) > MAX_DIMENSIONS or any(type(n) is not int or n < 0 for n in shape):
        raise WireError("bad array shape")
    return dtype, tuple(shape), math.prod(shape)


@functools.lru_cache(maxsize=256)
def _plain_dtype(name):
    """The numeric or bool dtype whose ``.str`` is ``name`` (WireError for any other name)."""
    dtype = np.dtype(name) if _DTYPE_NAME.match(name) else None
    if dtype is None or dtype.kind not in _ALLOWED_KINDS or dtype.str != name:
        raise WireError("array of a non-numeric dtype")
    return dtype


def frame(payload):
    """The bytes that carry ``payload`` over a pipe: its length, then itself."""
    return FRAME.pack(len(payload)) + payload


def frame_length(prefix):
    """The payload length announced by an 8-byte frame prefix (WireError when over the limit)."""
    (size,) = FRAME.unpack(prefix)
    if size > MAX_MESSAGE_BYTES:
        raise WireError(f"a message of {size} bytes is over the {MAX_MESSAGE_BYTES}-byte limit")
    return size


def write_message(stream, obj, extra=None):
    """Write one framed message to a binary stream."""
    stream.write(frame(encode(obj, extra=extra)))
    stream.flush()


def read_message(stream, tags=None):
    """Read one framed message from a binary stream; None at end of stream."""
    prefix = stream.read(FRAME.size)
    if len(prefix) < FRAME.size:
        return None
    size = frame_length(prefix)
    payload = stream.read(size)
    if len(payload) < size:
        return None
    return decode(payload, tags)
