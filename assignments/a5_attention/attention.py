"""Assignment 5: from the encoder-decoder bottleneck to attention.

The task is translation in miniature: a date written as people write it ("30/11/26", "nov 30,
2026", "monday, the thirtieth of november 2026") goes in character by character, and its ISO form
("2026-11-30") comes out character by character. rnnutils.dates generates the pairs.

Part 1 builds an encoder-decoder whose decoder sees the source only through the encoder's last
state (the bottleneck). Part 2 adds additive (Bahdanau) attention, so that every decoder step looks
back at every source character. Part 3 is the attention of transformers: scaled dot-product
attention with padding and causal masks, and multi-head attention in nn.MultiheadAttention's
layout. Part 4 decodes with a beam and measures exact-match and per-character accuracy.

Shapes: N batch, S source length, T target length, L query length, E embedding or model size,
H hidden size, A attention size, V vocabulary, h heads, d = E / h the size of one head.
All recurrent layers use batch_first=True: tensors are (N, T, ...).

Masks: in this module a mask is a bool tensor in which True marks a position that may be attended
(a real source character; a key at or before the query under a causal mask). Only
MultiHeadAttention's key_padding_mask follows nn.MultiheadAttention instead: True marks padding.

Decoding runs through one interface, so that your decoders, ours and the grader's can be swapped:
``step(prev_tokens, state, memory, src_mask) -> (logits, state, weights)``, one decoder step for a
batch (Seq2Seq.decode_step is one).
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnutils.dates import BOS_ID as BOS, EOS_ID as EOS, PAD_ID as PAD  # the special ids of both vocabularies
from rnnutils.dates import SOURCE_VOCAB, TARGET_VOCAB, decode_target, encode_sources, encode_targets

MAX_TARGET_LEN = 11   # ten characters of an ISO date and EOS


# ----------------------------------------------------------------------------------------------
# Part 1: an encoder-decoder with a bottleneck
# ----------------------------------------------------------------------------------------------

class Encoder(nn.Module):
    """Embedding -> GRU (batch_first) over the source characters."""

    def __init__(self, vocab_size, embed_dim, hidden_size):
        """Inputs:
        - vocab_size: int V_src, the source vocabulary (PAD included).
        - embed_dim: int E.
        - hidden_size: int H.
        """
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD)
        self.rnn = nn.GRU(embed_dim, hidden_size, batch_first=True)

    def forward(self, src, src_lengths):
        """Read a right-padded batch of sources.

        Inputs:
        - src: long tensor (N, S) of source ids, PAD after each row's last character.
        - src_lengths: long tensor (N,), the real length of each row (1..S).

        Returns:
        - memory: float tensor (N, S, H), the GRU output at every real position, zeros at padding.
        - final: float tensor (1, N, H), the state after each row's own last real character.

        Hint: pack_padded_sequence(embedded, src_lengths.cpu(), batch_first=True,
        enforce_sorted=False) before the GRU, pad_packed_sequence(..., batch_first=True,
        total_length=S) after it.
        """
        # YOUR CODE HERE
        raise NotImplementedError()


def source_mask(src_lengths, src_len):
    """The mask of the real source positions of a padded batch.

    Inputs:
    - src_lengths: long tensor (N,), the real length of each row.
    - src_len: int S, the padded length.

    Returns:
    - mask: bool tensor (N, S); mask[n, s] is True when s < src_lengths[n].
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# ----------------------------------------------------------------------------------------------
# Part 2: additive attention
# ----------------------------------------------------------------------------------------------

