"""Hidden tests of Part A: letter codes, examples, padding and packing, learning the alphabet."""

import math
import re

import numpy as np
import pytest
import torch

from grader.grading.testing import Diagnosis, assert_array, assert_close, expect_raises, fail, hint_of, seed_torch
from grader.sandbox import HANDLE
from grader.suites.a4_next_char.checks import ASSIGNMENT, LONG_RULE, losses
from grader.suites.a4_next_char.reference import LETTERS, AlphabetRecorder, as_module, runs


def tensors(state):
    """A state_dict read back from the worker (arrays), as tensors to load into a model of ours."""
    return {key: torch.from_numpy(np.array(value)) for key, value in state.items()}


@pytest.mark.points(1)
def test_letter_codes(student):
    nc = student.module("next_char")
    assert student.get("next_char", "LETTERS") == LETTERS, "LETTERS must be the 26 capital letters in order."
    assert student.get("next_char", "PAD") == 0, "PAD must be 0 (letters are coded 1..26)."
    codes = nc.encode_letters("AZBY")
    diagnosis = Diagnosis(ASSIGNMENT, "next_char.encode_letters", ("AZBY",), got=codes)
    assert_array(codes, shape=(4,), what='encode_letters("AZBY")', hint="Return a 1-D long tensor of codes.",
                 diagnosis=diagnosis)
    if codes.tolist() != [1, 26, 2, 25]:
        fail('encode_letters("AZBY")', f"returned {codes.tolist()}, expected [1, 26, 2, 25].",
             'Letters are coded 1..26 so that code 0 stays free for PAD: "A" must not share the padding code.',
             diagnosis)
    decoded = nc.decode_letters([1, 26, 2, 25, 0, 0])
    if decoded != "AZBY":
        fail("decode_letters([1, 26, 2, 25, PAD, PAD])", f'returned {decoded!r}, expected "AZBY".',
             "code k is LETTERS[k - 1] and PAD codes are skipped.",
             Diagnosis(ASSIGNMENT, "next_char.decode_letters", ([1, 26, 2, 25, 0, 0],), got=decoded))
    assert nc.decode_letters(nc.encode_letters.remote("AZBY")) == "AZBY", (
        "decode_letters must also accept the tensor encode_letters returns.")
    error = expect_raises(ValueError, nc.encode_letters, "AbC", what='encode_letters("AbC")',
                          hint='"b" is not a capital letter: raise ValueError naming it.')
    if not re.search(r"(?<![A-Za-z])b(?![A-Za-z])", error.exc_message):
        fail('encode_letters("AbC")', f"raised ValueError({error.exc_message.strip()[:200]!r}), which does not name "
             "the character 'b'.", hint_of(ASSIGNMENT, "encode_error_names_no_character"))


@pytest.mark.points(1)
def test_alphabet_examples(student):
    module = student.module("next_char")
    for max_len in (1, 3, 5):
        got = module.alphabet_examples(max_len)
        assert type(got) is list, f"alphabet_examples must return a list, got {type(got).__name__}."
        assert all(type(p) in (tuple, list) and len(p) == 2 for p in got), (
            f"alphabet_examples({max_len}) must return (prefix, next_letter) pairs, got e.g. {got[:2]!r:.200}.")
        pairs = sorted(tuple(p) for p in got)
        expected = sorted(runs(range(1, max_len + 1)))
        missing = sorted(set(expected) - set(pairs))[:3]
        extra = sorted(set(pairs) - set(expected))[:3]
        if pairs != expected:
            fail(f"alphabet_examples({max_len})",
                 f"returned {len(pairs)} pairs, expected {len(expected)} (every run of 1..{max_len} letters that has "
                 f"a next letter). Missing e.g. {missing}, unexpected e.g. {extra}.",
                 "Check the range of start positions: the last prefix of each length ends in Y.",
                 Diagnosis(ASSIGNMENT, "next_char", got=pairs, uses=("alphabet_examples",),
                           run=lambda nc, n=max_len: sorted(tuple(p) for p in nc.alphabet_examples(n))))


