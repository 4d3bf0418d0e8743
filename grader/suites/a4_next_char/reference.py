"""Trusted values of the a4_next_char suite, computed in the grader: the expected examples, bits per
character, the grammar's held-out texts and n-gram baseline, and the grader's own language models.

The models are handed to student code as callbacks (``student.callback``). Each has CharLM's
interface, ``forward(x, state=None) -> (logits, state)``, and is computed here in the grader with
numpy: student code sees a torch module whose forward comes back to this process (see
grader/sandbox/worker.py, ``GraderModule``). The grader therefore knows every output exactly, and the
recording models also see what student code feeds them. ``as_module`` shows a model to our own code
(the reference, a mutant) the same way, in the grader process.

Shapes: N batch, T time, V vocabulary, H state size. ``x`` arrives as an integer array (N, T).
"""

import math

import numpy as np

from rnnutils.grammar import generate_corpus
from rnnutils.ngram import CharNGram

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def runs(lengths):
    """Every (prefix, next letter) pair with a prefix length in ``lengths``, by length then start."""
    return [(LETTERS[s:s + k], LETTERS[s + k]) for k in lengths for s in range(len(LETTERS) - k)]


def cross_entropy_bits(logits, targets):
    """Mean -log2 softmax(logits)[target]. logits (L, V), targets (L,) ints."""
    return float(np.mean(bits_each(logits, targets)))


def bits_each(logits, targets):
    """-log2 softmax(logits)[target] for every row, in float64. logits (L, V), targets (L,)."""
    logits = np.asarray(logits, dtype=np.float64)
    top = logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(logits - top).sum(axis=1)) + top[:, 0]
    return (log_norm - logits[np.arange(len(targets)), targets]) / math.log(2)


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


# ---------------------------------------------------------------------------------------------
# The grader's own language models


def _ids(x, vocab_size):
    """Check ``x`` the way a real embedding layer would: an integer array (N, T) of ids 0..V-1."""
    if type(x) is not np.ndarray or x.ndim != 2 or x.dtype.kind not in "iu":
        shape = getattr(x, "shape", None)
        raise ValueError(f"the model expects a long tensor of ids of shape (N, T), got {type(x).__name__} "
                         f"of shape {shape}")
    if x.size and (x.min() < 0 or x.max() >= vocab_size):
        raise ValueError(f"ids must lie in 0..{vocab_size - 1}")
    return x.astype(np.int64)


def _state_array(state, shape, what="state"):
    if type(state) is not np.ndarray or state.shape != shape:
        raise ValueError(f"the {what} given to the model is not the state it returned")
    return state.astype(np.float64)


class ElmanLM:
    """A tanh recurrent model with fixed random weights; its state is h (1, N, H), like nn.RNN.

    The state is rounded to float32 after every step, so feeding a stream in chunks (carrying the
    state) gives exactly the logits of one call over the whole stream.
    """

    def __init__(self, vocab_size, hidden=16, seed=0):
        rng = np.random.default_rng(seed)
        self.vocab_size, self.hidden = vocab_size, hidden
        self.embed = rng.normal(0.0, 1.0, (vocab_size, hidden))
        self.recur = rng.normal(0.0, 1.1 / np.sqrt(hidden), (hidden, hidden))
        self.head = rng.normal(0.0, 1.5 / np.sqrt(hidden), (hidden, vocab_size))

    def forward(self, x, state=None, *, context=None):
        x = _ids(x, self.vocab_size)
        n, t = x.shape
        h = np.zeros((n, self.hidden)) if state is None else _state_array(state, (1, n, self.hidden))[0]
        logits = np.empty((n, t, self.vocab_size), dtype=np.float32)
        for step in range(t):
            h = np.tanh(self.embed[x[:, step]] + h @ self.recur).astype(np.float32).astype(np.float64)
            logits[:, step] = h @ self.head
        return logits, h[None].astype(np.float32)