def masked_softmax(scores, mask):
    """Softmax over the last axis, over the allowed positions only.

    Inputs:
    - scores: float tensor (..., S).
    - mask: bool tensor broadcastable to scores' shape; True marks an allowed position.

    Returns:
    - weights: tensor of scores' shape and dtype; each row sums to 1 over its allowed positions and
      is exactly 0 at the others. A row with no allowed position is all zeros (not NaN).
      Numerically stable: scores of 1e4 or -1e4 give finite weights.

    Hint: fill the masked scores with torch.finfo(scores.dtype).min (not -inf, whose rows of
    nothing but -inf give NaN), take the softmax, then multiply by the mask.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


class AdditiveAttention(nn.Module):
    """Bahdanau's attention: score(q, k_s) = v . tanh(W_q q + W_k k_s)."""

    def __init__(self, query_size, key_size, attn_size):
        """Inputs:
        - query_size: int H_q, key_size: int H_k, attn_size: int A.
        """
        super().__init__()
        self.W_q = nn.Linear(query_size, attn_size, bias=False)
        self.W_k = nn.Linear(key_size, attn_size, bias=False)
        self.v = nn.Linear(attn_size, 1, bias=False)

    def forward(self, query, keys, mask):
        """Attend from one query per row to that row's keys.

        Inputs:
        - query: float tensor (N, H_q), e.g. the decoder's state.
        - keys: float tensor (N, S, H_k), e.g. the encoder's memory (also used as the values).
        - mask: bool tensor (N, S), True at the real source positions.

        Returns:
        - context: float tensor (N, H_k), sum over s of weights[:, s] * keys[:, s].
        - weights: float tensor (N, S), masked_softmax of the scores: 0 at padding.
        """
        # YOUR CODE HERE
        raise NotImplementedError()


class Seq2Seq(nn.Module):
    """GRU encoder -> GRU decoder, with additive attention or with the encoder's last state only.

    The decoder starts from the encoder's final state. At every step a context vector (N, H) is fed
    to the decoder's GRU together with the embedded previous token, and to the output layer
    together with the GRU's new state. Without attention the context is always the encoder's final
    state (its output at each row's last real source position): a fixed-size summary of the whole
    source, the bottleneck. With attention it is recomputed at every step: the decoder's previous
    state queries the encoder's memory (additive attention over the real source positions).
    """

    def __init__(self, src_vocab_size=len(SOURCE_VOCAB), tgt_vocab_size=len(TARGET_VOCAB), embed_dim=32,
                 hidden_size=64, attention=True):
        """Inputs:
        - src_vocab_size: int V_src, tgt_vocab_size: int V (PAD, BOS, EOS and the characters).
        - embed_dim: int E, hidden_size: int H (the attention size A is H too).
        - attention: bool.
        """
        super().__init__()
        self.encoder = Encoder(src_vocab_size, embed_dim, hidden_size)
        self.tgt_embed = nn.Embedding(tgt_vocab_size, embed_dim, padding_idx=PAD)
        self.attention = AdditiveAttention(hidden_size, hidden_size, hidden_size) if attention else None
        self.decoder = nn.GRU(embed_dim + hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(2 * hidden_size, tgt_vocab_size)

    def encode(self, src, src_lengths):
        """Encode a batch of sources for decoding.

        Inputs:
        - src: long tensor (N, S), right-padded with PAD.
        - src_lengths: long tensor (N,).

        Returns:
        - memory: float tensor (N, S, H), the encoder's outputs (zeros at padding).
        - state: float tensor (1, N, H), the decoder's first state: the encoder's final state.
        - src_mask: bool tensor (N, S), True at the real source positions.
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def decode_step(self, prev_tokens, state, memory, src_mask):
        """One decoder step for a batch.

        Inputs:
        - prev_tokens: long tensor (N,), the previous target token of each row (BOS at first).
        - state: float tensor (1, N, H), the decoder state.
        - memory: float tensor (N, S, H) and src_mask: bool tensor (N, S), from encode.

        Returns:
        - logits: float tensor (N, V), scores of the next token.
        - state: float tensor (1, N, H), the new decoder state.
        - weights: float tensor (N, S), the attention weights of this step (0 at padding), or None
          without attention.

        Hint: without attention, memory[torch.arange(N), src_mask.sum(dim=1) - 1] is the encoder's
        output at each row's last real position.
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, src, src_lengths, tgt_in):
        """Scores of every target token with teacher forcing (the true previous token is fed).

        Inputs:
        - src: long tensor (N, S), src_lengths: long tensor (N,).
        - tgt_in: long tensor (N, T), the decoder's inputs: BOS and the target without its last token.

        Returns:
        - logits: float tensor (N, T, V); logits[:, t] scores the token after tgt_in[:, t].
        """
        # YOUR CODE HERE
        raise NotImplementedError()


