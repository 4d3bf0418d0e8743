"""Checks shared by the hidden tests and the notebook checks of a5_attention (run in the grader).

Nothing here enters the worker: the helpers make plain calls into the submission; targets and
metrics come from reference.py. When a check fails, ``Diagnosis`` runs the mutants of attention.py
(grader/mutants/a5_attention/) here on the same inputs and names the bug the student's output
reproduces.
"""

import numpy as np
import torch

from grader.grading.testing import fail
from grader.sandbox import HANDLE, VALUE, Tensor
from rnnutils.dates import BOS_ID as BOS, EOS_ID as EOS, PAD_ID as PAD, decode_target, encode_sources

ASSIGNMENT = "a5_attention"


def tensors(arrays):
    """A dict of numpy arrays as ``Tensor`` arguments (a state_dict to load in the worker)."""
    return {name: Tensor(value) for name, value in arrays.items()}


def local_model(module, cls, weights, *args, **kwargs):
    """``module.cls(*args, **kwargs)`` of our own code (reference or mutant) with ``weights`` loaded."""
    torch.manual_seed(0)
    model = getattr(module, cls)(*args, **kwargs)
    model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in weights.items()})
    return model


def greedy_by_grader(model, sources, max_len=11):
    """Greedy translations of ``sources`` by a student's Seq2Seq kept in the worker, decided here.

    The grader encodes the sources, calls ``model.encode`` once and then ``model.decode_step`` one
    step at a time; it takes the argmax of each step's logits itself and feeds it back. Returns the
    predicted strings (a row stops at its first EOS).
    """
    src, src_lengths = encode_sources(sources)
    memory, state, src_mask = model.encode.returning(HANDLE, HANDLE, HANDLE)(Tensor(src), Tensor(src_lengths))
    rows = len(sources)
    prev = np.full(rows, BOS, dtype=np.int64)
    written = np.full((rows, max_len), PAD, dtype=np.int64)
    done = np.zeros(rows, dtype=bool)
    for t in range(max_len):
        logits, state = model.decode_step.returning(VALUE, HANDLE, VALUE)(Tensor(prev), state, memory, src_mask)[:2]
        if type(logits) is not np.ndarray or logits.ndim != 2 or logits.shape[0] != rows:
            shape = logits.shape if type(logits) is np.ndarray else type(logits).__name__
            fail("decode_step", f"on a batch of {rows} rows returned logits of shape {shape}, expected (N, V).")
        if not np.all(np.isfinite(logits)):
            fail("decode_step", f"returned NaN or infinite logits at step {t} of greedy decoding.")
        prev = np.where(done, PAD, logits.argmax(axis=1)).astype(np.int64)
        written[:, t] = prev
        done |= prev == EOS
        if done.all():
            break
    return [decode_target(row) for row in written]


def exact_match(predictions, targets):
    """Fraction of predictions equal to their target (computed here)."""
    return float(np.mean([p == t for p, t in zip(predictions, targets)]))