class GatedLM:
    """A small LSTM with fixed random weights; its state is the pair (h, c), each (1, N, H)."""

    def __init__(self, vocab_size, hidden=12, seed=0):
        rng = np.random.default_rng(seed)
        self.vocab_size, self.hidden = vocab_size, hidden
        self.embed = rng.normal(0.0, 1.0, (vocab_size, 4 * hidden))
        self.recur = rng.normal(0.0, 1.0 / np.sqrt(hidden), (hidden, 4 * hidden))
        self.head = rng.normal(0.0, 2.0 / np.sqrt(hidden), (hidden, vocab_size))

    def forward(self, x, state=None, *, context=None):
        x = _ids(x, self.vocab_size)
        n, t = x.shape
        shape = (1, n, self.hidden)
        if state is None:
            h, c = np.zeros((n, self.hidden)), np.zeros((n, self.hidden))
        else:
            if type(state) not in (tuple, list) or len(state) != 2:
                raise ValueError("the state given to the model is not the pair (h, c) it returned")
            h, c = (_state_array(s, shape)[0] for s in state)
        logits = np.empty((n, t, self.vocab_size), dtype=np.float32)
        for step in range(t):
            gates = self.embed[x[:, step]] + h @ self.recur
            i, f, g, o = np.split(gates, 4, axis=1)
            sig = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
            c = (sig(f) * c + sig(i) * np.tanh(g)).astype(np.float32).astype(np.float64)
            h = (sig(o) * np.tanh(c)).astype(np.float32).astype(np.float64)
            logits[:, step] = h @ self.head
        return logits, (h[None].astype(np.float32), c[None].astype(np.float32))


class CountingLM:
    """Scores that depend on every character seen since the start of the stream.

    The state is the running count of each id (N, V); the scores are a fixed function of the
    counts, so restarting from a zero state anywhere changes every later prediction.
    """

    def __init__(self, vocab_size):
        self.vocab_size = vocab_size
        self.frequencies = np.linspace(0.3, 1.7, vocab_size)

    def forward(self, x, state=None, *, context=None):
        x = _ids(x, self.vocab_size)
        counts = np.eye(self.vocab_size)[x].cumsum(axis=1)
        if state is not None:
            counts = counts + _state_array(state, (x.shape[0], self.vocab_size))[:, None, :]
        logits = (2.0 * np.sin(counts * self.frequencies)).astype(np.float32)
        return logits, counts[:, -1] if x.shape[1] else _state_array(state, (x.shape[0], self.vocab_size))


class FixedLogits:
    """Whatever the input, the scores of the next character are ``logits`` (V,).

    Counts its calls and records the last id of the first row it was fed at each (non-empty) call.
    """

    def __init__(self, logits):
        self.logits = np.asarray(logits, dtype=np.float32)
        self.calls = 0
        self.last_ids = []

    def forward(self, x, state=None, *, context=None):
        x = _ids(x, len(self.logits))
        self.calls += 1
        if x.size:
            self.last_ids.append(int(x[0, -1]))
        n, t = x.shape
        return np.broadcast_to(self.logits, (n, t, len(self.logits))).copy(), np.zeros((1, n, 4), np.float32)


class Successor:
    """Scores favouring id (x + 1) mod V, with a little noise so every id stays possible."""

    def __init__(self, vocab_size):
        self.vocab_size = vocab_size
        self.calls = 0

    def forward(self, x, state=None, *, context=None):
        x = _ids(x, self.vocab_size)
        self.calls += 1
        scores = 4.0 * np.eye(self.vocab_size)[(x + 1) % self.vocab_size]
        scores += 0.1 * np.cos(np.arange(self.vocab_size))
        return scores.astype(np.float32), np.zeros((1, x.shape[0], 4), np.float32)


