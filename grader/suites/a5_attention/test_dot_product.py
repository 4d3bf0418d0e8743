"""Hidden tests of masked_softmax, scaled_dot_product_attention and MultiHeadAttention.

Expected values: attention recomputed here in float64 (rows with nothing to attend are zeros, as the
docstrings promise), and PyTorch's own F.scaled_dot_product_attention and nn.MultiheadAttention
with the same inputs and weights.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from grader.grading.testing import Diagnosis, assert_close, case
from grader.sandbox import Tensor
from grader.suites.a5_attention.checks import ASSIGNMENT, local_model, tensors
from grader.suites.a5_attention.reference import (attention_allowed, dot_product_attention, mha_reference,
                                                   softmax_allowed, state_arrays, torch_mha)

TOL = {np.float64: dict(rtol=1e-7, atol=1e-9), np.float32: dict(rtol=1e-4, atol=1e-5)}
SOFTMAX_HINT = ("Fill the masked scores with torch.finfo(dtype).min, take the softmax over the last axis, then "
                "multiply by the mask: masked positions get exactly 0 and a row with nothing allowed is all zeros.")
SDPA_HINT = ("weights = masked_softmax(q @ k.transpose(-2, -1) / sqrt(d), allowed), with allowed = mask & "
             "(j <= i when causal); output = weights @ v.")


def softmax_cases():
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((3, 5))
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1], [0, 0, 0, 0, 0]], dtype=bool)     # a fully masked row
    big = np.array([[1e4, 0.0, -1e4, 5e3], [-1e4, -1e4 + 1, 3.0, 0.0]])
    big_mask = np.array([[1, 1, 1, 0], [1, 1, 0, 1]], dtype=bool)
    cube = rng.standard_normal((2, 3, 4))
    cube_mask = np.array([[True, True, False, True]])                                      # broadcast (1, S)
    return [("scores of +-1e4 (numerical stability)", big, big_mask),
            ("a (3, 5) batch with a fully masked row", scores, mask),
            ("scores (2, 3, 4) and a mask (1, 4) that broadcasts", cube, cube_mask)]


@pytest.mark.points(2)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_masked_softmax(student, dtype):
    at = student.module("attention")
    for name, scores, mask in softmax_cases():
        scores = scores.astype(dtype)
        with case(f"masked_softmax on {name}, {np.dtype(dtype)}"):
            got = at.masked_softmax(Tensor(scores), Tensor(mask))
            expected = softmax_allowed(scores, mask).astype(dtype)
            assert_close(got, expected, **TOL[dtype], what="the weights", hint=SOFTMAX_HINT,
                         diagnosis=Diagnosis(ASSIGNMENT, "attention.masked_softmax",
                                             (torch.from_numpy(scores), torch.from_numpy(mask)), got=got, **TOL[dtype]))


def sdpa_cases(dtype):
    rng = np.random.default_rng(1)

    def r(*shape):
        return rng.standard_normal(shape).astype(dtype) * 1.5

    pad = np.ones((2, 1, 6), dtype=bool)
    pad[1, 0, 4:] = False                            # row 1 has two padded keys
    holes = rng.random((2, 3, 4, 5)) > 0.4
    holes[0, 1, 2] = False                           # a query that may attend nothing
    return [
        ("batched, q (2, 4, 8), k (2, 6, 8), v (2, 6, 3), padding mask (2, 1, 6)",
         (r(2, 4, 8), r(2, 6, 8), r(2, 6, 3)), dict(mask=pad)),
        ("unbatched, q (5, 4), k (5, 4), v (5, 2), causal", (r(5, 4), r(5, 4), r(5, 2)), dict(causal=True)),
        ("heads, q (2, 3, 4, 16), k (2, 3, 5, 16), v (2, 3, 5, 4), a mask (2, 3, 4, 5) with a fully masked query",
         (r(2, 3, 4, 16), r(2, 3, 5, 16), r(2, 3, 5, 4)), dict(mask=holes)),
        ("batched, q = k (2, 5, 6), causal and a padding mask (2, 1, 5)",
         (r(2, 5, 6), None, r(2, 5, 3)), dict(mask=np.array([[[1, 1, 1, 1, 0]], [[1, 1, 1, 1, 1]]], dtype=bool),
                                              causal=True)),
    ]


@pytest.mark.points(3)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_scaled_dot_product_attention(student, dtype):
    at = student.module("attention")
    for name, (q, k, v), options in sdpa_cases(dtype):
        k = q if k is None else k
        with case(f"scaled_dot_product_attention, {name}, {np.dtype(dtype)}"):
            mask = options.get("mask")
            got = at.scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v),
                                                  mask=None if mask is None else Tensor(mask),
                                                  causal=options.get("causal", False))
            out, weights = dot_product_attention(q, k, v, **options)
            args = tuple(torch.from_numpy(a) for a in (q, k, v))
            kwargs = {"mask": None if mask is None else torch.from_numpy(mask), "causal": options.get("causal", False)}
            diagnosis = Diagnosis(ASSIGNMENT, "attention.scaled_dot_product_attention", args, kwargs, got=got,
                                  **TOL[dtype])
            assert type(got) is tuple and len(got) == 2, "it must return (output, weights)"
            assert_close(got[1], weights.astype(dtype), **TOL[dtype], what="the weights", hint=SDPA_HINT,
                         diagnosis=diagnosis)
            assert_close(got[0], out.astype(dtype), **TOL[dtype], what="the output", hint=SDPA_HINT,
                         diagnosis=diagnosis)
            if mask is None or np.broadcast_to(mask, weights.shape).any(axis=-1).all():
                # PyTorch's own function agrees wherever every query has a key to attend
                combined = None if mask is None else torch.from_numpy(attention_allowed(weights.shape, mask,
                                                                                         kwargs["causal"]))
                theirs = F.scaled_dot_product_attention(*args, attn_mask=combined,
                                                        is_causal=kwargs["causal"] and mask is None)
                assert np.allclose(got[0], theirs.numpy(), **TOL[dtype]), (
                    "the output differs from torch.nn.functional.scaled_dot_product_attention on the same inputs")


MHA_CASES = [
    ("self-attention, x (3, 5, 8), 2 heads", 8, 2, (3, 5, 5), dict()),
    ("cross-attention, query (2, 4, 12), key = value (2, 6, 12), 4 heads, key_padding_mask (row 1: 2 padded keys)",
     12, 4, (2, 4, 6), dict(padding=True)),
    ("self-attention, x (2, 6, 12), 3 heads, causal", 12, 3, (2, 6, 6), dict(causal=True)),
]


def mha_inputs(n, length, s, e, cross, seed):
    rng = np.random.default_rng(seed)
    query = rng.standard_normal((n, length, e)).astype(np.float32)
    key = rng.standard_normal((n, s, e)).astype(np.float32) if cross else query
    return query, key


def run_mha(weights, e, heads, query, key, padding, causal):
    def run(module):
        model = local_model(module, "MultiHeadAttention", weights, e, heads)
        with torch.no_grad():
            return model(torch.from_numpy(query), torch.from_numpy(key), torch.from_numpy(key),
                         key_padding_mask=None if padding is None else torch.from_numpy(padding), causal=causal)
    return run


@pytest.mark.points(3)
def test_multi_head_attention_matches_torch(student):
    at = student.module("attention")
    for index, (name, e, heads, (n, length, s), options) in enumerate(MHA_CASES):
        with case(f"MultiHeadAttention({e}, {heads}) with nn.MultiheadAttention's weights, {name}"):
            mha = torch_mha(e, heads, seed=10 + index)
            weights = state_arrays(mha)
            query, key = mha_inputs(n, length, s, e, cross=length != s, seed=index)
            padding = None
            if options.get("padding"):
                padding = np.zeros((n, s), dtype=bool)
                padding[1, -2:] = True
            causal = options.get("causal", False)
            model = at.MultiHeadAttention.remote(e, heads)
            model.load_state_dict.remote(tensors(weights))
            got = model(Tensor(query), Tensor(key), Tensor(key), key_padding_mask=None if padding is None else
                        Tensor(padding), causal=causal)
            expected_out, expected_weights = mha_reference(mha, query, key, key, padding, causal)
            diagnosis = Diagnosis(ASSIGNMENT, "attention", got=got, rtol=1e-4, atol=1e-5,
                                  run=run_mha(weights, e, heads, query, key, padding, causal),
                                  uses=("MultiHeadAttention",))
            hint = ("Project with in_proj_weight's three (E, E) blocks (q, k, v), split each into heads with "
                    ".view(N, L, h, d).transpose(1, 2), attend per head, put the heads back side by side, apply "
                    "out_proj, and average the weights over the heads. key_padding_mask is True at PADDING.")
            assert type(got) is tuple and len(got) == 2, "it must return (output, weights)"
            assert_close(got[1], expected_weights, rtol=1e-4, atol=1e-5, what="the head-averaged weights",
                         hint=hint, diagnosis=diagnosis)
            assert_close(got[0], expected_out, rtol=1e-4, atol=1e-5, what="the output", hint=hint,
                         diagnosis=diagnosis)
