"""Hidden tests of sample(), with models whose output distribution the grader knows."""

import numpy as np
import pytest
from scipy.stats import chisquare

from grader.suites.a4_next_char import probes

TEXT = "abcdef"
LOGITS = [1.0, 0.5, 0.0, -0.5, 0.2, -1.0]
DRAWS = 3000
# The reference passes at these generator seeds; a correct sampler fails one of the three
# chi-square tests (5 degrees of freedom, p < 1e-4 each) with probability about 3e-4.
P_MIN = 1e-4


def softmax(logits, temperature):
    z = np.asarray(logits, dtype=np.float64) / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


def draw_counts(student, temperature, seed):
    text = student.probe(probes.sample_probe, TEXT, LOGITS, "a", DRAWS, temperature, seed)
    assert type(text) is str and len(text) == 1 + DRAWS and text.startswith("a"), (
        f"sample(model, vocab, 'a', {DRAWS}) must return the prime followed by {DRAWS} characters, "
        f"got {type(text).__name__} of length {len(text) if isinstance(text, str) else '?'}.")
    return np.array([text[1:].count(c) for c in TEXT], dtype=np.float64)


def check_frequencies(counts, temperature):
    expected = softmax(LOGITS, temperature) * DRAWS
    p_value = chisquare(counts, expected).pvalue
    assert p_value > P_MIN, (
        f"at temperature {temperature}, {DRAWS} samples from a model with fixed logits {LOGITS} gave "
        f"frequencies {(counts / DRAWS).round(3).tolist()}, expected softmax(logits / temperature) = "
        f"{softmax(LOGITS, temperature).round(3).tolist()} (chi-square p = {p_value:.1e}). Divide the "
        "logits of the last time step by the temperature and take the softmax over the vocabulary axis.")


@pytest.mark.points(1)
def test_temperature_zero_is_argmax(student):
    text = student.probe(probes.sample_probe, "abcdefgh", None, "c", 20, 0.0, None, kind="successor")
    expected = "c" + "".join("abcdefgh"[(2 + k) % 8] for k in range(1, 21))
    assert text == expected, (
        f"with a model whose top score is always the next letter, sample(..., prime='c', length=20, "
        f"temperature=0) returned {text!r}, expected {expected!r}. Temperature 0 means argmax, and each "
        "sampled character must be fed back as the next input.")


@pytest.mark.points(2)
def test_temperature_one_matches_the_softmax(student):
    check_frequencies(draw_counts(student, 1.0, 11), 1.0)


@pytest.mark.points(2)
def test_temperature_divides_the_logits(student):
    entropies = []
    for temperature, seed in ((0.5, 12), (2.0, 13)):
        counts = draw_counts(student, temperature, seed)
        check_frequencies(counts, temperature)
        p = counts[counts > 0] / DRAWS
        entropies.append(float(-(p * np.log2(p)).sum()))
    assert entropies[0] < entropies[1], (
        f"the entropy of the samples should grow with the temperature, got {entropies[0]:.3f} bits at 0.5 "
        f"and {entropies[1]:.3f} bits at 2.0. Divide the logits by the temperature (do not multiply).")


@pytest.mark.points(1)
def test_same_generator_same_text(student):
    texts = student.probe(probes.sample_twice_probe, TEXT, LOGITS, "a", 200, [5, 5, 6])
    assert texts[0] == texts[1], (
        "two calls with torch.Generator().manual_seed(5) gave different texts: draw with "
        "torch.multinomial(probs, 1, generator=generator) so the caller's generator decides.")
    assert texts[0] != texts[2], "generators with different seeds gave the same 200 characters."
