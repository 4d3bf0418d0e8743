"""A seeded probabilistic grammar of English-like text whose exact entropy is known.

The corpus is a sequence of paragraphs (separated by a newline) of sentences (separated by a
space). A sentence comes from a small probabilistic context-free grammar with

- relative clauses that nest ("the dog that the cats that anna sees like runs."),
- number agreement between a subject and its verb across the clauses in between
  ("the dog ... runs", "the dogs ... run"),
- names that recur: inside a paragraph a name slot usually repeats a name already mentioned.

Every choice the generator makes can be read back from the text (the grammar is unambiguous
and every word is distinct), so the probability of a text is the product of the probabilities
of its choices and the generator reports it exactly (stopping once ``num_chars`` is reached
adds no choice: the probability is that of the sequence of sentences). ``bits_per_char`` of a
corpus is the number a perfect model would pay on average: held-out bits per character of any
model can come close to it but cannot beat it on average.

Example:
    corpus = generate_corpus(100_000, seed=0)
    corpus.text[:60], corpus.bits_per_char

Introduced in lecture 04, section 6 (a tiny transformer language model against an LSTM), which
trains both on this corpus and compares their held-out bits per character with its exact entropy;
assignment a4_next_char uses the same corpus. Everything here is a part of ``generate_corpus``.
"""

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["NAMES", "RULES", "NAME_SLOT", "REPEAT_NAME_PROB", "NEW_PARAGRAPH_PROB", "GrammarCorpus", "NameCast",
           "generate_sentence", "generate_corpus"]

NAMES = ("anna", "bob", "carl", "dora", "emil", "fay", "gus", "hugo", "ida", "jan", "kim", "lena")

# Nonterminal -> list of (probability, right-hand side). Upper-case symbols are nonterminals,
# "NAME" is a slot the paragraph model fills, every other symbol is a word.
RULES = {
    "S": [(0.45, ("NP_SG", "VP_SG")), (0.40, ("NP_PL", "VP_PL")),
          (0.15, ("NAME", "says", "that", "S"))],
    "NP_SG": [(0.40, ("the", "N_SG")), (0.25, ("the", "N_SG", "RC_SG")), (0.35, ("NAME",))],
    "NP_PL": [(0.60, ("the", "N_PL")), (0.40, ("the", "N_PL", "RC_PL"))],
    "NP": [(0.55, ("NP_SG",)), (0.45, ("NP_PL",))],
    "RC_SG": [(0.45, ("that", "VP_SG")), (0.30, ("that", "NP_SG", "VT_SG")),
              (0.25, ("that", "NP_PL", "VT_PL"))],
    "RC_PL": [(0.45, ("that", "VP_PL")), (0.30, ("that", "NP_SG", "VT_SG")),
              (0.25, ("that", "NP_PL", "VT_PL"))],
    "VP_SG": [(0.50, ("VI_SG",)), (0.50, ("VT_SG", "NP"))],
    "VP_PL": [(0.50, ("VI_PL",)), (0.50, ("VT_PL", "NP"))],
    "N_SG": [(0.25, ("dog",)), (0.25, ("cat",)), (0.25, ("bird",)), (0.25, ("horse",))],
    "N_PL": [(0.25, ("dogs",)), (0.25, ("cats",)), (0.25, ("birds",)), (0.25, ("horses",))],
    "VI_SG": [(0.50, ("runs",)), (0.50, ("sleeps",))],
    "VI_PL": [(0.50, ("run",)), (0.50, ("sleep",))],
    "VT_SG": [(0.50, ("sees",)), (0.50, ("likes",))],
    "VT_PL": [(0.50, ("see",)), (0.50, ("like",))],
}

NAME_SLOT = "NAME"
REPEAT_NAME_PROB = 0.8   # a name slot repeats a name of this paragraph with this probability
NEW_PARAGRAPH_PROB = 0.2  # after each sentence, a newline instead of a space with this probability


@dataclass
class GrammarCorpus:
    """A generated text with its exact probability: what ``generate_corpus`` returns.

    Introduced in lecture 04, section 6 (``corpus.text``, ``corpus.bits_per_char``).

    - text: str, whole sentences; paragraphs separated by "\\n", sentences by " ".
    - log2_prob: float, log2 P(text) under the generator, a sum over all choices it made.
    - bits_per_char: float, -log2_prob / len(text), the true entropy in bits per character.
    - num_sentences: int.
    """

    text: str
    log2_prob: float
    bits_per_char: float
    num_sentences: int


