"""Hidden tests of the encoder-decoder: Encoder, AdditiveAttention, Seq2Seq's encode, decode_step and
teacher-forced forward, and sequence_loss, each with seeded weights loaded into the student's model
and compared with the same computation written out step by step here (reference.py).
"""

import numpy as np
import pytest
import torch

from grader.grading.testing import Diagnosis, assert_close, case, fail, gradients_off
from grader.sandbox import Tensor
from grader.suites.a5_attention.checks import ASSIGNMENT, local_model, tensors
from grader.suites.a5_attention.reference import (cross_entropy_ignoring_pad, decode_step_reference,
                                                   encode_reference, seq2seq_weights, softmax_allowed,
                                                   teacher_forced_reference)
from rnnutils.dates import BOS_ID as BOS, encode_sources, encode_targets, make_date_pairs

E, H = 6, 8
TOL = dict(rtol=1e-4, atol=1e-5)
SOURCES = ["30/11/26", "monday, the thirtieth of november 2026", "nov 3, 1999"]   # lengths 8, 38, 11


def batch():
    src, lengths = encode_sources(SOURCES)
    return src, lengths


def student_seq2seq(at, attention, seed):
    weights = seq2seq_weights(E, H, attention, seed)
    model = at.Seq2Seq.remote(embed_dim=E, hidden_size=H, attention=attention)
    model.load_state_dict.remote(tensors(weights))
    model.eval.remote()
    return model, weights


def local_run(weights, attention, call):
    """A run for Diagnosis: our module's Seq2Seq with the same weights, then ``call(model)`` under no_grad."""
    def run(module):
        model = local_model(module, "Seq2Seq", weights, embed_dim=E, hidden_size=H, attention=attention)
        model.eval()
        with torch.no_grad():
            return call(model)
    return run


def as_torch(*arrays):
    return tuple(torch.from_numpy(np.asarray(a)) for a in arrays)


@pytest.mark.points(2)
def test_encoder_reads_each_row_to_its_own_end(student):
    at = student.module("attention")
    src, lengths = batch()
    model, weights = student_seq2seq(at, attention=True, seed=1)
    memory, final, mask = encode_reference(weights, src, lengths)
    with case(f"Seq2Seq.encode on three dates padded to {src.shape[1]} characters (lengths {lengths.tolist()})"), \
            gradients_off(student):
        got = model.encode(Tensor(src), Tensor(lengths))
        assert type(got) is tuple and len(got) == 3, "encode must return (memory, state, src_mask)"
        diagnosis = Diagnosis(ASSIGNMENT, "attention", got=got, **TOL, uses=("Seq2Seq",),
                              run=local_run(weights, True, lambda m: m.encode(*as_torch(src, lengths))))
        hint = ("Pack the embedded batch (pack_padded_sequence with the lengths, enforce_sorted=False) so the GRU "
                "stops at each row's last real character; pad_packed_sequence(..., total_length=S) gives zeros at "
                "padding.")
        assert_close(got[2], mask, rtol=0, atol=0, what="src_mask (True at real positions)",
                     hint="src_mask[n, s] = s < src_lengths[n]", diagnosis=diagnosis)
        assert_close(got[1], final.astype(np.float32), **TOL, what="the state (the encoder's final state)", hint=hint,
                     diagnosis=diagnosis)
        assert_close(got[0], memory.astype(np.float32), **TOL, what="memory", hint=hint, diagnosis=diagnosis)


@pytest.mark.points(2)
def test_additive_attention(student):
    at = student.module("attention")
    rng = np.random.default_rng(2)
    query, keys = rng.standard_normal((3, 5)).astype(np.float32), rng.standard_normal((3, 7, 4)).astype(np.float32)
    mask = np.arange(7)[None, :] < np.array([[7], [3], [5]])
    weights = {"W_q.weight": rng.standard_normal((6, 5)).astype(np.float32),
               "W_k.weight": rng.standard_normal((6, 4)).astype(np.float32),
               "v.weight": rng.standard_normal((1, 6)).astype(np.float32)}
    scores = np.tanh((query @ weights["W_q.weight"].T)[:, None].astype(np.float64)
                     + keys @ weights["W_k.weight"].T) @ weights["v.weight"][0]
    expected_weights = softmax_allowed(scores, mask)
    expected_context = np.einsum("ns,nsh->nh", expected_weights, keys)
    with case("AdditiveAttention(5, 4, 6) on query (3, 5), keys (3, 7, 4), rows of 7, 3 and 5 real keys"):
        model = at.AdditiveAttention.remote(5, 4, 6)
        model.load_state_dict.remote(tensors(weights))
        got = model(Tensor(query), Tensor(keys), Tensor(mask))

        def run(module):
            ours = local_model(module, "AdditiveAttention", weights, 5, 4, 6)
            with torch.no_grad():
                return ours(*as_torch(query, keys, mask))
        diagnosis = Diagnosis(ASSIGNMENT, "attention", got=got, **TOL, run=run, uses=("AdditiveAttention",))
        hint = "scores = v(tanh(W_q(query)[:, None] + W_k(keys))), weights = masked_softmax(scores, mask)."
        assert type(got) is tuple and len(got) == 2, "it must return (context, weights)"
        assert_close(got[1], expected_weights.astype(np.float32), **TOL, what="the weights", hint=hint,
                     diagnosis=diagnosis)
        assert_close(got[0], expected_context.astype(np.float32), **TOL, what="the context", hint=hint,
                     diagnosis=diagnosis)


