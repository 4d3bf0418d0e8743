"""Hidden tests of greedy_decode, beam_search and sequence_accuracy, on the grader's own decoders.

The decoders (reference.py) are callbacks with the step interface, computed here: the grader knows
every answer, sees every token it is fed and checks that memory and src_mask reach it unchanged.
"""

import numpy as np
import pytest
import torch

from grader.grading.testing import Diagnosis, as_number, assert_array, assert_equal, case, fail, unpack
from grader.sandbox import Tensor
from grader.suites.a5_attention.checks import ASSIGNMENT
from grader.suites.a5_attention.reference import PrefixDecoder, ScriptedDecoder, as_step, beam_reference
from rnnutils.dates import BOS_ID as BOS

MAX_LEN = 8


def scripted(lengths):
    rows = len(lengths)
    memory = np.random.default_rng(4).standard_normal((rows, 5, 3)).astype(np.float32)
    mask = np.ones((rows, 5), dtype=bool)
    mask[0, 3:] = False
    return ScriptedDecoder(lengths, memory, mask), memory, mask


@pytest.mark.points(2)
def test_greedy_decode_feeds_back_its_predictions(student):
    at = student.module("attention")
    lengths = [3, 6, 1, 8]                # row 3 never writes EOS within MAX_LEN
    decoder, memory, mask = scripted(lengths)
    state = np.zeros((1, len(lengths), 1), dtype=np.float32)
    expected = np.array([decoder.expected(r, MAX_LEN) for r in range(len(lengths))], dtype=np.int64)
    with case(f"greedy_decode(step, ...) with the grader's decoder on 4 rows, max_len={MAX_LEN}"):
        got = at.greedy_decode(student.callback(decoder, kind="module"), Tensor(state), Tensor(memory), Tensor(mask),
                               MAX_LEN)

        def run(module):
            ours, _, _ = scripted(lengths)
            with torch.no_grad():
                return module.greedy_decode(as_step(ours), torch.from_numpy(state), torch.from_numpy(memory),
                                            torch.from_numpy(mask), MAX_LEN)
        diagnosis = Diagnosis(ASSIGNMENT, "attention", got=got, run=run, uses=("greedy_decode",))
        hint = ("Start from BOS, feed each step the argmax of the step before (and the state it returned); once a "
                "row has written EOS, write PAD in it.")
        assert_array(got, shape=expected.shape, dtype=np.int64, what="the tokens", hint=hint, diagnosis=diagnosis)
        if decoder.fed and decoder.fed[0] != [BOS] * len(lengths):
            fail("the first step", f"was fed {decoder.fed[0]}, expected BOS ({BOS}) in every row.", hint, diagnosis)
        wrong = np.argwhere(got != expected)
        if len(wrong):
            row, t = (int(i) for i in wrong[0])
            fail("the tokens", f"row {row} is {got[row].tolist()}, expected {expected[row].tolist()} "
                 f"(first difference at step {t}).", hint, diagnosis)


BEAM_CASES = [  # (decoder seed, beam size, alpha); each answer differs from greedy or from the other alpha
    (2, 3, 1.0), (2, 3, 0.0), (7, 3, 1.0), (14, 3, 0.0), (23, 4, 0.7), (6, 1, 1.0),
]


def float32_log_probs(decoder):
    """log_softmax of the float32 logits the decoder sends, in float64 (what student code sees)."""
    def log_probs(prefix):
        logits = decoder.log_probs(prefix).astype(np.float32)
        logits[~np.isfinite(logits)] = -1e9
        z = logits.astype(np.float64)
        return z - z.max() - np.log(np.exp(z - z.max()).sum())
    return log_probs


@pytest.mark.points(3)
def test_beam_search_with_length_normalisation(student):
    at = student.module("attention")
    mask = np.ones((1, 2), dtype=bool)
    for seed, beam, alpha in BEAM_CASES:
        decoder = PrefixDecoder(seed, MAX_LEN, eos_bias=-1.0)
        tokens, score = beam_reference(float32_log_probs(decoder), beam, MAX_LEN, alpha)
        with case(f"beam_search with the grader's decoder {seed}, beam_size={beam}, max_len={MAX_LEN}, alpha={alpha}"):
            got = at.beam_search(student.callback(decoder, kind="module"), Tensor(decoder.initial_state()), None,
                                 Tensor(mask), beam, MAX_LEN, alpha)

            def run(module, seed=seed, beam=beam, alpha=alpha):
                ours = PrefixDecoder(seed, MAX_LEN, eos_bias=-1.0)
                with torch.no_grad():
                    return module.beam_search(as_step(ours), torch.from_numpy(ours.initial_state()), None,
                                              torch.from_numpy(mask), beam, MAX_LEN, alpha)
            diagnosis = Diagnosis(ASSIGNMENT, "attention", got=got, rtol=1e-5, atol=1e-5, run=run,
                                  uses=("beam_search",))
            hint = ("Keep the beam_size best candidates by total log-probability; a candidate ending in EOS leaves the "
                    "beam as finished; each hypothesis is extended from the state its own last step returned; choose "
                    "the answer by total / len ** alpha.")
            got_tokens, got_score = unpack(got, ("tokens", "score"), "beam_search")
            assert_equal(got_tokens, tokens, what="the best hypothesis (list of int)", hint=hint, diagnosis=diagnosis)
            value = as_number(got_score, "the score")
            if not np.isclose(value, score, rtol=1e-5, atol=1e-5):
                fail("the score", f"got {value:.6f}, expected {score:.6f} (total log-probability / len ** alpha).",
                     hint, diagnosis)


ACCURACY_CASES = [
    (["2026-11-30", "1999-01-02", "2001-1-01"], ["2026-11-30", "1999-01-20", "2001-01-01"]),
    (["2026-11-30extra", "", "1950-0"], ["2026-11-30", "1950-01-01", "1950-01-01"]),
]


def accuracy_reference(predictions, targets):
    exact = sum(p == t for p, t in zip(predictions, targets)) / len(targets)
    right = sum(int(i < len(p) and p[i] == c) for p, t in zip(predictions, targets) for i, c in enumerate(t))
    return exact, right / sum(len(t) for t in targets)


@pytest.mark.points(1)
def test_sequence_accuracy(student):
    at = student.module("attention")
    for predictions, targets in ACCURACY_CASES:
        with case(f"sequence_accuracy({predictions}, {targets})"):
            got = at.sequence_accuracy(predictions, targets)
            exact, chars = accuracy_reference(predictions, targets)
            diagnosis = Diagnosis(ASSIGNMENT, "attention.sequence_accuracy", (predictions, targets), got=got,
                                  rtol=1e-9, atol=1e-12)
            got_exact, got_chars = unpack(got, ("exact", "char_accuracy"), "sequence_accuracy")
            for name, value, expected in (("exact", got_exact, exact), ("char_accuracy", got_chars, chars)):
                if not np.isclose(as_number(value, name), expected, rtol=1e-9, atol=1e-12):
                    fail(name, f"got {value}, expected {expected:.6f}.",
                         "exact: the fraction of equal strings; char_accuracy: characters of the target matched at "
                         "the same position, divided by the number of TARGET characters.", diagnosis)
