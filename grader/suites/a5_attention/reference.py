"""Trusted values of the a5_attention suite, computed in the grader: attention in float64, PyTorch's
own modules with the case's weights, an encoder-decoder step written out with torch's functions, the
grader's decoders for greedy and beam search (callbacks), and a beam search of our own.

Nothing here is the solution module: each value is computed a second, independent way.

Shapes: N batch, S source length, L query length, E model size, H hidden size, V vocabulary.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F

from rnnutils.dates import BOS_ID as BOS, EOS_ID as EOS, PAD_ID as PAD, SOURCE_VOCAB, TARGET_VOCAB

V_SRC, V_TGT = len(SOURCE_VOCAB), len(TARGET_VOCAB)


# ---------------------------------------------------------------------------------------------
# Attention


def softmax_allowed(scores, allowed):
    """Softmax over the last axis among the allowed positions, in float64; rows with none are 0."""
    scores = np.asarray(scores, dtype=np.float64)
    allowed = np.broadcast_to(allowed, scores.shape)
    top = np.where(allowed, scores, -np.inf).max(axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.where(allowed, np.exp(np.where(allowed, scores - top, 0.0)), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def attention_allowed(shape, mask, causal):
    """The allowed (query, key) pairs: the mask (True: may attend) and j <= i when causal."""
    allowed = np.ones(shape[-2:], dtype=bool)
    if causal:
        allowed = np.tril(allowed)
    return allowed if mask is None else allowed & np.asarray(mask, dtype=bool)


def dot_product_attention(q, k, v, mask=None, causal=False):
    """softmax(q k^T / sqrt(d)) v in float64 with zero rows where nothing may be attended."""
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    scores = q @ np.swapaxes(k, -1, -2) / math.sqrt(q.shape[-1])
    weights = softmax_allowed(scores, attention_allowed(scores.shape, mask, causal))
    return weights @ v, weights


def torch_mha(embed_dim, heads, seed, dtype=torch.float32):
    """nn.MultiheadAttention(E, h, batch_first=True) with seeded weights (biases non-zero)."""
    torch.manual_seed(seed)
    mha = torch.nn.MultiheadAttention(embed_dim, heads, batch_first=True).to(dtype)
    with torch.no_grad():
        mha.in_proj_bias.normal_(0.0, 0.3)
        mha.out_proj.bias.normal_(0.0, 0.3)
    return mha


def mha_reference(mha, query, key, value, key_padding_mask=None, causal=False):
    """PyTorch's own answer (output (N, L, E), head-averaged weights (N, L, S)) as numpy arrays."""
    attn_mask = None
    if causal:
        attn_mask = torch.ones(query.shape[1], key.shape[1], dtype=torch.bool).triu(1)   # True: not allowed
    with torch.no_grad():
        out, weights = mha(torch.as_tensor(query), torch.as_tensor(key), torch.as_tensor(value),
                           key_padding_mask=None if key_padding_mask is None else torch.as_tensor(key_padding_mask),
                           attn_mask=attn_mask, need_weights=True, average_attn_weights=True)
    return out.numpy(), weights.numpy()


def state_arrays(module):
    """A module's state_dict as numpy arrays (what a worker would send back)."""
    return {name: value.detach().numpy().copy() for name, value in module.state_dict().items()}


# ---------------------------------------------------------------------------------------------
# The encoder-decoder, written out step by step


def seq2seq_weights(embed_dim, hidden, attention, seed, dtype=np.float32):
    """Seeded weights with Seq2Seq's state_dict names and shapes (torch.nn's layout)."""
    rng = np.random.default_rng(seed)

    def w(*shape, scale=0.4):
        return (rng.standard_normal(shape) * scale).astype(dtype)

    weights = {"encoder.embed.weight": w(V_SRC, embed_dim, scale=1.0),
               "encoder.rnn.weight_ih_l0": w(3 * hidden, embed_dim), "encoder.rnn.weight_hh_l0": w(3 * hidden, hidden),
               "encoder.rnn.bias_ih_l0": w(3 * hidden), "encoder.rnn.bias_hh_l0": w(3 * hidden),
               "tgt_embed.weight": w(V_TGT, embed_dim, scale=1.0)}
    if attention:
        weights.update({"attention.W_q.weight": w(hidden, hidden), "attention.W_k.weight": w(hidden, hidden),
                        "attention.v.weight": w(1, hidden, scale=1.0)})
    weights.update({"decoder.weight_ih_l0": w(3 * hidden, embed_dim + hidden),
                    "decoder.weight_hh_l0": w(3 * hidden, hidden), "decoder.bias_ih_l0": w(3 * hidden),
                    "decoder.bias_hh_l0": w(3 * hidden), "out.weight": w(V_TGT, 2 * hidden), "out.bias": w(V_TGT)})
    weights["encoder.embed.weight"][PAD] = 0.0
    weights["tgt_embed.weight"][PAD] = 0.0
    return weights