@pytest.mark.points(2)
@pytest.mark.parametrize("attention", [False, True])
def test_decode_step(student, attention):
    at = student.module("attention")
    src, lengths = batch()
    model, weights = student_seq2seq(at, attention, seed=3 + attention)
    memory, state, mask = encode_reference(weights, src, lengths)
    memory, state = memory.astype(np.float32), state.astype(np.float32)
    prev = np.array([BOS, 5, 9])
    expected = decode_step_reference(weights, prev, state, memory, mask)
    kind = "with attention" if attention else "without attention (the encoder's final state as context)"
    with case(f"Seq2Seq(attention={attention}).decode_step on three rows, {kind}"), gradients_off(student):
        got = model.decode_step(Tensor(prev), Tensor(state), Tensor(memory), Tensor(mask))
        assert type(got) is tuple and len(got) == 3, "decode_step must return (logits, state, weights)"
        diagnosis = Diagnosis(ASSIGNMENT, "attention", got=got, **TOL, uses=("Seq2Seq",),
                              run=local_run(weights, attention,
                                            lambda m: m.decode_step(*as_torch(prev, state, memory, mask))))
        hint = ("context: the encoder's output at each row's last REAL position (no attention) or the attention "
                "of the previous state over memory; the GRU reads cat(embedded, context), the output layer "
                "cat(new state, context).")
        if attention:
            assert_close(got[2], expected[2].astype(np.float32), **TOL, what="the attention weights", hint=hint,
                         diagnosis=diagnosis)
        elif got[2] is not None:
            fail("weights", "without attention decode_step must return None as its weights, got "
                 f"{type(got[2]).__name__}.")
        assert_close(got[1], expected[1].astype(np.float32), **TOL, what="the new state", hint=hint,
                     diagnosis=diagnosis)
        assert_close(got[0], expected[0].astype(np.float32), **TOL, what="the logits", hint=hint,
                     diagnosis=diagnosis)


@pytest.mark.points(2)
def test_forward_is_teacher_forced(student):
    at = student.module("attention")
    pairs = make_date_pairs(4, seed=5)
    src, lengths = encode_sources([s for s, _ in pairs])
    tgt_in = encode_targets([t for _, t in pairs])[:, :-1]
    model, weights = student_seq2seq(at, True, seed=6)
    expected = teacher_forced_reference(weights, src, lengths, tgt_in).astype(np.float32)
    with case("Seq2Seq.forward(src, src_lengths, tgt_in) on four dates"), gradients_off(student):
        got = model(Tensor(src), Tensor(lengths), Tensor(tgt_in))
        assert_close(got, expected, **TOL, what="the logits (N, T, V)",
                     hint="Feed tgt_in[:, t] (the TRUE previous token) at step t, starting from encode's state.",
                     diagnosis=Diagnosis(ASSIGNMENT, "attention", got=got, **TOL, uses=("Seq2Seq",),
                                         run=local_run(weights, True,
                                                       lambda m: m(*as_torch(src, lengths, tgt_in)))))


@pytest.mark.points(1)
def test_sequence_loss_ignores_padding(student):
    at = student.module("attention")
    rng = np.random.default_rng(7)
    targets = encode_targets(["1-2", "2026-1", "7"])[:, 1:]            # (3, 7): rows end in EOS, then PAD
    logits = rng.standard_normal((3, targets.shape[1], 14)).astype(np.float32) * 2
    expected = cross_entropy_ignoring_pad(logits, targets)
    with case("sequence_loss on logits (3, 7, 14) and targets with PAD after each EOS"):
        got = at.sequence_loss(Tensor(logits), Tensor(targets))
        value = np.asarray(got, dtype=np.float64).reshape(-1)
        diagnosis = Diagnosis(ASSIGNMENT, "attention.sequence_loss", as_torch(logits, targets), got=got, rtol=1e-5,
                              atol=1e-6)
        if value.size != 1 or not np.isclose(value[0], expected, rtol=1e-5, atol=1e-6):
            fail("the loss", f"got {value[:3].tolist()}, expected {expected:.6f} (mean cross-entropy over the real "
                 "target tokens).", "F.cross_entropy(logits.reshape(-1, V), tgt_out.reshape(-1), ignore_index=PAD)",
                 diagnosis)