def date_batch(pairs):
    """Encode (source, target) pairs as the tensors of one training batch.

    Inputs:
    - pairs: list of N (source, target) str pairs from make_date_pairs.

    Returns:
    - src: long tensor (N, S), src_lengths: long tensor (N,).
    - tgt_in: long tensor (N, T), BOS then the target's characters (the decoder's inputs).
    - tgt_out: long tensor (N, T), the target's characters then EOS, PAD after (what is predicted).
    """
    src, src_lengths = encode_sources([s for s, _ in pairs])
    tgt = torch.from_numpy(encode_targets([t for _, t in pairs]))
    return torch.from_numpy(src), torch.from_numpy(src_lengths), tgt[:, :-1], tgt[:, 1:]


def sequence_loss(logits, tgt_out):
    """Mean cross-entropy per real target token (PAD positions do not count).

    Inputs:
    - logits: float tensor (N, T, V).
    - tgt_out: long tensor (N, T), PAD where there is nothing to predict.

    Returns:
    - loss: float scalar tensor, in nats per token.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def train_seq2seq(model, pairs, steps, batch_size=64, lr=3e-3, clip=1.0, seed=0):
    """Train a Seq2Seq with teacher forcing, Adam and gradient clipping.

    Inputs:
    - model: Seq2Seq.
    - pairs: list of (source, target) str pairs.
    - steps: int, the number of optimizer steps.
    - batch_size: int N; each step draws N pairs at random (with replacement).
    - lr: float, Adam's learning rate; clip: float, the gradient norm is clipped to it.
    - seed: int, seeds the draws.

    Returns:
    - history: list of ``steps`` floats, each step's sequence_loss before its update.

    Hint: generator = torch.Generator().manual_seed(seed) once, then at each step
    torch.randint(len(pairs), (batch_size,), generator=generator); date_batch gives the tensors.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def greedy_decode(step, state, memory, src_mask, max_len=MAX_TARGET_LEN):
    """Decode a batch by feeding each step its own most likely token (no teacher: there is no target).

    Inputs:
    - step: callable step(prev_tokens, state, memory, src_mask) -> (logits (N, V), state, weights),
      e.g. model.decode_step.
    - state, memory, src_mask: the decoder's first state and what step needs, from model.encode.
    - max_len: int, the most tokens to write.

    Returns:
    - tokens: long tensor (N, max_len); row n holds the argmax tokens, the first BOS not included,
      up to and including its first EOS, then PAD. Once every row has written EOS, step is not
      called again.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def translate(model, sources, max_len=MAX_TARGET_LEN):
    """Greedy translations of written dates by a Seq2Seq, as strings.

    Inputs:
    - model: Seq2Seq.
    - sources: list of N str.

    Returns:
    - predictions: list of N str.
    """
    src, src_lengths = (torch.from_numpy(a) for a in encode_sources(sources))
    model.eval()
    with torch.no_grad():
        memory, state, src_mask = model.encode(src, src_lengths)
        tokens = greedy_decode(model.decode_step, state, memory, src_mask, max_len)
    return [decode_target(row) for row in tokens.tolist()]


# ----------------------------------------------------------------------------------------------
# Part 3: scaled dot-product and multi-head attention
# ----------------------------------------------------------------------------------------------

def scaled_dot_product_attention(q, k, v, mask=None, causal=False):
    """softmax(q k^T / sqrt(d)) v over the allowed keys, with the weights.

    Any leading dimensions (none for an unbatched case, (N,) or (N, h) for batches and heads) are
    kept.

    Inputs:
    - q: float tensor (..., L, d), the queries.
    - k: float tensor (..., S, d), the keys; v: float tensor (..., S, d_v), the values.
    - mask: None, or a bool tensor broadcastable to (..., L, S); True marks a key a query may attend.
    - causal: bool; if True, query i may attend only keys j <= i (combined with mask).

    Returns:
    - output: tensor (..., L, d_v), the weighted sums of the values (q's dtype).
    - weights: tensor (..., L, S), masked_softmax of the scaled scores. A query that may attend no
      key gets weights 0 and output 0.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


class MultiHeadAttention(nn.Module):
    """Multi-head attention with the parameters of nn.MultiheadAttention (batch_first=True).

    in_proj_weight (3E, E) stacks W_q, W_k, W_v (in that order) and in_proj_bias (3E,) their biases;
    out_proj is nn.Linear(E, E). A state_dict of nn.MultiheadAttention(E, h) loads as it is.
    """

    def __init__(self, embed_dim, num_heads):
        """Inputs:
        - embed_dim: int E; num_heads: int h, which must divide E.
        """
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(f"num_heads ({num_heads}) must divide embed_dim ({embed_dim})")
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim))
        self.out_proj = nn.Linear(embed_dim, embed_dim)
        nn.init.xavier_uniform_(self.in_proj_weight)

    def forward(self, query, key, value, key_padding_mask=None, causal=False):
        """Attention of h heads, each on its own d = E / h slice of the projections.

        Inputs:
        - query: float tensor (N, L, E); key, value: float tensors (N, S, E).
        - key_padding_mask: None, or a bool tensor (N, S) in nn.MultiheadAttention's convention:
          True marks a PADDING key, which no query attends.
        - causal: bool; query i attends only keys j <= i.

        Returns:
        - output: float tensor (N, L, E), out_proj of the heads' outputs put side by side
          (head 0 first).
        - weights: float tensor (N, L, S), the attention weights averaged over the heads (what
          nn.MultiheadAttention returns with need_weights=True).

        Hint: split the projected queries (N, L, E) into heads with .view(N, L, h, d).transpose(1, 2)
        to get (N, h, L, d), and put them back with .transpose(1, 2).reshape(N, L, E).
        """
        # YOUR CODE HERE
        raise NotImplementedError()