def _gru_step(x, h, weights, prefix):
    """One GRU step (r, z, n as torch.nn.GRU) in float64 torch."""
    gi = x @ weights[prefix + "weight_ih_l0"].T + weights[prefix + "bias_ih_l0"]
    gh = h @ weights[prefix + "weight_hh_l0"].T + weights[prefix + "bias_hh_l0"]
    i_r, i_z, i_n = gi.chunk(3, dim=-1)
    h_r, h_z, h_n = gh.chunk(3, dim=-1)
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h


def _as64(weights):
    return {k: torch.from_numpy(np.asarray(v, dtype=np.float64)) for k, v in weights.items()}


def encode_reference(weights, src, src_lengths):
    """memory (N, S, H) zero at padding, final (1, N, H), mask (N, S): each row read alone, step by step."""
    w = _as64(weights)
    n, s = src.shape
    hidden = w["encoder.rnn.weight_hh_l0"].shape[1]
    memory = torch.zeros(n, s, hidden, dtype=torch.float64)
    final = torch.zeros(1, n, hidden, dtype=torch.float64)
    for row in range(n):
        h = torch.zeros(hidden, dtype=torch.float64)
        for t in range(int(src_lengths[row])):
            h = _gru_step(w["encoder.embed.weight"][int(src[row, t])], h, w, "encoder.rnn.")
            memory[row, t] = h
        final[0, row] = h
    mask = np.arange(s)[None, :] < np.asarray(src_lengths)[:, None]
    return memory.numpy(), final.numpy(), mask


def decode_step_reference(weights, prev, state, memory, src_mask):
    """(logits (N, V), state (1, N, H), weights (N, S) or None) of one decoder step, in float64."""
    w = _as64(weights)
    memory64 = torch.from_numpy(np.asarray(memory, dtype=np.float64))
    h = torch.from_numpy(np.asarray(state, dtype=np.float64))[0]
    embedded = w["tgt_embed.weight"][torch.as_tensor(np.asarray(prev, dtype=np.int64))]
    mask = np.asarray(src_mask, dtype=bool)
    if "attention.v.weight" in w:
        scores = (torch.tanh((h @ w["attention.W_q.weight"].T)[:, None] + memory64 @ w["attention.W_k.weight"].T)
                  @ w["attention.v.weight"].T)[..., 0]
        attn = softmax_allowed(scores.numpy(), mask)
        context = torch.einsum("ns,nsh->nh", torch.from_numpy(attn), memory64)
    else:
        attn = None
        context = memory64[torch.arange(len(mask)), torch.from_numpy(mask.sum(axis=1) - 1)]
    h_new = _gru_step(torch.cat([embedded, context], dim=-1), h, w, "decoder.")
    logits = torch.cat([h_new, context], dim=-1) @ w["out.weight"].T + w["out.bias"]
    return logits.numpy(), h_new[None].numpy(), attn


def teacher_forced_reference(weights, src, src_lengths, tgt_in):
    """logits (N, T, V) of the teacher-forced decoder."""
    memory, state, mask = encode_reference(weights, src, src_lengths)
    out = []
    for t in range(tgt_in.shape[1]):
        logits, state, _ = decode_step_reference(weights, tgt_in[:, t], state, memory, mask)
        out.append(logits)
    return np.stack(out, axis=1)


# ---------------------------------------------------------------------------------------------
# The grader's decoders: callbacks with the step interface, computed here


class ScriptedDecoder:
    """A decoder whose best next token is a fixed function of (row, step, previous token).

    The state is (1, N, 1): the number of steps taken, so a state that is not passed on shows. The
    decoder checks that memory and src_mask come back unchanged and records every previous token
    it is fed. Its argmax sequence for row n is ``expected(n)``, reached only by feeding back each
    prediction.
    """

    def __init__(self, lengths, memory, src_mask, seed=0):
        rng = np.random.default_rng(seed)
        self.lengths = list(lengths)                       # tokens before EOS, per row
        self.memory, self.src_mask = np.asarray(memory), np.asarray(src_mask)
        self.noise = rng.uniform(-1.0, 1.0, (64, V_TGT)).astype(np.float32)
        self.fed = []
        self.calls = 0

    def best(self, row, step, prev):
        """The top token at ``step`` after ``prev`` (a character code, or EOS when the row is done)."""
        if step >= self.lengths[row]:
            return EOS
        return 3 + (int(prev) * 7 + step * 3 + row * 5) % (V_TGT - 3)

    def expected(self, row, max_len):
        tokens, prev = [], BOS
        for step in range(max_len):
            prev = self.best(row, step, prev)
            tokens.append(prev)
            if prev == EOS:
                break
        return tokens + [PAD] * (max_len - len(tokens))

    def forward(self, prev, state, memory, src_mask, *, context=None):
        self.calls += 1
        prev = np.asarray(prev).astype(np.int64).reshape(-1)
        if not (np.array_equal(np.asarray(memory), self.memory) and np.array_equal(np.asarray(src_mask),
                                                                                    self.src_mask)):
            raise ValueError("memory and src_mask must be passed to every step unchanged")
        steps = np.asarray(state, dtype=np.float32).reshape(-1).astype(np.int64)
        self.fed.append(prev.tolist())
        logits = np.array([self.noise[(r * 7 + int(steps[r])) % 64] for r in range(len(prev))], dtype=np.float32)
        for row, (t, p) in enumerate(zip(steps, prev)):
            logits[row, self.best(row, int(t), p)] += 4.0
        return logits, (steps + 1).astype(np.float32).reshape(1, -1, 1), None


