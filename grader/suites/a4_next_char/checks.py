"""Checks shared by the hidden tests and the notebook checks of a4_next_char (run in the grader).

Nothing here enters the worker: the helpers make plain calls into the submission (through the
``student`` fixture or a notebook handle); targets and metrics come from reference.py. When a
check fails, ``Diagnosis`` runs the mutants of next_char.py (grader/mutants/a4_next_char/) here on
the same inputs and names the bug the student's output reproduces.
"""

import math

import numpy as np

from grader.grading.testing import fail, number_or_none
from grader.sandbox import HANDLE, VALUE, Tensor
from grader.suites.a4_next_char.reference import bits_each

ASSIGNMENT = "a4_next_char"
# What a dtype failure says where a docstring promises a long tensor of ids, codes or lengths.
LONG_RULE = "The docstring promises a long tensor (torch.long, which arrives here as int64)."


def torch_generator(sub, seed):
    """A ``torch.Generator().manual_seed(seed)`` kept in the worker."""
    generator = sub.module("torch").Generator.remote()
    generator.manual_seed.remote(seed)
    return generator


def losses(history, count, func, per, finite=True):
    """``history`` as a list of ``count`` floats (numbers or 0-d arrays); finite ones if ``finite``."""
    if type(history) is not list or len(history) != count:
        size = len(history) if type(history) in (list, tuple) else "?"
        raise AssertionError(f"{func} must return a list of one loss per {per} ({count}), got "
                             f"{type(history).__name__} of {size} values.")
    values = [number_or_none(h) for h in history]
    if None in values:
        kind = type(history[values.index(None)]).__name__
        fail(func, f"must return its losses as floats (loss.item()), got {kind}.")
    if finite and not all(math.isfinite(v) for v in values):
        raise AssertionError(f"{func} returned losses that are NaN or infinite: {values[:5]}.")
    return values


def length_of(sub, obj):
    """``len(obj)`` of an object kept in the worker (as plain data)."""
    return sub.module("builtins").len(obj)


# ---------------------------------------------------------------------------------------------
# Held-out text, revealed one step at a time


def streamed_bits(step, texts, index, what):
    """Bits per character of a model that reads ``texts`` side by side, one character at a time.

    Inputs:
    - step: ``step(x, state) -> (logits, state)``; x a ``Tensor`` (K, 1) of ids, state None at
      first, then what the previous call returned (kept in the worker). logits come back as
      plain data (K, 1, V).
    - texts: K strings; they form the rows of a batch and are fed from a zero state. A row whose
      text has ended is fed id 0 and its predictions are ignored.
    - index: dict char -> id (the model's vocabulary).
    - what: how the call reads in a message.

    Step t sends column t of every row and takes the model's prediction of column t + 1 before
    column t + 1 is sent. Returns the mean -log2 p over every predicted character (of each text
    but its first).
    """
    ids = [np.array([index[c] for c in t], dtype=np.int64) for t in texts]
    rows, longest = len(ids), max(len(i) for i in ids)
    vocab_size = len(index)
    columns = np.zeros((rows, longest), dtype=np.int64)
    for row, row_ids in enumerate(ids):
        columns[row, :len(row_ids)] = row_ids
    total, count, state = 0.0, 0, None
    for t in range(longest - 1):
        logits, state = step(Tensor(columns[:, t:t + 1]), state)
        if type(logits) is not np.ndarray or logits.shape != (rows, 1, vocab_size):
            shape = logits.shape if type(logits) is np.ndarray else type(logits).__name__
            raise AssertionError(
                f"{what} on a batch of {rows} rows and one time step returned logits of shape {shape}, "
                f"expected (N, T, V) = ({rows}, 1, {vocab_size}).")
        live = [row for row in range(rows) if t + 1 < len(ids[row])]
        with np.errstate(all="ignore"):
            cost = bits_each(logits[live, 0], columns[live, t + 1])
        if not np.all(np.isfinite(cost)):
            raise AssertionError(f"{what}: the logits at step {t} give NaN or infinite bits for the next character "
                                 "(do they hold NaN or inf?).")
        total += float(cost.sum())
        count += len(live)
    return total / count


def model_step(model):
    """``step(x, state)`` for ``streamed_bits``: one forward call of a model kept in the worker."""
    return model.returning(VALUE, HANDLE)
