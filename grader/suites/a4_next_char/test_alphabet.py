"""Hidden tests of Part A: letter codes, examples, padding and packing, learning the alphabet."""

import numpy as np
import pytest

from grader.suites.a4_next_char import probes
from grader.testing import assert_array, assert_close

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def runs(lengths):
    """Every (prefix, next letter) pair with a prefix length in ``lengths``."""
    return [(LETTERS[s:s + k], LETTERS[s + k]) for k in lengths for s in range(len(LETTERS) - k)]


@pytest.mark.points(1)
def test_letter_codes(student):
    assert student.get("next_char", "LETTERS") == LETTERS, "LETTERS must be the 26 capital letters in order."
    assert student.get("next_char", "PAD") == 0, "PAD must be 0 (letters are coded 1..26)."
    out = student.probe(probes.letter_codes_probe)
    assert_array(out["codes"], shape=(4,), what='encode_letters("AZBY")',
                 hint="Return a 1-D long tensor of codes.")
    assert out["codes"].tolist() == [1, 26, 2, 25], (
        f'encode_letters("AZBY") returned {out["codes"].tolist()}, expected [1, 26, 2, 25]. '
        'Letters are coded 1..26 so that code 0 stays free for PAD: "A" must not share the padding code.')
    assert out["decoded"] == "AZBY", (
        f'decode_letters([1, 26, 2, 25, PAD, PAD]) returned {out["decoded"]!r}, expected "AZBY": '
        "code k is LETTERS[k - 1] and PAD codes are skipped.")
    assert out["decoded_tensor"] == "AZBY", "decode_letters must also accept the tensor encode_letters returns."
    assert out["bad"][0] == "ValueError", (
        f'encode_letters("AbC") should raise ValueError for "b", got {out["bad"]}.')


@pytest.mark.points(1)
def test_alphabet_examples(student):
    module = student.module("next_char")
    for max_len in (1, 3, 5):
        got = module.alphabet_examples(max_len)
        assert type(got) is list, f"alphabet_examples must return a list, got {type(got).__name__}."
        pairs = sorted(tuple(p) for p in got)
        expected = sorted(runs(range(1, max_len + 1)))
        missing = sorted(set(expected) - set(pairs))[:3]
        extra = sorted(set(pairs) - set(expected))[:3]
        assert pairs == expected, (
            f"alphabet_examples({max_len}) returned {len(pairs)} pairs, expected {len(expected)} "
            f"(every run of 1..{max_len} letters that has a next letter). Missing e.g. {missing}, "
            f"unexpected e.g. {extra}. Check the range of start positions: the last prefix of each "
            "length ends in Y.")


@pytest.mark.points(2)
def test_collate_alphabet(student):
    examples = [["ABC", "D"], ["X", "Y"], ["KLMNO", "P"]]
    padded, lengths, targets = student.probe(probes.collate_probe, examples)
    assert_array(padded, shape=(3, 5), dtype=np.int64, what="padded",
                 hint="padded is a long tensor (N, T) with T the longest prefix.")
    assert_array(lengths, shape=(3,), what="lengths")
    assert_array(targets, shape=(3,), dtype=np.int64, what="targets")
    expected = np.array([[1, 2, 3, 0, 0], [24, 0, 0, 0, 0], [11, 12, 13, 14, 15]])
    assert padded.tolist() == expected.tolist(), (
        f"padded is {padded.tolist()}, expected {expected.tolist()}: codes 1..26 first, then PAD (0) on "
        "the right of each row.")
    assert lengths.tolist() == [3, 1, 5], f"lengths is {lengths.tolist()}, expected [3, 1, 5]."
    assert targets.tolist() == [4, 25, 16], (
        f"targets is {targets.tolist()}, expected the codes of D, Y, P: [4, 25, 16].")


@pytest.mark.points(2)
def test_padding_never_changes_a_prediction(student):
    for seed in (0, 1):
        alone, batched, shape = student.probe(probes.padding_invariance_probe, seed)
        assert tuple(shape) == (5, 27), f"AlphabetLSTM returned logits of shape {tuple(shape)}, expected (N, 27) = (5, 27)."
        assert_close(batched, alone, rtol=1e-4, atol=1e-5, check_dtype=False,
                     what="logits of a short prefix batched with longer ones vs the same prefix alone",
                     hint="The padding changed the prediction. Pack the embedded batch with "
                          "pack_padded_sequence(..., lengths, batch_first=True, enforce_sorted=False) and "
                          "read h_n, the state after each row's last real letter.")


# 40 epochs at lr 0.02 (mini-batches of 16): 50 of 50 seeds reached 100% on every prefix of length
# 1..5 and on all 210 longer prefixes (lengths 6..25); 10 of 10 seeds at 60 epochs.
ALPHABET_EPOCHS, ALPHABET_LR = 40, 0.02


@pytest.mark.points(3)
def test_alphabet_lstm_learns_and_generalises(student):
    seen, unseen = runs(range(1, 6)), runs(range(6, 26))
    prefixes = [p for p, _ in seen + unseen]
    predictions, history = student.probe(probes.alphabet_training_probe, 0, ALPHABET_EPOCHS,
                                         ALPHABET_LR, 5, prefixes, timeout=120)
    assert type(predictions) is list and len(predictions) == len(prefixes), "predict_next_letter must return one letter per prefix."
    assert all(type(p) is str and len(p) == 1 and p in LETTERS for p in predictions), (
        f"predict_next_letter must return one capital letter, got e.g. {predictions[:3]}. "
        "Skip the PAD score when taking the argmax (code k is LETTERS[k - 1]).")
    assert type(history) is list and len(history) == ALPHABET_EPOCHS, (
        f"train_alphabet must return one loss per epoch ({ALPHABET_EPOCHS}), got {len(history)} values.")
    wrong_seen = [(p, n, g) for (p, n), g in zip(seen, predictions[:len(seen)]) if g != n]
    wrong_unseen = [(p, n, g) for (p, n), g in zip(unseen, predictions[len(seen):]) if g != n]
    assert not wrong_seen, (
        f"After training, {len(wrong_seen)} of {len(seen)} training prefixes are wrong, e.g. "
        f"{wrong_seen[:3]} (prefix, expected, predicted). Does the loss go down (first "
        f"{history[0]:.3f}, last {history[-1]:.3f})? Check the optimizer steps and the targets.")
    accuracy = 1 - len(wrong_unseen) / len(unseen)
    assert not wrong_unseen, (
        f"Longer prefixes never seen in training (6..25 letters): accuracy {accuracy:.1%}, e.g. "
        f"{wrong_unseen[:3]}. If padding or its position leaks into the state, longer inputs fail: "
        "pack the batch so the LSTM stops at each row's last letter.")
