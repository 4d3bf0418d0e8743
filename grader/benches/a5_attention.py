"""Bench of a5_attention: the bottleneck curve, accuracy against source length with and without attention.

The reference Seq2Seq (E=32, H=64) is trained with and without attention on the notebook's 4000
date pairs for the notebook's budget (300 steps of 32, lr 5e-3), over several seeds, and tested on
600 other dates; the table gives the exact-match and per-character accuracy per bucket of source
length (means over the seeds) and the CPU time of one training run (torch on one thread).

One date carries the same information however long it is written, so that curve is flat. The second
table is the classic bottleneck curve: sources of 1 to 4 dates (``make_date_lists``), where a longer
source carries more to remember and the final state alone falls behind as it grows.
"""

import importlib.util
import time

import numpy as np
import torch

from grader.paths import SOLUTIONS
from rnnutils.dates import make_date_pairs

SEEDS = (0, 1, 2)
STEPS, BATCH, LR = 300, 32, 5e-3
BUCKETS = ((8, 12), (12, 18), (18, 25), (25, 32), (32, 48))
MAX_DATES, LIST_STEPS = 4, 600


def load_reference():
    """Import solutions/a5_attention/attention.py (trusted reference code) as a module."""
    spec = importlib.util.spec_from_file_location("a5_attention_reference", SOLUTIONS / "a5_attention" / "attention.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_date_lists(count, seed, max_dates=MAX_DATES):
    """(source, target) pairs of 1..max_dates dates each: written dates joined by " / ", ISO dates by "-".

    The number of dates is uniform; the dates themselves are ``make_date_pairs(count * max_dates, seed)``.
    """
    rng = np.random.default_rng([seed, max_dates])
    dates = iter(make_date_pairs(count * max_dates, seed))
    pairs = []
    for _ in range(count):
        part = [next(dates) for _ in range(int(rng.integers(1, max_dates + 1)))]
        pairs.append((" / ".join(s for s, _ in part), "-".join(t for _, t in part)))
    return pairs


def curve(at, attention, train, steps, groups, max_len):
    """Mean (exact, chars) per group of test pairs over SEEDS, and the mean CPU seconds of one training run.

    groups: list of lists of (source, target) test pairs; max_len: the most tokens ``translate`` writes.
    """
    results, seconds = [], []
    for seed in SEEDS:
        torch.manual_seed(seed)
        model = at.Seq2Seq(embed_dim=32, hidden_size=64, attention=attention)
        start = time.process_time()
        at.train_seq2seq(model, train, steps, batch_size=BATCH, lr=LR, seed=seed)
        seconds.append(time.process_time() - start)
        results.append([at.sequence_accuracy(at.translate(model, [s for s, _ in group], max_len=max_len),
                                             [t for _, t in group]) for group in groups])
    return np.mean(results, axis=0), float(np.mean(seconds))


def by_length(test):
    """The test pairs in BUCKETS of source length."""
    return [[(s, t) for s, t in test if low <= len(s) < high] for low, high in BUCKETS]


def by_count(test):
    """The test lists by their number of dates, 1..MAX_DATES (an ISO date and its "-" are 11 characters)."""
    return [[(s, t) for s, t in test if (len(t) + 1) // 11 == k] for k in range(1, MAX_DATES + 1)]


def run():
    """Markdown section for ``make bench``."""
    torch.set_num_threads(1)
    at = load_reference()
    train, test = make_date_pairs(4000, seed=0), make_date_pairs(600, seed=1)
    with_attention, cpu_with = curve(at, True, train, STEPS, by_length(test), at.MAX_TARGET_LEN)
    without, cpu_without = curve(at, False, train, STEPS, by_length(test), at.MAX_TARGET_LEN)
    lines = [
        "## a5_attention: the bottleneck curve on written dates",
        "",
        f"Reference Seq2Seq (E=32, H=64), {STEPS} steps of {BATCH} pairs, lr {LR}, seeds {list(SEEDS)}; 600 test "
        f"dates. One training run: {cpu_with:.1f} s of CPU time with attention, {cpu_without:.1f} s without "
        "(one thread).",
        "",
        "| source length | exact, attention | exact, no attention | chars, attention | chars, no attention |",
        "|---|---|---|---|---|",
    ]
    for (low, high), a, b in zip(BUCKETS, with_attention, without):
        lines.append(f"| {low}-{high - 1} | {a[0]:.3f} | {b[0]:.3f} | {a[1]:.3f} | {b[1]:.3f} |")
    return "\n".join(lines) + "\n\n" + run_lists(at)


def run_lists(at):
    """Markdown: the bottleneck curve on sources of 1 to MAX_DATES dates."""
    train, test = make_date_lists(8000, seed=0), make_date_lists(800, seed=1)
    longest = MAX_DATES * at.MAX_TARGET_LEN
    with_attention, cpu_with = curve(at, True, train, LIST_STEPS, by_count(test), longest)
    without, cpu_without = curve(at, False, train, LIST_STEPS, by_count(test), longest)
    lines = [
        f"### The bottleneck curve: sources of 1 to {MAX_DATES} dates",
        "",
        f"The same models, {LIST_STEPS} steps of {BATCH} pairs from 8000 lists, seeds {list(SEEDS)}; 800 test "
        f"lists. One training run: {cpu_with:.1f} s of CPU time with attention, {cpu_without:.1f} s without.",
        "",
        "| dates | exact, attention | exact, no attention | chars, attention | chars, no attention |",
        "|---|---|---|---|---|",
    ]
    for k, a, b in zip(range(1, MAX_DATES + 1), with_attention, without):
        lines.append(f"| {k} | {a[0]:.3f} | {b[0]:.3f} | {a[1]:.3f} | {b[1]:.3f} |")
    return "\n".join(lines) + "\n"
