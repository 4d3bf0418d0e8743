"""The worker: the only process in which student code runs, inside the sandbox.

Started as ``python -I worker.py CONFIG`` (CONFIG a JSON object, see ``isolation.launch``). Its
bootstrap runs before any student code: it applies the resource limits, becomes the fresh
unprivileged uid when bwrap ran as root, imports the trusted packages the grader names (``preload``:
torch, IPython) while only the Python installation is on its path, copies the submission from the
read-only staging folder into its own working folder, and enters it. Then it answers requests from the grader, one at a
time, in the framed plain-data format of ``codec.py`` (beside this file):

- ``import``: import a module (so that a module that hangs at import is stopped once);
- ``call``: call a function, a class or a method with plain-data arguments;
- ``get``: read an attribute; ``describe``: the type of an object;
- ``run_cell``: run a notebook cell in an IPython shell (notebook workers only).

Every request may also name kept objects the grader no longer needs (``release``). Targets are a
module and an attribute path, an object kept from an earlier call (a handle), or
the notebook's namespace. A result is sent back as plain data, or kept here and sent as a handle
when the grader asks for that. Objects of the grader's (trusted models, functions) reach student
code as proxies whose every call goes back to the grader, which computes the answer itself.

Nothing this process sends is trusted by the grader. This file imports nothing from the grader
package: it runs outside it.
"""

import importlib
import importlib.util
import json
import os
import resource
import shutil
import sys
import traceback
import warnings
from pathlib import Path

MAX_ERROR_CHARS = 2000
MAX_TRACEBACK_CHARS = 4000
MAX_WARNINGS = 20
RLIMITS = {"cpu": resource.RLIMIT_CPU, "as": resource.RLIMIT_AS, "fsize": resource.RLIMIT_FSIZE,
           "nproc": resource.RLIMIT_NPROC, "core": resource.RLIMIT_CORE}


