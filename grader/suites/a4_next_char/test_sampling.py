"""Hidden tests of sample(), with the grader's models, whose output distribution the grader knows.

The models are callbacks (grader/suites/a4_next_char/models.py): their scores are computed here
and they count how often sample() consults them.
"""

import numpy as np
import pytest
from scipy.stats import chisquare

from grader.suites.a4_next_char.checks import seed_torch, torch_generator
from grader.suites.a4_next_char.models import FixedLogits, Successor

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


def run_sample(student, model, text, prime, length, temperature, generator_seed):
    """sample(model, CharVocab(text), prime, length, ...) in the worker, with the grader's model."""
    nc = student.module("next_char")
    seed_torch(student, 0)
    vocab = nc.CharVocab.remote(text)
    generator = None if generator_seed is None else torch_generator(student, generator_seed)
    out = nc.sample(student.callback(model, kind="module"), vocab, prime, length, temperature=temperature,
                    generator=generator)
    check_consulted(model, length)
    return out


def check_consulted(model, length):
    assert model.calls >= length, (
        f"sample(..., length={length}) called the model {model.calls} times: each generated character "
        "must come from the model's scores after the character before it, so the model is called at "
        "least once per generated character.")


def check_fed_back(model, text, length):
    """After the prime (one character), call k of the model must end with generated character k."""
    if type(text) is not str or len(text) != 1 + length:
        return  # the caller reports the length
    fed = model.last_ids[1:length + 1]
    expected = [TEXT.index(c) if c in TEXT else -2 for c in text[1:1 + len(fed)]]
    wrong = [k + 1 for k, (f, e) in enumerate(zip(fed, expected)) if f != e]
    assert not wrong, (
        f"sample fed the model something else than the character it had just sampled (first at generated "
        f"character {wrong[0]}): each sampled id must be the next input, as torch.tensor([[next_id]]).")


def draw_counts(student, temperature, seed):
    model = FixedLogits(LOGITS)
    text = run_sample(student, model, TEXT, "a", DRAWS, temperature, seed)
    assert type(text) is str and len(text) == 1 + DRAWS and text.startswith("a"), (
        f"sample(model, vocab, 'a', {DRAWS}) must return the prime followed by {DRAWS} characters, "
        f"got {type(text).__name__} of length {len(text) if isinstance(text, str) else '?'}.")
    check_fed_back(model, text, DRAWS)
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
    text = run_sample(student, Successor(8), "abcdefgh", "c", 20, 0.0, None)
    expected = "c" + "".join("abcdefgh"[(2 + k) % 8] for k in range(1, 21))
    assert text == expected, (
        f"with a model whose top score is always the next letter, sample(..., prime='c', length=20, "
        f"temperature=0) returned {text!r:.80}, expected {expected!r}. Temperature 0 means argmax, and each "
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
    nc = student.module("next_char")
    torch = student.module("torch")
    seed_torch(student, 0)
    vocab = nc.CharVocab.remote(TEXT)
    texts = []
    for index, seed in enumerate([5, 5, 6]):
        model = FixedLogits(LOGITS)
        torch.manual_seed.remote(1000 + index)  # the global generator differs between calls
        texts.append(nc.sample(student.callback(model, kind="module"), vocab, "a", 200, 1.0,
                               torch_generator(student, seed)))
        check_consulted(model, 200)
        check_fed_back(model, texts[-1], 200)
    assert all(type(t) is str and len(t) == 201 for t in texts), (
        f"sample(model, vocab, 'a', 200) must return a str of 201 characters, got {texts[0]!r:.60}.")
    assert texts[0] == texts[1], (
        "two calls with torch.Generator().manual_seed(5) gave different texts: draw with "
        "torch.multinomial(probs, 1, generator=generator) so the caller's generator decides.")
    assert texts[0] != texts[2], "generators with different seeds gave the same 200 characters."
