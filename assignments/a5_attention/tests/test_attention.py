"""Public tests of attention.py: shapes, masks, small known values, PyTorch's own attention.

Run them from the assignment folder with `pytest tests/`. Passing them does not mean full marks:
the grader's hidden tests check every case more closely and train your models on dates it draws.
"""

import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import attention as at
from rnnutils.dates import BOS_ID as BOS, EOS_ID as EOS, PAD_ID as PAD, make_date_pairs


def test_masked_softmax_ignores_masked_positions():
    scores = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    mask = torch.tensor([[True, True, False], [False, False, False]])
    weights = at.masked_softmax(scores, mask)
    expected = torch.softmax(torch.tensor([1.0, 2.0]), dim=0)
    assert torch.allclose(weights[0, :2], expected) and weights[0, 2] == 0
    assert torch.equal(weights[1], torch.zeros(3)), "a row with nothing to attend is all zeros, not NaN"


def test_scaled_dot_product_attention_matches_pytorch():
    torch.manual_seed(0)
    q, k, v = torch.randn(2, 4, 8), torch.randn(2, 6, 8), torch.randn(2, 6, 3)
    mask = torch.ones(2, 4, 6, dtype=torch.bool)
    mask[1, :, 4:] = False
    out, weights = at.scaled_dot_product_attention(q, k, v, mask=mask)
    assert out.shape == (2, 4, 3) and weights.shape == (2, 4, 6)
    assert torch.allclose(out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask), atol=1e-6)
    assert torch.all(weights[1, :, 4:] == 0)
    causal, _ = at.scaled_dot_product_attention(q, q, v[:, :4], causal=True)
    assert torch.allclose(causal, F.scaled_dot_product_attention(q, q, v[:, :4], is_causal=True), atol=1e-6)


def test_multi_head_attention_loads_pytorch_weights():
    torch.manual_seed(1)
    theirs = nn.MultiheadAttention(8, 2, batch_first=True)
    ours = at.MultiHeadAttention(8, 2)
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(3, 5, 8)
    out, weights = ours(x, x, x)
    expected, expected_weights = theirs(x, x, x)
    assert torch.allclose(out, expected, atol=1e-6) and torch.allclose(weights, expected_weights, atol=1e-6)


def test_encoder_final_state_ignores_padding():
    torch.manual_seed(2)
    encoder = at.Encoder(10, 4, 6)
    alone, final_alone = encoder(torch.tensor([[3, 4]]), torch.tensor([2]))
    padded, final_padded = encoder(torch.tensor([[3, 4, PAD, PAD]]), torch.tensor([2]))
    assert padded.shape == (1, 4, 6) and final_padded.shape == (1, 1, 6)
    assert torch.allclose(final_alone, final_padded, atol=1e-6), "the final state is after the last real character"
    assert torch.all(padded[0, 2:] == 0)


@pytest.mark.parametrize("attention", [False, True])
def test_seq2seq_shapes(attention):
    torch.manual_seed(3)
    model = at.Seq2Seq(embed_dim=8, hidden_size=12, attention=attention)
    src, src_lengths, tgt_in, tgt_out = at.date_batch(make_date_pairs(4, seed=0))
    memory, state, src_mask = model.encode(src, src_lengths)
    assert memory.shape == (4, src.shape[1], 12) and state.shape == (1, 4, 12)
    assert src_mask.dtype == torch.bool and src_mask.sum(dim=1).tolist() == src_lengths.tolist()
    logits, new_state, weights = model.decode_step(tgt_in[:, 0], state, memory, src_mask)
    assert logits.shape == (4, model.out.out_features) and new_state.shape == state.shape
    if attention:
        assert torch.allclose(weights.sum(dim=1), torch.ones(4)) and torch.all(weights[~src_mask] == 0)
    else:
        assert weights is None
    assert model(src, src_lengths, tgt_in).shape == (4, tgt_in.shape[1], model.out.out_features)
    loss = at.sequence_loss(model(src, src_lengths, tgt_in), tgt_out)
    assert abs(loss.item() - math.log(model.out.out_features)) < 1.0, "an untrained model is close to uniform"


def test_greedy_decode_feeds_back_and_stops_at_eos():
    # A decoder whose next token is the previous one plus 3, until it reaches 9; then EOS.
    def step(prev, state, memory, src_mask):
        nxt = torch.where(prev == BOS, torch.full_like(prev, 3), prev + 3)
        nxt = torch.where(prev >= 9, torch.full_like(prev, EOS), nxt)
        return F.one_hot(nxt, 14).float(), state, None
    tokens = at.greedy_decode(step, torch.zeros(1, 1, 2), None, torch.ones(1, 3, dtype=torch.bool), max_len=6)
    assert tokens.tolist() == [[3, 6, 9, EOS, PAD, PAD]]


def test_beam_search_finds_a_better_sequence_than_greedy():
    # After BOS: token 3 (p 0.5) or 4 (p 0.4). After 3: EOS (p 0.3) or more; after 4: EOS for sure.
    table = {BOS: [0.0, 0.0, 0.1, 0.5, 0.4], 3: [0.0, 0.0, 0.3, 0.35, 0.35], 4: [0.0, 0.0, 1.0, 0.0, 0.0]}

    def step(prev, state, memory, src_mask):
        probs = torch.tensor(table.get(int(prev[0]), [0.0, 0.0, 1.0, 0.0, 0.0])) + 1e-9
        return probs.log()[None], state, None
    tokens, score = at.beam_search(step, None, None, torch.ones(1, 1, dtype=torch.bool), beam_size=2, max_len=4,
                                   alpha=0.0)
    assert tokens == [4, EOS] and score == pytest.approx(math.log(0.4), abs=1e-6)


def test_sequence_accuracy():
    exact, chars = at.sequence_accuracy(["2026-11-30", "2026-11-3"], ["2026-11-30", "2026-11-31"])
    assert exact == 0.5 and chars == pytest.approx(19 / 20)