class NameCast:
    """Names mentioned so far in the current paragraph, and the probability of the next one.

    Taught in lecture 04, section 6, as the part of ``generate_corpus`` that makes names recur
    inside a paragraph (the long-range structure a language model can learn).
    """

    def __init__(self, names=NAMES, repeat_prob=REPEAT_NAME_PROB):
        self.names = tuple(names)
        self.repeat_prob = repeat_prob
        self.mentioned = []

    def new_paragraph(self):
        """Forget every name: the next paragraph starts with an empty cast."""
        self.mentioned = []

    def choices(self):
        """Return (names, probabilities) of the next name slot given the names mentioned."""
        fresh = [n for n in self.names if n not in self.mentioned]
        if not self.mentioned:
            return fresh, [1.0 / len(fresh)] * len(fresh)
        if not fresh:
            return list(self.mentioned), [1.0 / len(self.mentioned)] * len(self.mentioned)
        p_old = self.repeat_prob / len(self.mentioned)
        p_new = (1.0 - self.repeat_prob) / len(fresh)
        return list(self.mentioned) + fresh, [p_old] * len(self.mentioned) + [p_new] * len(fresh)

    def mention(self, name):
        """Record that ``name`` was used."""
        if name not in self.mentioned:
            self.mentioned.append(name)


def _pick(rng, probs):
    """Index drawn from ``probs`` with one uniform number (reproducible across platforms)."""
    u = rng.random()
    total = 0.0
    for i, p in enumerate(probs):
        total += p
        if u < total:
            return i
    return len(probs) - 1


def generate_sentence(rng, cast, rules=RULES, start="S"):
    """Expand ``start`` left to right into words, filling name slots from ``cast``.

    Taught in lecture 04, section 6, as the sentence generator behind ``generate_corpus``.

    Inputs:
    - rng: np.random.Generator.
    - cast: NameCast of the current paragraph (updated in place).
    - rules: dict nonterminal -> list of (probability, right-hand side). The recursion must be
      subcritical (fewer than one nested clause per clause on average) so sentences end; with the
      default rules a noun phrase holds 0.25 further noun phrases on average.
    - start: the symbol to expand.

    Returns:
    - words: list of str.
    - log2_prob: float, log2 of the product of the probabilities of every choice made.
    """
    words, log2_prob = [], 0.0
    stack = [start]
    while stack:
        symbol = stack.pop()
        if symbol == NAME_SLOT:
            names, probs = cast.choices()
            i = _pick(rng, probs)
            log2_prob += math.log2(probs[i])
            cast.mention(names[i])
            words.append(names[i])
        elif symbol in rules:
            alternatives = rules[symbol]
            i = _pick(rng, [p for p, _ in alternatives])
            prob, rhs = alternatives[i]
            log2_prob += math.log2(prob)
            stack.extend(reversed(rhs))
        else:
            words.append(symbol)
    return words, log2_prob


def generate_corpus(num_chars, seed, rules=RULES, names=NAMES, repeat_prob=REPEAT_NAME_PROB,
                    new_paragraph_prob=NEW_PARAGRAPH_PROB):
    """Generate whole sentences until the text has at least ``num_chars`` characters.

    Introduced in lecture 04, section 6 (the corpus of the transformer and the LSTM).

    Inputs:
    - num_chars: int, the length to reach (the text overshoots it by less than one sentence).
    - seed: int, seed of the generator; the same seed gives the same text.
    - rules, names, repeat_prob, new_paragraph_prob: the grammar (defaults: this module's).

    Returns:
    - GrammarCorpus with .text, .log2_prob, .bits_per_char and .num_sentences.

    Before every sentence but the first, the separator is a choice: "\\n" (new paragraph, the
    cast of names is forgotten) with probability ``new_paragraph_prob``, else " ".
    """
    rng = np.random.default_rng(seed)
    cast = NameCast(names, repeat_prob)
    pieces, length, log2_prob, count = [], 0, 0.0, 0
    while length < num_chars:
        if count > 0:
            if rng.random() < new_paragraph_prob:
                separator, p = "\n", new_paragraph_prob
                cast.new_paragraph()
            else:
                separator, p = " ", 1.0 - new_paragraph_prob
            log2_prob += math.log2(p)
            pieces.append(separator)
            length += 1
        words, sentence_log2 = generate_sentence(rng, cast, rules)
        sentence = " ".join(words) + "."
        pieces.append(sentence)
        length += len(sentence)
        log2_prob += sentence_log2
        count += 1
    text = "".join(pieces)
    return GrammarCorpus(text=text, log2_prob=log2_prob, bits_per_char=-log2_prob / len(text),
                         num_sentences=count)
