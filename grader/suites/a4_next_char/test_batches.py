"""Hidden tests of the vocabulary and of make_lm_batches (shift, continuity, nothing lost)."""

import numpy as np
import pytest

import torch

from grader.grading.testing import Diagnosis, assert_array, case, expect_raises, fail, raised
from grader.sandbox import HANDLE, VALUE, StudentCodeError, Tensor
from grader.suites.a4_next_char.checks import ASSIGNMENT, LONG_RULE, length_of


def check_ids(ids, texts, size, what, dtype=np.int64):
    """The ids of ``texts`` (one array each) lie in 0..size-1, one id per character, one character per id."""
    for array, text in zip(ids, texts):
        assert_array(array, shape=(len(text),), dtype=dtype, what=what, hint="Return a 1-D long tensor of ids.",
                     dtype_rule=LONG_RULE)
        assert array.dtype.kind in "iu", f"{what}: ids must be integers, got dtype {array.dtype}."
    flat = np.concatenate(ids).tolist()
    chars = "".join(texts)
    assert all(0 <= i < size for i in flat), f"{what}: ids must lie in 0..V-1 = 0..{size - 1}, got {flat[:20]}."
    by_char, by_id = {}, {}
    for char, i in zip(chars, flat):
        assert by_char.setdefault(char, i) == i, (
            f"{what}: the same character must always get the same id; {char!r} got {by_char[char]} and {i}.")
        assert by_id.setdefault(i, char) == char, (
            f"{what}: different characters must get different ids; {by_id[i]!r} and {char!r} both got {i}.")


@pytest.mark.points(1)
def test_char_vocab(student):
    vocab = student.module("next_char").CharVocab.remote("hello world")
    size = length_of(student, vocab)
    assert size == 8, f"len(CharVocab('hello world')) is {size!r}, expected 8 distinct characters."
    ids = vocab.encode("low hero")
    check_ids([ids], ["low hero"], 8, "CharVocab('hello world').encode('low hero')")
    ranks = [sorted(set("hello world")).index(c) for c in "low hero"]
    if np.asarray(ids).tolist() != ranks:
        fail("CharVocab('hello world').encode('low hero')", f"returned {np.asarray(ids).tolist()}; with the "
             f"characters in sorted order ({''.join(sorted(set('hello world')))!r}) the ids are {ranks}.",
             "Give the characters ids 0..V-1 in sorted order: self.chars = sorted(set(text)).",
             Diagnosis(ASSIGNMENT, "next_char", got=ids, uses=("CharVocab",),
                       run=lambda nc: nc.CharVocab("hello world").encode("low hero")))
    decoded, decoded_list = vocab.decode(Tensor(ids)), vocab.decode([int(i) for i in ids])
    assert decoded == "low hero" and decoded_list == "low hero", (
        f"decode(encode(s)) must give s back (from a tensor and from a list), got {decoded!r} "
        f"and {decoded_list!r}.")
    error = expect_raises(ValueError, vocab.encode, "low hero#", what="CharVocab('hello world').encode('low hero#')",
                          hint="'#' is not in the vocabulary: raise ValueError naming it.")
    assert "#" in error.exc_message, (
        f"encode of a character outside the vocabulary must raise ValueError naming it; the message was "
        f"{error.exc_message.strip()[:200]!r}.")


@pytest.mark.points(1)
def test_prepare_texts_uses_training_vocabulary(student):
    nc = student.module("next_char")
    train, heldout = "the cat sat on a mat", "a cat at a tea"
    try:
        vocab, train_ids, heldout_ids = nc.prepare_texts.returning(HANDLE, VALUE, VALUE)(train, heldout)
    except StudentCodeError as error:
        fail(f"prepare_texts({train!r}, {heldout!r})",
             f"raised {error.exc_type.rpartition('.')[2]}: {error.exc_message.strip()[:300]} although every held-out "
             "character occurs in the training text.",
             diagnosis=Diagnosis(ASSIGNMENT, "next_char.prepare_texts", (train, heldout), got=raised(error)))
    size = length_of(student, vocab)
    assert size == 10, (
        f"the vocabulary has {size!r} characters, expected the 10 of the training text. "
        "Build it from the training text only, never from the held-out text.")
    train_ids, heldout_ids = (np.asarray(i) if type(i) is list else i for i in (train_ids, heldout_ids))
    check_ids([train_ids, heldout_ids], [train, heldout], 10, "the ids prepare_texts returns", dtype=None)
    assert vocab.decode(Tensor(train_ids)) == train and vocab.decode(Tensor(heldout_ids)) == heldout, (
        "vocab.decode of the returned ids must give both texts back.")
    expect_raises(ValueError, nc.prepare_texts.remote, "the cat sat", "the dog",
                  what='prepare_texts("the cat sat", "the dog")',
                  hint="a held-out text with characters the training text lacks ('d', 'o', 'g') must raise "
                       "ValueError: the vocabulary comes from the training text only.")