class RecordingLM:
    """Records what a training loop feeds it: the batch shape, the state and whether it needs grad.

    Returns small random logits and a fresh random LSTM-like state (h, c) at every call, so the
    grader can tell whether the state it is given next is the one it returned last. The
    ``context`` from the worker says which floating-point inputs (the state) required grad. Each
    call's record also keeps the ids ``x`` it was fed and the ``logits`` it returned.
    """

    def __init__(self, vocab_size, hidden=16, seed=0):
        self.vocab_size, self.hidden = vocab_size, hidden
        self.rng = np.random.default_rng(seed)
        self.calls = []
        self.last_state = None

    def forward(self, x, state=None, *, context=None):
        record = {"shape": tuple(getattr(x, "shape", ())), "state_is_none": state is None,
                  "requires_grad": any((context or {}).get("inputs_require_grad", [])),
                  "same_as_last": False}
        self.calls.append(record)
        x = _ids(x, self.vocab_size)
        if state is not None and self.last_state is not None:
            record["same_as_last"] = (
                type(state) in (tuple, list) and len(state) == 2
                and all(type(s) is np.ndarray and s.shape == r.shape and np.array_equal(s, r)
                        for s, r in zip(state, self.last_state)))
        n, t = x.shape
        logits = (0.1 * self.rng.standard_normal((n, t, self.vocab_size))).astype(np.float32)
        new_state = tuple(self.rng.standard_normal((1, n, self.hidden)).astype(np.float32) for _ in range(2))
        self.last_state = new_state
        record.update(x=x, logits=logits)
        return logits, new_state


class AlphabetRecorder:
    """A stand-in for AlphabetLSTM that records the prefixes of every batch it is fed, in order.

    forward(padded, lengths) -> logits (N, 27): the same fixed scores for every row, so the
    cross-entropy of each example, and so the mean loss of an epoch, is known here exactly
    (``example_nats``), whatever the order of the examples.
    """

    SCORES = np.linspace(-1.0, 2.0, len(LETTERS) + 1)[np.random.default_rng(4).permutation(len(LETTERS) + 1)]

    def __init__(self):
        self.batches = []

    def forward(self, padded, lengths, *, context=None):
        padded, lengths = _ids(padded, len(LETTERS) + 1), np.asarray(lengths).reshape(-1)
        self.batches.append(["".join(LETTERS[i - 1] for i in row[:int(n)] if i > 0)
                             for row, n in zip(padded, lengths)])
        return np.broadcast_to(self.SCORES.astype(np.float32), (len(padded), len(self.SCORES))).copy()

    @classmethod
    def example_nats(cls, next_letter):
        """-ln softmax(SCORES)[code of next_letter]: the loss of one example (nats)."""
        scores = cls.SCORES.astype(np.float32).astype(np.float64)
        top = scores.max()
        return float(np.log(np.exp(scores - top).sum()) + top - scores[LETTERS.index(next_letter) + 1])


def _to_torch(value):
    import torch

    if type(value) is np.ndarray:
        return torch.from_numpy(value.copy())
    if type(value) in (tuple, list):
        return type(value)(_to_torch(v) for v in value)
    return value


def _to_numpy(value):
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    if type(value) in (tuple, list):
        return type(value)(_to_numpy(v) for v in value)
    return value


def as_module(model):
    """One of these models as a torch module of the grader process, the way a worker shows it to student
    code (numpy in, tensors out), so that our own code (the reference, a mutant) can run on it here."""
    import torch

    class Local(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.zeros(()))   # so that an optimiser has something to step

        def forward(self, *args, **kwargs):
            out = _to_torch(model.forward(*_to_numpy(args), **{k: _to_numpy(v) for k, v in kwargs.items()}))
            return self.tied(out)

        def tied(self, value):
            """Float tensors plus 0 * weight, so that a loss of them can be back-propagated, as in a worker."""
            if isinstance(value, torch.Tensor):
                return value + 0 * self.weight if value.is_floating_point() else value
            if type(value) in (tuple, list):
                return type(value)(self.tied(v) for v in value)
            return value

    return Local()
