"""Bench of a4_next_char: the reference character LSTM against the true entropy and n-grams.

On the grammar corpus (1M training characters, 50k held-out), the reference CharLM trains for
about 60 s of CPU time (torch on one thread) in a single train_char_lm call; the table gives its
held-out bits per character beside the corpus's true entropy and order 3-5 n-grams fitted to the
same training text in the same run, the training speed, and the alphabet LSTM's accuracy on
prefix lengths it never saw. Targets: the LSTM within 10% of the true entropy, the best n-gram
at least 20% above it.
"""

import importlib.util
import time

import torch

from grader.paths import SOLUTIONS
from rnnutils.grammar import generate_corpus
from rnnutils.ngram import CharNGram

CPU_SECONDS = 60.0
TRAIN_CHARS, HELDOUT_CHARS = 1_000_000, 50_000
BATCH, SEQ_LEN, LR = 32, 100, 0.005
ALPHABET_SEEDS = 5


def load_reference():
    """Import solutions/a4_next_char/next_char.py (trusted reference code) as a module."""
    spec = importlib.util.spec_from_file_location("a4_next_char_reference",
                                                  SOLUTIONS / "a4_next_char" / "next_char.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def steps_for_budget(nc, vocab_size, train_ids, seconds):
    """Steps that fit in ``seconds`` of CPU time, from a 40-step trial on a throwaway model."""
    trial = nc.CharLM(vocab_size)
    nc.train_char_lm(trial, train_ids, 5, BATCH, SEQ_LEN, LR, seed=1)  # warm-up
    start = time.process_time()
    nc.train_char_lm(trial, train_ids, 40, BATCH, SEQ_LEN, LR, seed=1)
    return max(40, int(seconds * 40 / (time.process_time() - start)))


def alphabet_accuracy(nc):
    """Mean accuracy over seeds on prefixes of 6..25 letters after training on 1..5."""
    letters = nc.LETTERS
    unseen = [(letters[s:s + k], letters[s + k]) for k in range(6, 26) for s in range(26 - k)]
    scores = []
    for seed in range(ALPHABET_SEEDS):
        torch.manual_seed(seed)
        model = nc.AlphabetLSTM()
        nc.train_alphabet(model, nc.alphabet_examples(5), 40, 0.02, seed)
        scores.append(sum(nc.predict_next_letter(model, p) == n for p, n in unseen) / len(unseen))
    return sum(scores) / len(scores), min(scores)


def run():
    """Markdown section for ``make bench``."""
    torch.set_num_threads(1)
    nc = load_reference()
    train = generate_corpus(TRAIN_CHARS, seed=0)
    heldout = generate_corpus(HELDOUT_CHARS, seed=1)
    vocab, train_ids, heldout_ids = nc.prepare_texts(train.text, heldout.text)
    true_bits = heldout.bits_per_char

    steps = steps_for_budget(nc, len(vocab), train_ids, CPU_SECONDS)
    torch.manual_seed(0)
    model = nc.CharLM(len(vocab))
    start = time.process_time()
    nc.train_char_lm(model, train_ids, steps, BATCH, SEQ_LEN, LR, seed=0)
    cpu = time.process_time() - start
    lstm_bits = nc.bits_per_char(model, heldout_ids)

    ngrams = {n: CharNGram(n).fit(train.text).bits_per_char(heldout.text) for n in (3, 4, 5)}
    best = min(ngrams.values())
    mean_acc, min_acc = alphabet_accuracy(nc)

    def row(name, bits):
        return f"| {name} | {bits:.4f} | {bits / true_bits - 1:+.1%} |"

    lines = [
        "## a4_next_char: character language model on the grammar corpus",
        "",
        f"Reference CharLM (LSTM, E=64, H=128), {steps} steps of batch {BATCH} x {SEQ_LEN} in "
        f"{cpu:.1f} s of CPU time (one thread): {steps * BATCH * SEQ_LEN / cpu:,.0f} training "
        f"characters per second. Held-out text: {len(heldout.text):,} characters; training text "
        f"{len(train.text):,}.",
        "",
        "| model | held-out bits/char | above the true entropy |",
        "|---|---|---|",
        row("true entropy (exact, from the grammar)", true_bits),
        row(f"LSTM after {cpu:.0f} s CPU", lstm_bits),
    ]
    lines += [row(f"order-{n} n-gram (Witten-Bell)", bits) for n, bits in ngrams.items()]
    verdict_lstm = "met" if lstm_bits <= 1.10 * true_bits else "NOT met"
    verdict_ngram = "met" if best >= 1.20 * true_bits else "NOT met"
    lines += [
        "",
        f"Targets: LSTM within 10% of the true entropy: {verdict_lstm}; best n-gram at least 20% "
        f"above it: {verdict_ngram}.",
        "",
        f"Alphabet LSTM (trained on prefixes of 1..5 letters, 40 epochs): accuracy on the 210 "
        f"prefixes of 6..25 letters, mean {mean_acc:.1%}, worst {min_acc:.1%} over "
        f"{ALPHABET_SEEDS} seeds.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