def _rows(batches):
    """Stack each row's x (and y) over the batches: arrays (N, num_batches * T)."""
    xs = np.concatenate([x for x, _ in batches], axis=1)
    ys = np.concatenate([y for _, y in batches], axis=1)
    return xs, ys


def _check_shapes(batches, n, t, diagnosis):
    if not (type(batches) is list and batches):
        fail("make_lm_batches", f"must return a non-empty list, got {type(batches).__name__}.", diagnosis=diagnosis)
    for i, pair in enumerate(batches):
        if not (type(pair) is tuple and len(pair) == 2):
            fail("make_lm_batches", f"batch {i} must be a pair (x, y).", diagnosis=diagnosis)
        for name, a in zip("xy", pair):
            assert_array(a, shape=(n, t), dtype=np.int64, what=f"{name} of batch {i}", diagnosis=diagnosis,
                         hint="Each x and y is a long tensor (batch_size, seq_len).", dtype_rule=LONG_RULE)


CASES = [(1000, 4, 7), (503, 3, 10), (64, 2, 5)]


def make_batches(student, length, n, t):
    """make_lm_batches on the stream 0, 1, ..., length - 1, and the diagnosis of what it gave back."""
    with case(f"make_lm_batches(the stream 0, 1, ..., {length - 1}, batch_size={n}, seq_len={t})"):
        batches = student.module("next_char").make_lm_batches(Tensor(np.arange(length)), n, t)
    return batches, Diagnosis(ASSIGNMENT, "next_char", got=batches, uses=("make_lm_batches",),
                              run=lambda nc: nc.make_lm_batches(torch.arange(length), n, t))


@pytest.mark.points(1)
def test_make_lm_batches_targets_shifted_by_one(student):
    for length, n, t in CASES:
        batches, diagnosis = make_batches(student, length, n, t)
        _check_shapes(batches, n, t, diagnosis)
        for i, (x, y) in enumerate(batches):
            if not np.array_equal(y, x + 1):
                fail(f"make_lm_batches (length {length}, batch_size {n}, seq_len {t})",
                     f"on the stream 0, 1, 2, ... y must be x + 1; batch {i} row 0 has x = {x[0].tolist()} and "
                     f"y = {y[0].tolist()}.", "y must be the stream shifted by one: y[b, t] = ids[k + 1] where "
                     "x[b, t] = ids[k].", diagnosis)
            # On that stream each row of x holds seq_len consecutive ids: the test of the shift must
            # see the stream itself (a batch of zeros with targets of ones is not a shift of it).
            if not (np.all(np.diff(x, axis=1) == 1) and 0 <= x.min() and x.max() < length):
                fail(f"make_lm_batches (length {length}, batch_size {n}, seq_len {t})",
                     f"on the stream 0, 1, 2, ..., {length - 1} each row of x must hold seq_len consecutive ids of "
                     f"the stream; batch {i} row 0 is {x[0].tolist()}.", diagnosis=diagnosis)


@pytest.mark.points(2)
def test_make_lm_batches_rows_continue_across_batches(student):
    for length, n, t in CASES:
        batches, diagnosis = make_batches(student, length, n, t)
        _check_shapes(batches, n, t, diagnosis)
        xs, _ = _rows(batches)
        for b in range(n):
            steps = np.diff(xs[b])
            if not np.all(steps == 1):
                fail(f"make_lm_batches (length {length}, batch_size {n}, seq_len {t})",
                     f"row {b} does not continue from one batch to the next: it jumps at column "
                     f"{int(np.argmax(steps != 1)) + 1}.", "Cut the stream into batch_size long rows first, then "
                     "take seq_len columns at a time, so the state of row b can be carried to row b of the next "
                     "batch.", diagnosis)


@pytest.mark.points(1)
def test_make_lm_batches_lose_and_repeat_nothing(student):
    for length, n, t in CASES:
        batches, diagnosis = make_batches(student, length, n, t)
        _check_shapes(batches, n, t, diagnosis)
        xs, ys = _rows(batches)
        seen = np.concatenate([xs.ravel(), ys[:, -1]])
        assert len(np.unique(xs)) == xs.size, (
            f"(length {length}, batch_size {n}, seq_len {t}) some characters are used as input twice: rows "
            "must not overlap.")
        assert seen.max() < length and seen.min() >= 0, "ids outside the stream came back."
        lost = length - xs.size
        # at most one partial batch (< n * t characters) plus the final target of each row is dropped
        assert lost < n * t + n, (
            f"(length {length}, batch_size {n}, seq_len {t}) only {xs.size} of {length} characters are used "
            f"as inputs: more than a partial batch ({n * t}) was dropped.")
