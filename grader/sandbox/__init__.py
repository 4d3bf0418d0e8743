"""The trust boundary: student code runs only in sandboxed worker processes.

- ``isolation``: bubblewrap around every worker (how, and whether it is available here);
- ``copying``: the bounded copy of a submission, made once per grading;
- ``codec``: the one wire format (framed plain data);
- ``worker``: the runtime inside the sandbox (imports nothing from the grader);
- ``client``: the grader's end: ``Worker``, and ``Submission``, the handle hidden tests use.

This package imports nothing from the rest of the grader.
"""

from grader.sandbox.client import (HANDLE, VALUE, CallRecord, CallTimeout, LostObject, NotPlainData, Remote,
                                   StudentCodeError, Submission, SubmissionFailure, Tensor, WorkerCrashed)
from grader.sandbox.copying import content_hash, copy_submission, link_feedback
from grader.sandbox.isolation import LIMITS, isolation, isolation_detail, isolation_problem, sandbox_mode

__all__ = ["HANDLE", "VALUE", "CallRecord", "CallTimeout", "LostObject", "NotPlainData", "Remote",
           "StudentCodeError", "Submission", "SubmissionFailure", "Tensor", "WorkerCrashed", "content_hash",
           "copy_submission", "link_feedback", "LIMITS", "isolation", "isolation_detail", "isolation_problem",
           "sandbox_mode"]