@pytest.mark.points(2)
def test_collate_alphabet(student):
    examples = [("ABC", "D"), ("X", "Y"), ("KLMNO", "P")]
    out = student.module("next_char").collate_alphabet(examples)
    diagnosis = Diagnosis(ASSIGNMENT, "next_char.collate_alphabet", (examples,), got=out)
    if type(out) is not tuple or len(out) != 3:
        fail("collate_alphabet", "must return (padded, lengths, targets).", diagnosis=diagnosis)
    padded, lengths, targets = out
    assert_array(padded, shape=(3, 5), dtype=np.int64, what="padded", diagnosis=diagnosis, dtype_rule=LONG_RULE,
                 hint="padded is a long tensor (N, T) with T the longest prefix.")
    assert_array(lengths, shape=(3,), dtype=np.int64, what="lengths", diagnosis=diagnosis, dtype_rule=LONG_RULE,
                 hint="lengths is a long tensor (N,): torch.tensor([...], dtype=torch.long).")
    assert_array(targets, shape=(3,), dtype=np.int64, what="targets", diagnosis=diagnosis, dtype_rule=LONG_RULE)
    expected = np.array([[1, 2, 3, 0, 0], [24, 0, 0, 0, 0], [11, 12, 13, 14, 15]])
    if padded.tolist() != expected.tolist():
        fail("padded", f"is {padded.tolist()}, expected {expected.tolist()}.",
             "codes 1..26 first, then PAD (0) on the right of each row.", diagnosis)
    if lengths.tolist() != [3, 1, 5]:
        fail("lengths", f"is {lengths.tolist()}, expected [3, 1, 5].", diagnosis=diagnosis)
    if targets.tolist() != [4, 25, 16]:
        fail("targets", f"is {targets.tolist()}, expected the codes of D, Y, P: [4, 25, 16].", diagnosis=diagnosis)


PACKING_HINT = ("The padding changed the prediction. Pack the embedded batch with pack_padded_sequence(..., lengths, "
                "batch_first=True, enforce_sorted=False) and read h_n, the state after each row's last real letter.")


def known_padding_run(model, short, longer):
    """The padding test with an AlphabetLSTM of ours (the reference's or a mutant's) carrying the student's
    weights (read from the worker the first time they are needed)."""
    state = []

    def run(nc):
        if not state:
            state.append(tensors(model.state_dict()))
        ours = nc.AlphabetLSTM()
        ours.load_state_dict(state[0])
        ours.eval()
        alone = [ours(*nc.collate_alphabet([example])[:2])[0] for example in short]
        return torch.stack(alone), ours(*nc.collate_alphabet(short + longer)[:2])

    return run


@pytest.mark.points(2)
def test_padding_never_changes_a_prediction(student):
    nc = student.module("next_char")
    short = [("C", "D"), ("KL", "M"), ("PQR", "S")]
    longer = [("ABCDEFGHIJ", "K"), ("FGHIJKLMNOPQRS", "T")]
    for seed in (0, 1):
        seed_torch(student, seed)
        model = nc.AlphabetLSTM.remote()
        model.eval.remote()
        alone = []
        for example in short:
            padded, lengths, _ = nc.collate_alphabet.returning(HANDLE, HANDLE, HANDLE)([example])
            logits = model(padded, lengths)
            assert_array(logits, shape=(1, 27), what=f"AlphabetLSTM logits of {example[0]!r} alone",
                         hint="forward returns logits (N, NUM_CODES) = (N, 27).")
            alone.append(logits[0])
        padded, lengths, _ = nc.collate_alphabet.returning(HANDLE, HANDLE, HANDLE)(short + longer)
        batched = model(padded, lengths)
        assert_array(batched, shape=(5, 27), what="AlphabetLSTM logits of a batch of 5 prefixes",
                     hint="forward returns logits (N, NUM_CODES) = (N, 27).")
        alone = np.stack(alone)
        diagnosis = Diagnosis(ASSIGNMENT, "next_char", got=(alone, batched), rtol=1e-4, atol=1e-5,
                              run=known_padding_run(model, short, longer), uses=("AlphabetLSTM", "collate_alphabet"))
        assert_close(batched[:len(short)], alone, rtol=1e-4, atol=1e-5, check_dtype=False, diagnosis=diagnosis,
                     what="logits of a short prefix batched with longer ones vs the same prefix alone",
                     hint=PACKING_HINT)
        # A fresh model already tells different prefixes apart: logits that do not depend on the
        # input are not the model's (reference, seeds 0..19: the rows of 'C', 'KL', 'PQR' differ by
        # 0.10 .. 0.27 at their most different score).
        assert np.ptp(alone, axis=0).max() > 1e-6, (
            "AlphabetLSTM gave the same logits for the prefixes 'C', 'KL' and 'PQR': the scores must be "
            "computed from each row's letters (embedding, LSTM, linear layer).")


