"""Hidden tests of the vocabulary and of make_lm_batches (shift, continuity, nothing lost)."""

import numpy as np
import pytest

from grader.suites.a4_next_char import probes
from grader.testing import assert_array


@pytest.mark.points(1)
def test_char_vocab(student):
    out = student.probe(probes.vocab_probe, "hello world", "low hero")
    assert out["size"] == 8, f"len(CharVocab('hello world')) is {out['size']}, expected 8 distinct characters."
    assert_array(out["ids"], shape=(8,), dtype=np.int64, what="CharVocab.encode('low hero')",
                 hint="Return a 1-D long tensor of ids.")
    ids = out["ids"].tolist()
    assert all(0 <= i < 8 for i in ids), f"ids must lie in 0..V-1 = 0..7, got {ids}."
    assert ids[1] == ids[7], (
        f"the same character must always get the same id, got {ids} for 'low hero'.")
    assert len(set(ids)) == 7, f"different characters must get different ids, got {ids} for 'low hero'."
    assert out["decoded"] == "low hero" and out["decoded_list"] == "low hero", (
        f"decode(encode(s)) must give s back (from a tensor and from a list), got {out['decoded']!r} "
        f"and {out['decoded_list']!r}.")
    kind, message = out["unknown"]
    assert kind == "ValueError" and "#" in message, (
        f"encode of a character outside the vocabulary must raise ValueError naming it; got "
        f"{kind or 'no error'}: {message!r}.")


@pytest.mark.points(1)
def test_prepare_texts_uses_training_vocabulary(student):
    out = student.probe(probes.prepare_texts_probe, "the cat sat on a mat", "a cat at a tea")
    assert out["error"] is None, (
        f"prepare_texts raised {out['error']} although every held-out character occurs in the training text.")
    assert out["size"] == 10, (
        f"the vocabulary has {out['size']} characters, expected the 10 of the training text. "
        "Build it from the training text only, never from the held-out text.")
    assert out["train_decoded"] == "the cat sat on a mat" and out["heldout_decoded"] == "a cat at a tea", (
        "vocab.decode of the returned ids must give both texts back.")
    out = student.probe(probes.prepare_texts_probe, "the cat sat", "the dog")
    assert out["error"] is not None and out["error"][0] == "ValueError", (
        "a held-out text with characters the training text lacks ('d', 'o', 'g') must raise ValueError: "
        f"the vocabulary comes from the training text only. Got {out['error'] or 'no error'}.")


def _rows(batches):
    """Stack each row's x (and y) over the batches: arrays (N, num_batches * T)."""
    xs = np.concatenate([x for x, _ in batches], axis=1)
    ys = np.concatenate([y for _, y in batches], axis=1)
    return xs, ys


def _check_shapes(batches, n, t):
    assert type(batches) is list and batches, f"make_lm_batches must return a non-empty list, got {type(batches).__name__}."
    for i, pair in enumerate(batches):
        assert type(pair) is tuple and len(pair) == 2, f"batch {i} must be a pair (x, y)."
        for name, a in zip("xy", pair):
            assert_array(a, shape=(n, t), dtype=np.int64, what=f"{name} of batch {i}",
                         hint="Each x and y is a long tensor (batch_size, seq_len).")


CASES = [(1000, 4, 7), (503, 3, 10), (64, 2, 5)]


@pytest.mark.points(1)
def test_make_lm_batches_targets_shifted_by_one(student):
    for length, n, t in CASES:
        batches = student.probe(probes.batches_probe, length, n, t)
        _check_shapes(batches, n, t)
        for i, (x, y) in enumerate(batches):
            if np.array_equal(x, y):
                raise AssertionError(f"batch {i}: y equals x. y must be the stream shifted by one: y[b, t] = ids[k + 1] where x[b, t] = ids[k].")
            assert np.array_equal(y, x + 1), (
                f"on the stream 0, 1, 2, ... y must be x + 1; batch {i} row 0 has x = {x[0].tolist()} "
                f"and y = {y[0].tolist()}.")


@pytest.mark.points(2)
def test_make_lm_batches_rows_continue_across_batches(student):
    for length, n, t in CASES:
        batches = student.probe(probes.batches_probe, length, n, t)
        _check_shapes(batches, n, t)
        xs, _ = _rows(batches)
        for b in range(n):
            steps = np.diff(xs[b])
            assert np.all(steps == 1), (
                f"(length {length}, batch_size {n}, seq_len {t}) row {b} does not continue from one "
                f"batch to the next: it jumps at column {int(np.argmax(steps != 1)) + 1}. Cut the stream "
                "into batch_size long rows first, then take seq_len columns at a time, so the state of "
                "row b can be carried to row b of the next batch.")


@pytest.mark.points(1)
def test_make_lm_batches_lose_and_repeat_nothing(student):
    for length, n, t in CASES:
        batches = student.probe(probes.batches_probe, length, n, t)
        _check_shapes(batches, n, t)
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