class PrefixDecoder:
    """A decoder of one source whose log-probabilities depend on the whole prefix written so far.

    The state is (1, 1, M + 1): the hypothesis' tokens (the one just fed included, BOS not), -1 after
    them, so each hypothesis of a beam must keep the state its own last step returned. Each prefix gets
    seeded scores over EOS and ``vocab`` characters; EOS grows more likely as the prefix grows.
    """

    def __init__(self, seed, max_len, eos_bias=0.0, vocab=6):
        self.seed, self.max_len, self.eos_bias, self.vocab = seed, max_len, eos_bias, vocab
        self.calls = 0

    def initial_state(self):
        return np.full((1, 1, self.max_len + 1), -1.0, dtype=np.float32)

    def log_probs(self, prefix):
        """log p(next | prefix) over V_TGT tokens (PAD and BOS -inf; tokens beyond ``vocab`` too)."""
        rng = np.random.default_rng([self.seed, len(prefix), *[int(t) for t in prefix]])
        scores = np.full(V_TGT, -np.inf)
        scores[EOS] = rng.normal(self.eos_bias + 0.4 * len(prefix), 1.0)
        scores[3:3 + self.vocab] = rng.normal(0.0, 1.5, self.vocab)
        top = scores.max()
        return scores - top - np.log(np.exp(scores - top).sum())

    def forward(self, prev, state, memory, src_mask, *, context=None):
        self.calls += 1
        stored = [int(t) for t in np.asarray(state, dtype=np.float32).reshape(-1) if t >= 0]
        prev = int(np.asarray(prev).reshape(-1)[0])
        prefix = stored + ([] if prev == BOS and not stored else [prev])
        if len(prefix) > self.max_len:
            raise ValueError(f"the decoder was asked for a step after {self.max_len} tokens")
        logits = self.log_probs(prefix).astype(np.float32)
        logits[~np.isfinite(logits)] = -1e9
        new_state = self.initial_state()
        new_state[0, 0, :len(prefix)] = prefix
        return logits[None], new_state, None


def beam_reference(log_probs, beam_size, max_len, alpha):
    """The documented beam search over ``log_probs(prefix) -> (V,)``: (tokens, normalised score)."""
    live, finished = [([], 0.0)], []
    for _ in range(max_len):
        candidates = []
        for tokens, total in live:
            lp = log_probs(tokens)
            order = np.argsort(-lp, kind="stable")[:beam_size]
            candidates += [(tokens + [int(t)], total + float(lp[t])) for t in order]
        candidates.sort(key=lambda c: c[1], reverse=True)
        kept = candidates[:beam_size]
        finished += [c for c in kept if c[0][-1] == EOS]
        live = [c for c in kept if c[0][-1] != EOS]
        if not live:
            break
    finished += live
    tokens, total = max(finished, key=lambda c: c[1] / len(c[0]) ** alpha)
    return tokens, total / len(tokens) ** alpha


class _Torchish:
    """A grader decoder shown to our own code (the reference, a mutant) as a torch module would be."""

    def __init__(self, decoder):
        self.decoder = decoder

    def __call__(self, *args):
        plain = [a.numpy() if isinstance(a, torch.Tensor) else a for a in args]
        out = self.decoder.forward(*plain)
        return tuple(torch.from_numpy(np.asarray(o)) if isinstance(o, np.ndarray) else o for o in out)


def as_step(decoder):
    """``decoder`` as the step function our own code calls in the grader process (tensors in and out)."""
    return _Torchish(decoder)


def date_sources(pairs):
    """The source column of pairs."""
    return [s for s, _ in pairs]


def cross_entropy_ignoring_pad(logits, targets):
    """Mean -log softmax(logits)[target] over targets that are not PAD, in float64."""
    logits = torch.from_numpy(np.asarray(logits, dtype=np.float64))
    return float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), torch.from_numpy(targets).reshape(-1),
                                 ignore_index=PAD))
