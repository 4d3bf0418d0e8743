"""A character n-gram language model with interpolated (Witten-Bell) smoothing.

The baseline every character-level recurrent model should beat: an order-n model predicts the
next character from the n - 1 characters before it and nothing earlier.

Example:
    model = CharNGram(order=4).fit(train_text)
    model.bits_per_char(test_text)

Introduced in lecture 04, section 6 (baselines: character n-grams, and real text), where it is the
bar for the transformer and the LSTM; assignment a4_next_char compares its models with it.
"""

import math
from collections import Counter

__all__ = ["CharNGram"]


class CharNGram:
    """Order-n character model, each order interpolated with the one below (Witten-Bell).

    Introduced in lecture 04, section 6 (baselines: character n-grams, and real text).

    P_k(c | h) = (count(h c) + u(h) * P_{k-1}(c | h[1:])) / (count(h) + u(h)), where h has k - 1
    characters and u(h) is the number of distinct characters seen after h. The order-0 model is
    add-one over the alphabet, so every character of the alphabet has a nonzero probability.
    """

    def __init__(self, order, alphabet=None):
        """Inputs:
        - order: int >= 1, 1 + the number of characters of context.
        - alphabet: optional str/iterable of every character that may occur; by default the
          characters of the training text.
        """
        if order < 1:
            raise ValueError(f"order must be at least 1, got {order}")
        self.order = order
        self.alphabet = None if alphabet is None else sorted(set(alphabet))
        self.counts = []       # counts[k]: Counter of (k + 1)-character strings
        self.context = []      # context[k]: Counter of k-character contexts (followed by a char)
        self.distinct = []     # distinct[k]: Counter, context -> number of distinct next chars

    def fit(self, text):
        """Count every string of 1..order characters of ``text``; returns self."""
        if self.alphabet is None:
            self.alphabet = sorted(set(text))
        self.counts, self.context, self.distinct = [], [], []
        for k in range(self.order):
            grams = Counter(text[i:i + k + 1] for i in range(len(text) - k))
            context, distinct = Counter(), Counter()
            for gram, count in grams.items():
                context[gram[:-1]] += count
                distinct[gram[:-1]] += 1
            self.counts.append(grams)
            self.context.append(context)
            self.distinct.append(distinct)
        return self

    def prob(self, history, char):
        """Probability of ``char`` after ``history`` (only its last order - 1 characters count).

        Inputs:
        - history: str, the text before ``char`` (may be shorter than order - 1).
        - char: str of one character.

        Returns:
        - p: float in (0, 1] when ``char`` is in the alphabet, else 0.0.
        """
        if char not in self.alphabet:
            return 0.0
        p = (self.counts[0][char] + 1.0) / (self.context[0][""] + len(self.alphabet))
        for k in range(1, min(self.order, len(history) + 1)):
            h = history[len(history) - k:]
            seen = self.context[k][h]
            if seen == 0:
                continue
            u = self.distinct[k][h]
            p = (self.counts[k][h + char] + u * p) / (seen + u)
        return p

    def bits_per_char(self, text):
        """Average -log2 P(char | history) over every character of ``text`` but the first.

        Inputs:
        - text: str of length L >= 2; each character sees only the text before it in ``text``.

        Returns:
        - bits: float, total bits of text[1:] / (L - 1). Infinite if a character is outside the
          alphabet.
        """
        if len(text) < 2:
            raise ValueError("bits_per_char needs at least two characters")
        total = 0.0
        for i in range(1, len(text)):
            p = self.prob(text[max(0, i - self.order + 1):i], text[i])
            if p == 0.0:
                return math.inf
            total -= math.log2(p)
        return total / (len(text) - 1)
