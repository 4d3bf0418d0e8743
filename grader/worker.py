"""The worker: the only process in which student code runs.

Started by ``grader.sandbox.Worker`` as ``python -I worker.py FD_IN FD_OUT`` with the copied
submission folder as its working directory. It reads requests from FD_IN and answers on
FD_OUT in the plain-data wire format of ``codec.py`` (copied beside this file); the
student's own prints go to the process's stdout/stderr, which the grader captures
separately, so they can never be mistaken for an answer.

This file must import nothing from the grader package: it runs outside it.
"""

import importlib
import importlib.util
import os
import sys
import traceback
import types
import warnings
from pathlib import Path


def _load_codec():
    path = Path(__file__).with_name("codec.py")
    spec = importlib.util.spec_from_file_location("_grader_codec", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


codec = _load_codec()
_probes = {}


def to_plain(value):
    """Convert torch tensors (exact type only) to numpy arrays, recursively."""
    torch = sys.modules.get("torch")
    if torch is not None and type(value) in (torch.Tensor, torch.nn.Parameter):
        return torch.Tensor.numpy(torch.Tensor.cpu(torch.Tensor.detach(value)))
    if type(value) is list:
        return [to_plain(v) for v in value]
    if type(value) is tuple:
        return tuple(to_plain(v) for v in value)
    if type(value) is dict:
        return {k: to_plain(v) for k, v in value.items()}
    return value


def load_probe(source, filename):
    """Execute trusted probe source once and return it as a module."""
    key = (filename, source)
    if key not in _probes:
        module = types.ModuleType("grader_probe")
        module.__file__ = filename
        exec(compile(source, filename, "exec"), module.__dict__)
        _probes[key] = module
    return _probes[key]


def resolve(request):
    op = request["op"]
    if op == "probe":
        return getattr(load_probe(request["source"], request["filename"]), request["func"])
    module = importlib.import_module(request["module"])
    if op == "get":
        return getattr(module, request["attr"])
    return getattr(module, request["func"])


def handle(request):
    """Run one request; return the answer as a dict of plain data."""
    if request["op"] == "ping":
        return {"ok": True, "value": os.getpid()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        target = resolve(request)
        if request["op"] == "get":
            value = target
        else:
            args, kwargs = request.get("args", []), request.get("kwargs", {})
            value = target(*args, **kwargs)
    answer = {"ok": True, "value": to_plain(value)}
    answer["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
    if request.get("inspect"):
        answer["args_after"] = to_plain(list(request.get("args", [])))
        answer["kwargs_after"] = to_plain(dict(request.get("kwargs", {})))
    return answer


def student_traceback(exc):
    """The last frames of a traceback, without the worker's own frames."""
    stdlib = os.path.dirname(os.__file__)
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__)
        if f.filename != __file__ and not f.filename.startswith((stdlib, "<frozen"))
    ]
    lines = traceback.format_list(frames[-4:])
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines).replace(os.getcwd() + os.sep, "")[-4000:]


def main():
    fd_in, fd_out = int(sys.argv[1]), int(sys.argv[2])
    sys.path.insert(0, os.getcwd())
    with os.fdopen(fd_in, "rb") as requests, os.fdopen(fd_out, "wb") as answers:
        codec.write_message(answers, {"ok": True, "value": "ready"})
        while True:
            request = codec.read_message(requests)
            if request is None:
                break
            try:
                answer = handle(request)
                payload = codec.encode(answer)
            except BaseException as exc:  # noqa: BLE001 - everything the student raises is reported
                if isinstance(exc, codec.WireError):
                    message = f"returned a value that is not plain data: {exc}"
                else:
                    message = f"{type(exc).__name__}: {exc}"
                answer = {"ok": False, "error": message[:2000], "traceback": student_traceback(exc)}
                payload = codec.encode(answer)
            answers.write(len(payload).to_bytes(8, "little") + payload)
            answers.flush()


if __name__ == "__main__":
    main()