def _load_codec():
    path = Path(__file__).with_name("codec.py")
    spec = importlib.util.spec_from_file_location("_grader_codec", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


codec = _load_codec()
_objects = {}       # handle number -> object kept for the grader (one number per Remote of the grader's)
_counter = [0]
_channel = None
_shell = None


# ---------------------------------------------------------------------------------------------
# Bootstrap


def apply_limits(limits):
    """Lower this process's resource limits (never raise them)."""
    for name, value in limits.items():
        limit = RLIMITS[name]
        soft, hard = resource.getrlimit(limit)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(limit, (value, value))


def become(uid):
    """Drop every privilege: no new privileges ever, no groups, the fresh uid and gid."""
    import ctypes

    PR_SET_NO_NEW_PRIVS = 38
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid or os.getgroups():
        raise SystemExit("the worker could not drop its privileges")


def preload(names):
    """Import trusted packages (numpy, torch) before the submission's folder is on the path or the working folder.

    A package that cannot be imported is left to the student's own import, which then reports why.
    """
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - reported when student code imports it
            pass


def bootstrap(config):
    apply_limits(config["limits"])
    if config.get("uid") is not None:
        become(config["uid"])
    preload(config.get("preload", []))
    workdir = Path(config["workdir"])
    target = workdir / "submission"
    shutil.copytree(config["staging"], target, symlinks=True, dirs_exist_ok=True)
    os.chdir(target)
    sys.path.insert(0, str(target))
    sys.dont_write_bytecode = True


# ---------------------------------------------------------------------------------------------
# Handles, tensors and the grader's objects


class LostHandle(Exception):
    """The grader named an object this worker does not hold (it restarted since)."""


def keep(obj):
    """Keep ``obj`` for the grader under a new number (each number is released on its own); return its handle."""
    _counter[0] += 1
    _objects[_counter[0]] = obj
    return codec.Tagged("h", _counter[0])


def lookup(number):
    try:
        return _objects[number]
    except KeyError:
        raise LostHandle(f"object #{number}") from None


def tensor_from(array):
    import torch

    return torch.from_numpy(array.copy())


def grader_object(number, kind="function"):
    """A proxy for object ``number`` of the grader's: every call is answered by the grader."""
    if kind == "module":
        return _grader_module_class()(number)
    return GraderFunction(number)


def call_grader(number, method, args, kwargs, context=None):
    """Ask the grader to run ``method`` of its object ``number``; return its plain-data answer."""
    message = {"callback": number, "method": method, "args": to_plain(list(args)),
               "kwargs": to_plain(dict(kwargs)), "context": context or {}}
    _channel.send(codec.encode(message, extra=_as_handle))
    answer = _channel.receive()
    if answer is None:
        raise SystemExit("the grader closed the channel")
    if type(answer) is not dict or not answer.get("ok"):
        raise RuntimeError(f"the grader's object could not answer: {answer.get('error', '?')}")
    return answer["value"]


class GraderFunction:
    """A function of the grader's."""

    def __init__(self, number):
        self._number = number

    def __call__(self, *args, **kwargs):
        return call_grader(self._number, "__call__", args, kwargs)


def _grader_module_class():
    """torch.nn.Module whose forward is computed by the grader (built on first use)."""
    import torch

    class GraderModule(torch.nn.Module):
        """A model of the grader's: forward asks the grader; outputs join the caller's graph.

        Its one parameter, ``scale``, is 1; outputs are the grader's values times
        ``scale / scale.detach()`` (exactly 1), so an optimiser has a parameter to step and
        ``backward`` works. Input tensors that require grad are tied into the outputs with weight
        0, so that a state carried from the previous step without ``detach()`` makes the next
        ``backward`` reach into a freed graph, as it would with a real recurrent model.
        """

        def __init__(self, number):
            super().__init__()
            self._number = number
            self.scale = torch.nn.Parameter(torch.ones(()))

        def forward(self, *args, **kwargs):
            inputs = [t for t in _tensors((args, kwargs)) if t.is_floating_point()]
            context = {"grad_enabled": torch.is_grad_enabled(), "training": self.training,
                       "inputs_require_grad": [bool(t.requires_grad) for t in inputs]}
            value = call_grader(self._number, "forward", args, kwargs, context)
            if not context["grad_enabled"]:   # no graph to join (sampling under torch.no_grad())
                return _to_tensors(value, None)
            ratio = self.scale / self.scale.detach()
            tie = sum((t.sum() * 0 for t in inputs if t.requires_grad), torch.zeros(()))
            return _to_tensors(value, (ratio, tie))

    return GraderModule


def _tensors(value):
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        yield value
    elif type(value) in (list, tuple):
        for item in value:
            yield from _tensors(item)
    elif type(value) is dict:
        for item in value.values():
            yield from _tensors(item)


def _to_tensors(value, graph):
    """The grader's answer with its arrays as tensors; ``graph`` None, or ``(ratio, tie)`` to join the caller's graph.

    The arrays were decoded into fresh memory (``codec.decode``), so the tensors share it with nothing.
    """
    import numpy as np
    import torch

    kind = type(value)
    if kind is np.ndarray:
        tensor = torch.from_numpy(value)
        if graph is not None and tensor.is_floating_point():
            ratio, tie = graph
            return tensor * ratio.to(tensor.dtype) + tie.to(tensor.dtype)
        return tensor
    if kind is list or kind is tuple:
        return kind([_to_tensors(v, graph) for v in value])
    if kind is dict:
        return {k: _to_tensors(v, graph) for k, v in value.items()}
    return value


TAGS = {"h": lookup, "T": tensor_from, "c": grader_object}


def to_plain(value, depth=0):
    """Tensors (exact types) to numpy arrays, OrderedDict to dict, torch.Size to tuple; recursively."""
    if depth > 64:
        return value
    torch = sys.modules.get("torch")
    kind = type(value)
    if torch is not None:
        if kind in (torch.Tensor, torch.nn.Parameter):
            return torch.Tensor.numpy(torch.Tensor.cpu(torch.Tensor.detach(value))).copy()
        if kind is torch.Size:
            return tuple(int(v) for v in value)
    if kind is list:
        return [to_plain(v, depth + 1) for v in value]
    if kind is tuple:
        return tuple(to_plain(v, depth + 1) for v in value)
    if kind is dict or kind.__name__ == "OrderedDict" and kind.__module__ == "collections":
        return {k: to_plain(v, depth + 1) for k, v in dict.items(value)}
    return value


def _as_handle(value):
    """Objects the grader holds travel back as (new) handles, e.g. in ``args_after``."""
    if any(kept is value for kept in _objects.values()):
        return keep(value)
    return None


class WrongForm(Exception):
    """A result that is not the tuple the grader asked for (reported as such, not as a raise)."""


def shape_result(value, keep_spec):
    """Apply a keep spec: "value" (plain data), "handle" (kept here), or a list of specs."""
    if keep_spec == "handle":
        return keep(value)
    if type(keep_spec) is list:
        if type(value) not in (tuple, list) or len(value) != len(keep_spec):
            size = f" of {len(value)} items" if type(value) in (tuple, list) else ""
            raise WrongForm(f"returned a {type(value).__name__}{size}, not a tuple of {len(keep_spec)} values")
        return tuple(shape_result(v, s) for v, s in zip(value, keep_spec))
    return to_plain(value)


# ---------------------------------------------------------------------------------------------
# Requests


def resolve(target):
    """The object a target names: a module attribute path, a kept object, or a notebook name."""
    path = list(target.get("path", []))
    if "handle" in target:
        obj = lookup(target["handle"])
    elif "module" in target:
        obj = importlib.import_module(target["module"])
    elif target.get("namespace"):
        namespace = notebook_shell().user_ns
        if not path or path[0] not in namespace:
            raise NameError(f"name {path[0] if path else ''!r} is not defined in the notebook")
        obj = namespace[path.pop(0)]
    else:
        raise ValueError("a target names a module, a handle or the notebook namespace")
    for name in path:
        obj = getattr(obj, name)
    return obj


def type_names(obj):
    return [f"{c.__module__}.{c.__qualname__}" for c in type(obj).__mro__]


def describe(obj):
    return {"type": type_names(obj)[0], "mro": type_names(obj), "callable": callable(obj)}


def handle(request):
    """Run one request; return the answer dict (plain data, tagged handles)."""
    for number in request.get("release", []):
        _objects.pop(number, None)
    op = request["op"]
    if op == "ping":
        return {"ok": True, "value": os.getpid()}
    if op == "import":
        importlib.import_module(request["module"])
        return {"ok": True, "value": None}
    if op == "run_cell":
        return {"ok": True, "value": run_cell(request["source"])}
    caught = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        target = resolve(request["target"])
        if op == "get":
            value = target
        elif op == "describe":
            return {"ok": True, "value": describe(target)}
        elif op == "call":
            args, kwargs = request.get("args", []), request.get("kwargs", {})
            value = target(*args, **kwargs)
        else:
            raise ValueError(f"unknown request {op!r}")
        value = shape_result(value, request.get("keep", "value"))
    answer = {"ok": True, "value": value,
              "warnings": [f"{w.category.__name__}: {str(w.message)[:300]}" for w in caught[:MAX_WARNINGS]]}
    if request.get("inspect"):
        answer["args_after"] = to_plain(list(request.get("args", [])))
        answer["kwargs_after"] = to_plain(dict(request.get("kwargs", {})))
    return answer


def error_of(exc, kind="raised"):
    """An exception as plain data: its class (qualified names of its MRO), message and traceback."""
    try:
        text = str(exc)
    except BaseException:  # noqa: BLE001 - a student exception whose __str__ fails
        text = "<the exception's message could not be read>"
    return {"kind": kind, "type": type_names(exc)[0], "mro": type_names(exc),
            "message": f"{type(exc).__name__}: {text}"[:MAX_ERROR_CHARS],
            "traceback": student_traceback(exc)}


def student_traceback(exc):
    """The last frames of a traceback, without the worker's own frames."""
    try:
        stdlib = os.path.dirname(os.__file__)
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename != __file__ and not f.filename.startswith((stdlib, "<frozen"))]
        lines = traceback.format_list(frames[-4:]) + traceback.format_exception_only(type(exc), exc)
        return "".join(lines).replace(os.getcwd() + os.sep, "")[-MAX_TRACEBACK_CHARS:]
    except BaseException:  # noqa: BLE001
        return ""