# ----------------------------------------------------------------------------------------------
# Part 4: beam search and accuracy
# ----------------------------------------------------------------------------------------------

def beam_search(step, state, memory, src_mask, beam_size, max_len=MAX_TARGET_LEN, alpha=1.0):
    """Beam search for ONE source (a batch of N = 1), with length normalisation.

    The beam starts as the empty hypothesis (whose previous token is BOS). At each step every live
    hypothesis is extended by each of its beam_size most likely next tokens, and of all these
    candidates the beam_size with the highest total log-probability (sum of log_softmax over the
    hypothesis' tokens) are kept; a kept candidate that ends in EOS is finished and leaves the beam.
    The search stops when no hypothesis is live or after max_len steps (hypotheses still live then
    count as finished). The answer is the finished hypothesis with the highest normalised score
    total / len ** alpha, len counting its tokens (its EOS included).

    Inputs:
    - step: callable step(prev_tokens (1,), state, memory, src_mask) -> (logits (1, V), state,
      weights), e.g. model.decode_step.
    - state, memory, src_mask: from model.encode of one source.
    - beam_size: int >= 1, max_len: int, alpha: float (0: no normalisation).

    Returns:
    - tokens: list of int, the best hypothesis (BOS not included, EOS included if it ended).
    - score: float, its normalised score.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def sequence_accuracy(predictions, targets):
    """Exact-match and per-character accuracy of predicted strings.

    Inputs:
    - predictions: list of N str; targets: list of N str (non-empty).

    Returns:
    - exact: float, the fraction of predictions equal to their target.
    - char_accuracy: float, over all target characters, the fraction matched by the prediction's
      character at the same position (a prediction too short misses the rest; characters beyond
      the target's length are not counted).
    """
    # YOUR CODE HERE
    raise NotImplementedError()
