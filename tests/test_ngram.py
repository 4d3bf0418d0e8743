"""Tests of rnnutils.ngram: a proper distribution, known values, sane bits per character."""

import math

import numpy as np
import pytest

from rnnutils.grammar import generate_corpus
from rnnutils.ngram import CharNGram


@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_probabilities_sum_to_one_for_seen_and_unseen_histories(order):
    model = CharNGram(order, alphabet="abcdr xyz").fit("abracadabra abracadabra")
    for history in ["", "a", "abr", "zzzz", "cad", "x y"]:
        total = sum(model.prob(history, c) for c in model.alphabet)
        assert math.isclose(total, 1.0, rel_tol=0, abs_tol=1e-12), (order, history, total)
        assert all(model.prob(history, c) > 0 for c in model.alphabet)


def test_witten_bell_known_values():
    model = CharNGram(2).fit("abab")
    # order 0 (add-one): P(a) = (2 + 1) / (4 + 2) = 0.5. After "b": one "ba" seen, one distinct
    # follower, so P(a | b) = (1 + 1 * 0.5) / (1 + 1) = 0.75 and P(b | b) = 0.5 / 2 = 0.25.
    assert math.isclose(model.prob("", "a"), 0.5, rel_tol=1e-12)
    assert math.isclose(model.prob("b", "a"), 0.75, rel_tol=1e-12)
    assert math.isclose(model.prob("b", "b"), 0.25, rel_tol=1e-12)
    assert math.isclose(model.prob("xyzb", "a"), 0.75, rel_tol=1e-12), "only the last character counts"
    assert model.prob("b", "q") == 0.0
    expected = -(math.log2(model.prob("a", "b")) + math.log2(0.75)) / 2
    assert math.isclose(model.bits_per_char("aba"), expected, rel_tol=1e-12)


def test_bits_of_periodic_and_random_text():
    periodic = "abc" * 2000
    assert CharNGram(3).fit(periodic).bits_per_char("abc" * 100) < 0.02
    assert abs(CharNGram(1).fit(periodic).bits_per_char("abc" * 100) - math.log2(3)) < 0.01
    rng = np.random.default_rng(0)
    letters = np.array(list("abcdefgh"))
    train, test = ("".join(rng.choice(letters, n)) for n in (50_000, 5_000))
    for order in (1, 3):
        assert abs(CharNGram(order).fit(train).bits_per_char(test) - 3.0) < 0.05, "random text: log2 8 bits"
    assert CharNGram(2).fit("abc").bits_per_char("abz") == math.inf


def test_grammar_corpus_higher_orders_help_but_stay_above_the_true_entropy():
    train, test = generate_corpus(60_000, seed=0), generate_corpus(10_000, seed=1)
    bits = [CharNGram(n).fit(train.text).bits_per_char(test.text) for n in (2, 3, 5)]
    assert bits[0] > bits[1] > bits[2] > test.bits_per_char, (bits, test.bits_per_char)


def test_order_must_be_positive():
    with pytest.raises(ValueError):
        CharNGram(0)


@pytest.mark.slow
def test_ngram_on_real_text_from_rnnutils_corpora(tmp_path):
    from rnnutils.corpora import python_source_corpus, read_text_file

    source = python_source_corpus(60_000, seed=0)
    assert len(source) == 60_000 and source.isascii() and source == python_source_corpus(60_000, seed=0)
    assert source != python_source_corpus(60_000, seed=1)
    train, test = source[:50_000], source[50_000:]
    model = CharNGram(4, alphabet=source).fit(train)
    assert model.bits_per_char(test) < 0.6 * math.log2(len(set(source))), "code is far from random text"
    path = tmp_path / "notes.txt"
    path.write_bytes("héllo\r\nworld\n".encode("utf-8"))
    assert read_text_file(path) == "héllo\nworld\n"