def notebook_shell():
    """The IPython shell that runs the notebook's cells (created on first use)."""
    global _shell
    if _shell is None:
        from IPython.core.interactiveshell import InteractiveShell

        class NotebookShell(InteractiveShell):
            """A shell without a screen: `%matplotlib inline` selects the backend and opens no window."""

            def enable_gui(self, gui=None):
                return None

        _shell = NotebookShell.instance()
    return _shell


def run_cell(source):
    """Run one notebook cell; return None, or its error as plain data."""
    result = notebook_shell().run_cell(source, store_history=True)
    error = result.error_before_exec or result.error_in_exec
    return None if error is None else error_of(error)


# ---------------------------------------------------------------------------------------------
# The channel


class Channel:
    """Framed messages over the two inherited pipes."""

    def __init__(self, fd_in, fd_out):
        self.reader = os.fdopen(fd_in, "rb")
        self.writer = os.fdopen(fd_out, "wb")

    def send(self, payload):
        self.writer.write(codec.frame(payload))
        self.writer.flush()

    def receive(self):
        return codec.read_message(self.reader, TAGS)


def answer_bytes(request_id, request):
    try:
        answer = handle(request)
    except LostHandle as exc:
        answer = {"ok": False, "error": error_of(exc, "lost_handle")}
    except WrongForm as exc:
        answer = {"ok": False, "error": dict(error_of(exc, "not_plain"), message=str(exc)[:MAX_ERROR_CHARS])}
    except BaseException as exc:  # noqa: BLE001 - everything the student raises is reported
        answer = {"ok": False, "error": error_of(exc)}
    answer["id"] = request_id
    try:
        return codec.encode(answer, extra=_as_handle)
    except BaseException as exc:  # noqa: BLE001 - a value that cannot cross
        error = {"kind": "not_plain", "type": "", "mro": [], "traceback": "",
                 "message": f"returned a value that is not plain data: {str(exc)[:MAX_ERROR_CHARS]}"}
        return codec.encode({"id": request_id, "ok": False, "error": error})


def main():
    global _channel
    config = json.loads(sys.argv[1])
    bootstrap(config)
    _channel = Channel(config["fd_in"], config["fd_out"])
    # Its own pid (in the sandbox), so that the grader can watch the thread that runs student code.
    _channel.send(codec.encode({"id": 0, "ok": True, "value": "ready", "pid": os.getpid()}))
    while True:
        request = _channel.receive()
        if request is None:
            break
        _channel.send(answer_bytes(request.get("id"), request))


if __name__ == "__main__":
    main()
