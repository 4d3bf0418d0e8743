"""Helpers shared by the hidden tests and the notebook checks of a4_next_char (run in the grader).

Nothing here enters the worker: the helpers make plain calls into the submission (through the
``student`` fixture or a notebook handle) and compute targets and metrics here.
"""

import math
from contextlib import contextmanager

import numpy as np

from grader.sandbox import HANDLE, VALUE, SubmissionFailure, Tensor
from rnnutils.grammar import generate_corpus
from rnnutils.ngram import CharNGram

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def runs(lengths):
    """Every (prefix, next letter) pair with a prefix length in ``lengths``, by length then start."""
    return [(LETTERS[s:s + k], LETTERS[s + k]) for k in lengths for s in range(len(LETTERS) - k)]


def seed_torch(sub, seed):
    """One thread and ``torch.manual_seed(seed)`` in the worker (what a notebook cell would do first)."""
    torch = sub.module("torch")
    torch.set_num_threads(1)
    torch.manual_seed.remote(seed)


def torch_generator(sub, seed):
    """A ``torch.Generator().manual_seed(seed)`` kept in the worker."""
    generator = sub.module("torch").Generator.remote()
    generator.manual_seed.remote(seed)
    return generator


@contextmanager
def gradients_off(sub):
    """Disable autograd in the worker for the calls inside (as ``torch.no_grad()`` would)."""
    sub.module("torch").set_grad_enabled.remote(False)
    try:
        yield
    finally:
        if sub.worker.alive():
            try:
                sub.module("torch").set_grad_enabled.remote(True)
            except SubmissionFailure:
                pass


def raised_message(error):
    """The message of the student's exception (``StudentCodeError``), without its traceback."""
    _, _, rest = str(error).partition(" raised ")
    return rest.split('\n  File "', 1)[0]


def losses(history, count, func, per, finite=True):
    """``history`` as a list of ``count`` floats (numbers or 0-d arrays); finite ones if ``finite``."""
    if type(history) is not list or len(history) != count:
        size = len(history) if type(history) in (list, tuple) else "?"
        raise AssertionError(f"{func} must return a list of one loss per {per} ({count}), got "
                             f"{type(history).__name__} of {size} values.")
    values = []
    for h in history:
        if type(h) in (int, float) or type(h) is np.ndarray and h.size == 1 and h.dtype.kind in "iuf":
            values.append(float(np.ravel(h)[0]))
        else:
            raise AssertionError(f"{func} must return its losses as floats (loss.item()), got {type(h).__name__}.")
    if finite and not all(math.isfinite(v) for v in values):
        raise AssertionError(f"{func} returned losses that are NaN or infinite: {values[:5]}.")
    return values


def length_of(sub, obj):
    """``len(obj)`` of an object kept in the worker (as plain data)."""
    return sub.module("builtins").len(obj)


def cross_entropy_bits(logits, targets):
    """Mean -log2 softmax(logits)[target]. logits (L, V), targets (L,) ints."""
    return float(np.mean(bits_each(logits, targets)))


def bits_each(logits, targets):
    """-log2 softmax(logits)[target] for every row, in float64. logits (L, V), targets (L,)."""
    logits = np.asarray(logits, dtype=np.float64)
    top = logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(logits - top).sum(axis=1)) + top[:, 0]
    return (log_norm - logits[np.arange(len(targets)), targets]) / math.log(2)


# ---------------------------------------------------------------------------------------------
# Held-out text, revealed one step at a time


def grammar_streams(secret_seed, purpose, count, chars_each):
    """``count`` independent held-out texts of the grammar (each starts a text, as a document does).

    Their seeds are drawn from ``(secret_seed, purpose)``, so that neighbouring secret seeds share
    no text and a test's texts differ from a notebook check's.
    """
    seeds = np.random.SeedSequence([secret_seed % (1 << 63), purpose]).generate_state(count)
    return [generate_corpus(chars_each, seed=int(s)) for s in seeds]


def trigram_bits(train_text, texts):
    """Order-3 n-gram of ``train_text``: its bits per predicted character over ``texts``."""
    model = CharNGram(3).fit(train_text)
    total = sum(model.bits_per_char(t) * (len(t) - 1) for t in texts)
    return total / sum(len(t) - 1 for t in texts)


def true_entropy(corpora):
    """The grammar's exact bits per character over the corpora."""
    return -sum(c.log2_prob for c in corpora) / sum(len(c.text) for c in corpora)


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
