"""Tests of rnnutils.grammar: reproducible, well-formed, and its exact probability recounted."""

import itertools
import math
from functools import lru_cache

import numpy as np
import pytest

from rnnutils import grammar
from rnnutils.grammar import NAMES, RULES, NameCast, generate_corpus


def test_same_seed_same_text_and_bits():
    a, b = generate_corpus(5_000, seed=3), generate_corpus(5_000, seed=3)
    assert a.text == b.text and a.bits_per_char == b.bits_per_char
    assert generate_corpus(5_000, seed=4).text != a.text


def test_whole_sentences_of_about_the_requested_length():
    corpus = generate_corpus(20_000, seed=0)
    assert 20_000 <= len(corpus.text) < 20_000 + 400, "overshoot by less than one sentence"
    assert corpus.text.endswith(".") and not corpus.text.startswith((" ", "\n"))
    assert set(corpus.text) <= set("abcdefghijklmnopqrstuvwxyz .\n")
    sentences = corpus.text.replace("\n", " ").split(". ")
    assert len(sentences) == corpus.num_sentences
    assert math.isclose(corpus.bits_per_char, -corpus.log2_prob / len(corpus.text), rel_tol=1e-12)


def test_name_probabilities_sum_to_one():
    cast = NameCast()
    for name in ["anna", "bob", "anna", "carl"] + list(NAMES):
        names, probs = cast.choices()
        assert len(set(names)) == len(names) == len(NAMES)
        assert math.isclose(sum(probs), 1.0, rel_tol=0, abs_tol=1e-12)
        cast.mention(name)


# ----- an independent recount of log2 P(text): inside algorithm over the words, plus names -----

def inside_log2(words, rules):
    """log2 of the total probability of every derivation of ``words`` from S (NAME = any name)."""
    words = tuple(words)

    @lru_cache(maxsize=None)
    def symbol(sym, i, j):
        if sym == "NAME":
            return 1.0 if j == i + 1 and words[i] in NAMES else 0.0
        if sym not in rules:
            return 1.0 if j == i + 1 and words[i] == sym else 0.0
        return sum(p * sequence(rhs, i, j) for p, rhs in rules[sym])

    @lru_cache(maxsize=None)
    def sequence(rhs, i, j):
        if len(rhs) == 1:
            return symbol(rhs[0], i, j)
        # every symbol covers at least one word
        return sum(symbol(rhs[0], i, k) * sequence(rhs[1:], k, j)
                   for k in range(i + 1, j - len(rhs) + 2))

    return math.log2(symbol("S", 0, len(words)))


def recount_log2_prob(text, rules=RULES):
    """log2 P(text) from separators, the inside probability of each sentence and a name replay."""
    total, mentioned = 0.0, []
    for p_index, paragraph in enumerate(text.split("\n")):
        if p_index > 0:
            total += math.log2(grammar.NEW_PARAGRAPH_PROB)
        mentioned = []
        for s_index, sentence in enumerate(paragraph[:-1].split(". ")):
            if s_index > 0:
                total += math.log2(1 - grammar.NEW_PARAGRAPH_PROB)
            words = sentence.split(" ")
            total += inside_log2(words, rules)
            for word in (w for w in words if w in NAMES):
                fresh = len(NAMES) - len(mentioned)
                if not mentioned:
                    total += math.log2(1 / len(NAMES))
                elif word in mentioned:
                    total += math.log2((grammar.REPEAT_NAME_PROB if fresh else 1.0) / len(mentioned))
                else:
                    total += math.log2((1 - grammar.REPEAT_NAME_PROB) / fresh)
                if word not in mentioned:
                    mentioned.append(word)
    return total


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_probability_agrees_with_an_inside_recount(seed):
    # If the grammar were ambiguous, the inside probability (summed over all parses) would exceed
    # the generator's probability of the one derivation it made, and this test would fail.
    corpus = generate_corpus(3_000, seed=seed)
    assert math.isclose(recount_log2_prob(corpus.text), corpus.log2_prob, rel_tol=1e-9, abs_tol=1e-9)


TINY_RULES = {
    "S": [(0.5, ("NP", "runs")), (0.5, ("NP", "sees", "NP"))],
    "NP": [(0.75, ("the", "N")), (0.25, ("the", "N", "that", "runs"))],
    "N": [(0.6, ("dog",)), (0.4, ("cat",))],
}


def all_derivations(sym, rules, depth=0):
    """Every (words, probability) derivation of ``sym`` in a non-recursive grammar."""
    if sym not in rules:
        return [((sym,), 1.0)]
    out = []
    for p, rhs in rules[sym]:
        for parts in itertools.product(*(all_derivations(s, rules, depth + 1) for s in rhs)):
            words = tuple(w for part, _ in parts for w in part)
            out.append((words, p * math.prod(q for _, q in parts)))
    return out


def test_tiny_grammar_exact_probability_by_enumeration():
    derivations = all_derivations("S", TINY_RULES)
    assert math.isclose(sum(p for _, p in derivations), 1.0, abs_tol=1e-12)
    by_text = {}
    for words, p in derivations:
        by_text.setdefault(" ".join(words) + ".", []).append(p)
    assert all(len(ps) == 1 for ps in by_text.values()), "the tiny grammar is unambiguous"
    corpus = generate_corpus(2_000, seed=5, rules=TINY_RULES)
    expected = 0.0
    for p_index, paragraph in enumerate(corpus.text.split("\n")):
        expected += math.log2(grammar.NEW_PARAGRAPH_PROB) if p_index else 0.0
        for s_index, sentence in enumerate(paragraph.split(". ")):
            expected += math.log2(1 - grammar.NEW_PARAGRAPH_PROB) if s_index else 0.0
            sentence = sentence if sentence.endswith(".") else sentence + "."
            expected += math.log2(by_text[sentence][0])
    assert math.isclose(corpus.log2_prob, expected, rel_tol=1e-12, abs_tol=1e-9)


def test_tiny_grammar_frequencies_match_probabilities():
    derivations = dict((" ".join(w) + ".", p) for w, p in all_derivations("S", TINY_RULES))
    corpus = generate_corpus(60_000, seed=6, rules=TINY_RULES)
    sentences = [s if s.endswith(".") else s + "." for s in corpus.text.replace("\n", " ").split(". ")]
    n = len(sentences)
    for sentence, p in derivations.items():
        frequency = sentences.count(sentence) / n
        # binomial standard error at n of about 3500 sentences is below 0.0085; allow 5 of them
        assert abs(frequency - p) < 5 * math.sqrt(p * (1 - p) / n) + 1e-9, sentence


def test_entropy_is_stable_and_low():
    rates = [generate_corpus(100_000, seed=s).bits_per_char for s in (10, 11)]
    assert all(0.3 < r < 0.6 for r in rates), rates
    assert abs(rates[0] - rates[1]) < 0.02, rates
    assert np.isfinite(rates).all()