# 40 epochs at lr 0.02 (mini-batches of 16): 50 of 50 seeds reached 100% on every prefix of length
# 1..5 and on all 210 longer prefixes (lengths 6..25); 10 of 10 seeds at 60 epochs. The examples are
# the grader's, in alphabet_examples' order (by length, then start), so training is unchanged.
ALPHABET_EPOCHS, ALPHABET_LR = 40, 0.02


class Replay(torch.nn.Module):
    """A model of the grader's that answers each call with the next of some recorded logits (1, 27)."""

    def __init__(self, logits):
        super().__init__()
        self.logits = list(logits)

    def forward(self, *args, **kwargs):
        return torch.from_numpy(np.array(self.logits.pop(0), dtype=np.float32)).reshape(1, -1)


def known_predictions(student, model, prefixes):
    """predict_next_letter of ours (the reference's or a mutant's) on the scores the student's trained model
    gives each prefix (read from the worker the first time they are needed)."""
    scores = []

    def run(nc):
        if not scores:
            collate = student.module("next_char").collate_alphabet.returning(HANDLE, HANDLE, HANDLE)
            for prefix in prefixes:
                padded, lengths, _ = collate([(prefix, "Z")])
                scores.append(model(padded, lengths)[0])
        replay = Replay(scores)     # answers the calls in order: one per prefix
        return [nc.predict_next_letter(replay, prefix) for prefix in prefixes]

    return run


@pytest.mark.trains
@pytest.mark.points(3)
def test_alphabet_lstm_learns_and_generalises(student):
    nc = student.module("next_char")
    seen, unseen = runs(range(1, 6)), runs(range(6, 26))
    seed_torch(student, 0)
    model = nc.AlphabetLSTM.remote()
    history = nc.train_alphabet(model, seen, ALPHABET_EPOCHS, ALPHABET_LR, 0, timeout=120)
    history = losses(history, ALPHABET_EPOCHS, "train_alphabet", "epoch", finite=False)
    predictions = [nc.predict_next_letter(model, prefix) for prefix, _ in seen + unseen]
    wrong = [(p, n, g) for (p, n), g in zip(seen + unseen, predictions) if g != n]
    diagnosis = Diagnosis(ASSIGNMENT, "next_char", got=[g for _, _, g in wrong[:20]],
                          run=known_predictions(student, model, [p for p, _, _ in wrong[:20]]),
                          uses=("predict_next_letter",))
    if not all(type(p) is str and len(p) == 1 and p in LETTERS for p in predictions):
        fail("predict_next_letter", f"must return one capital letter, got e.g. {predictions[:3]!r:.200}.",
             "Skip the PAD score when taking the argmax (code k is LETTERS[k - 1]).", diagnosis)
    wrong_seen = [(p, n, g) for (p, n), g in zip(seen, predictions[:len(seen)]) if g != n]
    wrong_unseen = [(p, n, g) for (p, n), g in zip(unseen, predictions[len(seen):]) if g != n]
    if wrong_seen:
        fail("After training", f"{len(wrong_seen)} of {len(seen)} training prefixes are wrong, e.g. {wrong_seen[:3]} "
             f"(prefix, expected, predicted).", f"Does the loss go down (first {history[0]:.3f}, last "
             f"{history[-1]:.3f})? Check the optimizer steps and the targets.", diagnosis)
    accuracy = 1 - len(wrong_unseen) / len(unseen)
    if wrong_unseen:
        fail("Longer prefixes never seen in training (6..25 letters)", f"accuracy {accuracy:.1%}, e.g. "
             f"{wrong_unseen[:3]}.", "If padding or its position leaks into the state, longer inputs fail: pack the "
             "batch so the LSTM stops at each row's last letter.", diagnosis)


