"""Checks of the a5_attention notebook's autograded cells, run in the grader after each cell.

Each check covers its cell's public asserts and decides with values it computes itself (see
grader/grading/notebook.py): it calls the notebook's functions and models with inputs it chooses and
never reads a score the notebook computed. Nothing of this file enters the notebook.
"""

import numpy as np

from grader.grading.testing import assert_array, assert_close, case, gradients_off
from grader.sandbox import Tensor
from grader.suites.a5_attention.checks import exact_match, greedy_by_grader, tensors
from grader.suites.a5_attention.reference import (PrefixDecoder, beam_reference, decode_step_reference,
                                                   dot_product_attention, encode_reference, seq2seq_weights,
                                                   softmax_allowed)
from rnnutils.dates import BOS_ID as BOS, encode_sources, make_date_pairs

TOL32 = dict(rtol=1e-4, atol=1e-5)


def check_encoder_decoder(nb, secret_seed):
    """encode and decode_step of Seq2Seq without attention, with seeded weights, against the written-out model."""
    src, lengths = encode_sources(["nov 3, 1999", "thirtieth of november 2026", "30/11/26"])
    weights = seq2seq_weights(4, 6, False, seed=secret_seed % 1000)
    model = nb.module("attention").Seq2Seq.remote(embed_dim=4, hidden_size=6, attention=False)
    model.load_state_dict.remote(tensors(weights))
    memory, state, mask = encode_reference(weights, src, lengths)
    prev = np.array([BOS, 4, 7])
    logits, new_state, _ = decode_step_reference(weights, prev, state.astype(np.float32), memory.astype(np.float32),
                                                 mask)
    with case("Seq2Seq(embed_dim=4, hidden_size=6, attention=False) with seeded weights on three dates"), \
            gradients_off(nb):
        got = model.encode(Tensor(src), Tensor(lengths))
        assert_close(got[1], state.astype(np.float32), **TOL32, what="encode's state",
                     hint="pack the batch so each row's final state is after its own last character.")
        assert_close(got[0], memory.astype(np.float32), **TOL32, what="memory")
        step = model.decode_step(Tensor(prev), Tensor(state.astype(np.float32)), Tensor(memory.astype(np.float32)),
                                 Tensor(mask))
        assert step[2] is None, "without attention decode_step returns None as its weights."
        assert_close(step[0], logits.astype(np.float32), **TOL32, what="decode_step's logits",
                     hint="without attention the context is the encoder's output at each row's last real position.")


def check_masked_softmax(nb, secret_seed):
    """masked_softmax on random scores with padding, large scores and a fully masked row."""
    rng = np.random.default_rng(secret_seed % 1000)
    scores = np.concatenate([rng.standard_normal((3, 6)) * 3, [[1e4, -1e4, 3.0, 0.0, 5e3, 1.0]]])
    mask = rng.random((4, 6)) > 0.3
    mask[1] = False
    with case("masked_softmax on scores (4, 6), float64, with a fully masked row and scores of +-1e4"):
        got = nb.notebook("masked_softmax")(Tensor(scores), Tensor(mask))
        assert_close(got, softmax_allowed(scores, mask), rtol=1e-7, atol=1e-9, what="the weights")


def check_dot_product(nb, secret_seed):
    """scaled_dot_product_attention with a mask and causal, and MultiHeadAttention's shapes."""
    rng = np.random.default_rng(secret_seed % 1000 + 1)
    q, k, v = rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 3))
    mask = rng.random((2, 1, 5)) > 0.3
    mask[:, :, 0] = True
    with case("scaled_dot_product_attention on q, k (2, 5, 4), v (2, 5, 3), float64, a mask (2, 1, 5), causal"):
        out, weights = nb.notebook("scaled_dot_product_attention")(Tensor(q), Tensor(k), Tensor(v), mask=Tensor(mask),
                                                                   causal=True)
        expected_out, expected_weights = dot_product_attention(q, k, v, mask=mask, causal=True)
        assert_close(weights, expected_weights, rtol=1e-7, atol=1e-9, what="the weights")
        assert_close(out, expected_out, rtol=1e-7, atol=1e-9, what="the output")
    with case("MultiHeadAttention(8, 2) on x (3, 5, 8)"):
        mha = nb.notebook("MultiHeadAttention").remote(8, 2)
        out, weights = mha(Tensor(rng.standard_normal((3, 5, 8)).astype(np.float32)),
                           *[Tensor(rng.standard_normal((3, 4, 8)).astype(np.float32))] * 2)
        assert_array(out, shape=(3, 5, 8), dtype=np.float32, what="the output")
        assert_array(weights, shape=(3, 5, 4), dtype=np.float32, what="the weights")


def check_beam(nb, secret_seed):
    """beam_search with the grader's decoder (seed from the secret seed), and sequence_accuracy."""
    decoder = PrefixDecoder(secret_seed % 1000, 6, eos_bias=-1.0)

    def log_probs(prefix):
        z = decoder.log_probs(prefix).astype(np.float32)
        z[~np.isfinite(z)] = -1e9
        z = z.astype(np.float64)
        return z - z.max() - np.log(np.exp(z - z.max()).sum())
    tokens, score = beam_reference(log_probs, 3, 6, 1.0)
    with case("beam_search with the grader's decoder, beam_size=3, max_len=6, alpha=1.0"):
        got_tokens, got_score = nb.notebook("beam_search")(nb.callback(decoder, kind="module"),
                                                           Tensor(decoder.initial_state()), None,
                                                           Tensor(np.ones((1, 2), dtype=bool)), 3, 6, 1.0)
        assert got_tokens == tokens, f"the best hypothesis is {got_tokens}, expected {tokens}."
        assert abs(float(got_score) - score) < 1e-5, f"the score is {got_score}, expected {score:.6f}."
    exact, chars = nb.notebook("sequence_accuracy")(["1999-01-02", "1999-1"], ["1999-01-02", "1999-12-31"])
    assert (exact, round(chars, 9)) == (0.5, round(16 / 20, 9)), (
        f"sequence_accuracy gave ({exact}, {chars}), expected (0.5, 0.8): the second prediction matches 6 of its "
        "target's 10 characters.")


# The notebook trains attention_model with fixed seeds (Seq2Seq(32, 64), 300 steps of 32, lr 5e-3); only the test
# dates vary. Calibration (that model, 200 dates from each of secret seeds 0..9): exact match 0.985 .. 1.00, mean
# 0.990; the same budget without attention gives 0.51 .. 0.605.
MIN_EXACT = 0.9


def check_attention_learns(nb, secret_seed):
    """The notebook's attention_model, decoded step by step by the grader on fresh dates."""
    test = make_date_pairs(200, seed=int(np.random.SeedSequence([secret_seed % (1 << 63), 9]).generate_state(1)[0]))
    model = nb.notebook("attention_model").handle()
    model.eval.remote()
    with gradients_off(nb):
        predictions = greedy_by_grader(model, [s for s, _ in test])
    exact = exact_match(predictions, [t for _, t in test])
    assert exact >= MIN_EXACT, (
        f"attention_model gets {exact:.0%} of 200 fresh dates exactly right (decoded greedily by the grader, one step "
        f"at a time); at least {MIN_EXACT:.0%} is expected after 300 steps.")


CHECKS = {
    "test-encoder-decoder": check_encoder_decoder,
    "test-masked-softmax": check_masked_softmax,
    "test-dot-product": check_dot_product,
    "test-beam": check_beam,
    "test-attention-learns": check_attention_learns,
}
