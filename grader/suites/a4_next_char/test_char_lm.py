"""Hidden tests of CharLM, bits_per_char and the state handling of train_char_lm."""

import math

import numpy as np
import pytest

from grader.suites.a4_next_char import probes
from grader.testing import assert_array, assert_close


def cross_entropy_bits(logits, targets):
    """Mean -log2 softmax(logits)[target], computed by the grader. logits (L, V), targets (L,)."""
    logits = logits.astype(np.float64)
    top = logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(logits - top).sum(axis=1)) + top[:, 0]
    return float(np.mean(log_norm - logits[np.arange(len(targets)), targets]) / math.log(2))


@pytest.mark.points(2)
def test_char_lm_cells_and_state(student):
    for cell in ("rnn", "lstm", "gru"):
        whole, halves = student.probe(probes.char_lm_forward_probe, 3, cell, 13, 4, 12)
        assert_array(whole, shape=(4, 12, 13), what=f'CharLM(13, cell="{cell}") logits',
                     hint="forward returns logits (N, T, V) with batch_first=True.")
        assert_close(halves, whole, rtol=1e-4, atol=1e-5, check_dtype=False,
                     what=f'cell="{cell}": logits of two halves with the state carried vs one call',
                     hint="forward(x, state) must start from the given state and return the state after "
                          "the last step.")
    kind, message = student.probe(probes.bad_cell_probe)
    assert kind == "ValueError", f'CharLM(..., cell="transformer") must raise ValueError, got {kind or "no error"}.'


# Reference, model seeds 0..19 of a fresh CharLM(40): loss at initialisation 3.685 .. 3.697 nats
# (ln 40 = 3.689); a fresh model should spread its bets almost evenly.
@pytest.mark.points(1)
def test_initial_loss_close_to_ln_v(student):
    vocab_size = 40
    rng = np.random.default_rng(0)
    for seed in (0, 1):
        logits = student.probe(probes.initial_logits_probe, seed, vocab_size, 8, 50)
        assert_array(logits, shape=(8, 50, vocab_size), what="CharLM(40) logits")
        targets = rng.integers(vocab_size, size=8 * 50)
        loss = cross_entropy_bits(logits.reshape(-1, vocab_size), targets) * math.log(2)
        assert abs(loss - math.log(vocab_size)) < 0.1, (
            f"the loss of a fresh CharLM(40) on random text is {loss:.3f} nats, expected about "
            f"ln 40 = {math.log(vocab_size):.3f}. Are the outputs raw scores (no softmax) from "
            "default-initialised layers?")


@pytest.mark.points(2)
def test_bits_per_char_agrees_with_the_logits(student):
    cases = [(probes.bits_per_char_probe, 0, 7, 300), (probes.bits_per_char_probe, 1, 20, 9000),
             (probes.memory_bits_probe, 2, 9, 12000)]  # the last model remembers everything
    for probe, seed, vocab_size, length in cases:
        bits, logits, ids = student.probe(probe, seed, vocab_size, length)
        assert type(bits) is float and math.isfinite(bits), f"bits_per_char must return a finite float, got {bits!r}."
        expected = cross_entropy_bits(logits, ids[1:])
        hints = {expected * math.log(2): "This is the value in nats: divide by ln 2 for bits.",
                 cross_entropy_bits(logits[1:], ids[2:]): "The first prediction (of ids[1]) is missing."}
        hint = next((h for v, h in hints.items() if math.isclose(bits, v, rel_tol=1e-4)),
                    "Feed ids[:-1] from a zero state, carry the state from chunk to chunk (do not "
                    "reset it), and charge -log2 p(ids[t+1]) for every t.")
        assert math.isclose(bits, expected, rel_tol=1e-4, abs_tol=1e-6), (
            f"bits_per_char on {length} random ids is {bits:.5f}, the model's own logits give "
            f"{expected:.5f} bits per character.\nHint: {hint}")


@pytest.mark.points(2)
def test_training_carries_a_detached_state(student):
    steps = 12
    out = student.probe(probes.training_state_probe, 0, 2000, steps, 4, 20)
    calls = len(out["state_is_none"])
    assert calls == steps, f"train_char_lm(steps={steps}) called the model {calls} times, expected one call per step."
    assert all(tuple(s) == (4, 20) for s in out["shapes"]), (
        f"each step must feed a (batch_size, seq_len) = (4, 20) batch, got {out['shapes'][:3]}.")
    assert len(out["history"]) == steps and all(math.isfinite(h) for h in out["history"]), (
        "train_char_lm must return one finite loss per step.")
    assert out["state_is_none"][0], "the first batch should start from state None (zeros)."
    reset = [i for i in range(1, steps) if out["state_is_none"][i]]
    assert not reset, (
        f"the state was reset to None at steps {reset}: carry the state returned by the previous batch "
        "into the next one (row b continues row b).")
    attached = [i for i in range(1, steps) if out["requires_grad"][i]]
    assert not attached, (
        f"the state given to the model at steps {attached} still requires grad: detach() it between "
        "batches, or backpropagation runs through the whole history and the graph grows.")
    other = [i for i in range(1, steps) if not out["same_as_last"][i]]
    assert not other, (
        f"at steps {other} the state given to the model is not the state it returned at the step before.")
