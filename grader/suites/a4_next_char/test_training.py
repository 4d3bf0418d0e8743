"""Hidden test of train_char_lm: on a grammar corpus drawn at grading time, beat an order-3 n-gram.

The grader draws the texts, builds the vocabulary and the ids, and has the student's CharLM read
the held-out texts one character at a time (several texts side by side as one batch): it takes
the prediction of each character before it sends that character, and counts the bits itself.
"""

import math

import numpy as np
import pytest

from grader.grading.testing import fail, gradients_off, hint_of, seed_torch
from grader.sandbox import Tensor
from grader.suites.a4_next_char.checks import ASSIGNMENT, losses, model_step, streamed_bits
from grader.suites.a4_next_char.reference import grammar_streams, trigram_bits, true_entropy
from rnnutils.grammar import generate_corpus

pytestmark = pytest.mark.trains  # trains the student's model: run after the quick checks

TRAIN_CHARS = 60_000
HELDOUT_STREAMS, HELDOUT_CHARS_EACH = 16, 625  # 16 texts of at least 625 characters, read side by side
STEPS, BATCH, SEQ_LEN, LR = 150, 32, 64, 0.01
# Calibration (reference, default CharLM, these settings, secret seeds 100..129): held-out bits per
# character / order-3 n-gram bits = 0.571 .. 0.622 (LSTM 0.508 .. 0.553 bits, n-gram 0.873 .. 0.903,
# true entropy 0.429 .. 0.447, all over the same 16 texts read from their start). The same models on
# one held-out text of 10,000 characters read in one pass, as this test used to: 0.574 .. 0.617.
# Targets not shifted, or a model that does not learn, stays above 1.0.
MAX_RATIO = 0.8


@pytest.mark.points(4)
def test_char_lm_beats_a_trigram_on_held_out_text(student, secret_seed):
    nc = student.module("next_char")
    train = generate_corpus(TRAIN_CHARS, seed=secret_seed)
    heldout = grammar_streams(secret_seed, 1, HELDOUT_STREAMS, HELDOUT_CHARS_EACH)
    texts = [c.text for c in heldout]
    chars = sorted(set(train.text))
    index = {c: i for i, c in enumerate(chars)}
    if not set("".join(texts)) <= set(chars):
        raise RuntimeError("the grader's held-out texts hold a character its training text lacks")
    seed = secret_seed % 10_000
    seed_torch(student, seed)
    model = nc.CharLM.remote(len(chars))
    history = nc.train_char_lm(model, Tensor(np.array([index[c] for c in train.text])), STEPS, BATCH, SEQ_LEN,
                               LR, seed=seed, timeout=240)
    history = losses(history, STEPS, "train_char_lm", "step", finite=False)
    model.eval.remote()
    with gradients_off(student):
        bits = streamed_bits(model_step(model), texts, index, f"CharLM({len(chars)})")
    trigram = trigram_bits(train.text, texts)
    if not (math.isfinite(bits) and bits < MAX_RATIO * trigram):
        # A model that learns ends far below where it started; one whose last losses stay within 10% of its
        # first was never updated. Reference, secret seeds 0, 1 and the default: mean of the last 10 losses /
        # mean of the first 10 = 0.18 (2.9-3.0 bits -> 0.53-0.54); mutant no_optimizer_step: 1.00.
        stuck = np.mean(history[-10:]) > 0.9 * np.mean(history[:10])
        fail(f"after train_char_lm({STEPS} steps, batch {BATCH}, seq_len {SEQ_LEN}, lr {LR})",
             f"the model pays {bits:.3f} bits per held-out character; an order-3 n-gram of the same training text "
             f"pays {trigram:.3f} and the true entropy is {true_entropy(heldout):.3f}. The model must reach "
             f"{MAX_RATIO:.0%} of the n-gram. Training loss went from {history[0]:.3f} to {history[-1]:.3f} bits.",
             hint_of(ASSIGNMENT, "no_optimizer_step") if stuck else
             "if the training loss fell but held-out bits did not, check that y is x shifted by one; if it did not "
             "fall, check zero_grad / backward / clip / step and the learning rate.")