# train_alphabet with a model of the grader's (AlphabetRecorder: fixed scores, so each example's loss is
# known here) over the 115 examples of length 1..5: what order it feeds them in, and what it reports.
RECORDED_EPOCHS = 3


def recorded_training(student, examples, seed):
    """train_alphabet on the grader's recording model; returns (the prefixes of each epoch, history)."""
    recorder = AlphabetRecorder()
    history = student.module("next_char").train_alphabet(student.callback(recorder, kind="module"), examples,
                                                         RECORDED_EPOCHS, 0.01, seed)
    return [prefix for batch in recorder.batches for prefix in batch], recorder.batches, history


@pytest.mark.points(1)
def test_train_alphabet_shuffles_every_epoch_and_reports_mean_nats(student):
    examples = runs(range(1, 6))
    prefixes, count = [p for p, _ in examples], len(examples)
    what = f"train_alphabet(model, the {count} examples of 1..5 letters, epochs={RECORDED_EPOCHS}, seed=0)"
    fed, batches, history = recorded_training(student, examples, 0)
    if len(fed) != RECORDED_EPOCHS * count or max(len(b) for b in batches) > 16:
        fail(what, f"fed the model {len(fed)} prefixes in batches of up to {max(len(b) for b in batches)}; expected "
             f"mini-batches of at most 16 and every example once per epoch ({RECORDED_EPOCHS} x {count}).")
    epochs = [fed[k * count:(k + 1) * count] for k in range(RECORDED_EPOCHS)]
    if any(sorted(epoch) != sorted(prefixes) for epoch in epochs):
        fail(what, "an epoch did not feed every example exactly once.",
             "Each epoch takes a permutation of all the examples, cut into mini-batches of 16.")
    if epochs[0] == epochs[1] or epochs[1] == epochs[2]:
        fail(what, "fed the examples in the same order in two epochs.",
             hint_of(ASSIGNMENT, "alphabet_same_order_every_epoch"))
    if epochs[0] == prefixes:
        fail(what, "fed the examples in their original order: they were not shuffled.",
             "Draw a new order at the start of every epoch: torch.randperm(len(examples), generator=generator).")
    again, _, _ = recorded_training(student, examples, 0)
    if again != fed:
        fail(what, "two runs with seed=0 fed the examples in different orders: the seed must decide the shuffling.",
             "Draw the orders from one generator made from the seed, torch.Generator().manual_seed(seed).")
    values = losses(history, RECORDED_EPOCHS, "train_alphabet", "epoch")
    expected = float(np.mean([AlphabetRecorder.example_nats(letter) for _, letter in examples]))
    wrong = [(e, v) for e, v in enumerate(values) if not math.isclose(v, expected, rel_tol=1e-5, abs_tol=1e-6)]
    if wrong:
        epoch, value = wrong[0]
        fail(what, f"reported a loss of {value:.6f} for epoch {epoch}; with that model's fixed scores the mean loss "
             f"per example is {expected:.6f} nats in every epoch.",
             "Report each epoch's mean loss per EXAMPLE in nats: add loss.item() * len(batch) over the mini-batches "
             "and divide by len(examples) (the last batch is smaller).",
             Diagnosis(ASSIGNMENT, "next_char", got=history, rtol=1e-5, atol=1e-6, uses=("train_alphabet",),
                       run=lambda nc: nc.train_alphabet(as_module(AlphabetRecorder()), examples, RECORDED_EPOCHS,
                                                        0.01, 0)))
