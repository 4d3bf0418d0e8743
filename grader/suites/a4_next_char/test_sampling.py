"""Hidden tests of sample(), with the grader's models, whose output distribution the grader knows.

The models are callbacks (grader/suites/a4_next_char/reference.py): their scores are computed here
and they count how often sample() consults them.
"""

import numpy as np
import pytest
import torch
from scipy.stats import chisquare

from grader.grading.testing import Diagnosis, fail, hint_of, seed_torch
from grader.suites.a4_next_char.checks import ASSIGNMENT, torch_generator
from grader.suites.a4_next_char.reference import FixedLogits, Successor, as_module

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


def known_sample(build, text, prime, length, temperature, generator_seed):
    """run_sample with a sample of ours (the reference's or a mutant's) and a fresh copy of the grader's model."""
    def run(nc):
        torch.manual_seed(0)
        generator = None if generator_seed is None else torch.Generator().manual_seed(generator_seed)
        return nc.sample(as_module(build()), nc.CharVocab(text), prime, length, temperature=temperature,
                         generator=generator)
    return run


def sample_diagnosis(got, build, text, prime, length, temperature, generator_seed):
    return Diagnosis(ASSIGNMENT, "next_char", got=got, uses=("sample", "CharVocab"),
                     run=known_sample(build, text, prime, length, temperature, generator_seed))


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
    if wrong:
        fail("sample", f"the model was not fed the character sampled just before (first at generated character "
             f"{wrong[0]}).", hint_of(ASSIGNMENT, "sample_not_fed_back"))


def draw_counts(student, temperature, seed):
    """Counts of each character in DRAWS samples, and the diagnosis of the text they came from."""
    model = FixedLogits(LOGITS)
    text = run_sample(student, model, TEXT, "a", DRAWS, temperature, seed)
    assert type(text) is str and len(text) == 1 + DRAWS and text.startswith("a"), (
        f"sample(model, vocab, 'a', {DRAWS}) must return the prime followed by {DRAWS} characters, "
        f"got {type(text).__name__} of length {len(text) if isinstance(text, str) else '?'}.")
    check_fed_back(model, text, DRAWS)
    diagnosis = sample_diagnosis(text, lambda: FixedLogits(LOGITS), TEXT, "a", DRAWS, temperature, seed)
    return np.array([text[1:].count(c) for c in TEXT], dtype=np.float64), diagnosis


def check_frequencies(counts, temperature, diagnosis):
    expected = softmax(LOGITS, temperature) * DRAWS
    p_value = chisquare(counts, expected).pvalue
    if not p_value > P_MIN:
        fail(f"at temperature {temperature}, {DRAWS} samples from a model with fixed logits {LOGITS}",
             f"gave frequencies {(counts / DRAWS).round(3).tolist()}, expected softmax(logits / temperature) = "
             f"{softmax(LOGITS, temperature).round(3).tolist()} (chi-square p = {p_value:.1e}).",
             "Divide the logits of the last time step by the temperature and take the softmax over the vocabulary "
             "axis.", diagnosis)


@pytest.mark.points(1)
def test_temperature_zero_is_argmax(student):
    text = run_sample(student, Successor(8), "abcdefgh", "c", 20, 0.0, None)
    expected = "c" + "".join("abcdefgh"[(2 + k) % 8] for k in range(1, 21))
    if text != expected:
        fail("with a model whose top score is always the next letter, sample(..., prime='c', length=20, "
             "temperature=0)", f"returned {text!r:.80}, expected {expected!r}.",
             "Temperature 0 means argmax, and each sampled character must be fed back as the next input.",
             sample_diagnosis(text, lambda: Successor(8), "abcdefgh", "c", 20, 0.0, None))


@pytest.mark.trains
@pytest.mark.points(2)
def test_temperature_one_matches_the_softmax(student):
    counts, diagnosis = draw_counts(student, 1.0, 11)
    check_frequencies(counts, 1.0, diagnosis)


@pytest.mark.trains
@pytest.mark.points(2)
def test_temperature_divides_the_logits(student):
    entropies, diagnoses = [], []
    for temperature, seed in ((0.5, 12), (2.0, 13)):
        counts, diagnosis = draw_counts(student, temperature, seed)
        check_frequencies(counts, temperature, diagnosis)
        p = counts[counts > 0] / DRAWS
        entropies.append(float(-(p * np.log2(p)).sum()))
        diagnoses.append(diagnosis)
    if not entropies[0] < entropies[1]:
        fail("the entropy of the samples should grow with the temperature",
             f"got {entropies[0]:.3f} bits at 0.5 and {entropies[1]:.3f} bits at 2.0.",
             "Divide the logits by the temperature (do not multiply).", diagnoses[0])


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
    if texts[0] != texts[1]:
        fail("two calls of sample with torch.Generator().manual_seed(5)", "gave different texts.",
             "draw with torch.multinomial(probs, 1, generator=generator) so the caller's generator decides.",
             Diagnosis(ASSIGNMENT, "next_char", got=texts, run=known_generator_texts, uses=("sample", "CharVocab")))
    assert texts[0] != texts[2], "generators with different seeds gave the same 200 characters."


def known_generator_texts(nc):
    """test_same_generator_same_text with a sample of ours (the reference's or a mutant's)."""
    torch.manual_seed(0)
    vocab = nc.CharVocab(TEXT)
    texts = []
    for index, seed in enumerate([5, 5, 6]):
        torch.manual_seed(1000 + index)
        generator = torch.Generator().manual_seed(seed)
        texts.append(nc.sample(as_module(FixedLogits(LOGITS)), vocab, "a", 200, 1.0, generator))
    return texts
