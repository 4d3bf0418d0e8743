"""Bench of a2_bptt: the reference BPTT in numpy against torch.nn.RNN / torch.nn.LSTM / torch.nn.GRU.

Forward + backward of one batch at T=50, N=32, D=64, H=128 in float32, both measured in the
same run with torch limited to one thread; the ratio (reference time / torch time) is what
counts, since absolute times depend on the machine.
"""

import importlib.util
import statistics
import time

import numpy as np
import torch

from grader.paths import SOLUTIONS

T, N, D, H = 50, 32, 64, 128
REPEATS = 21


def load_reference():
    """Import solutions/a2_bptt/bptt.py (trusted reference code) as a module."""
    spec = importlib.util.spec_from_file_location("a2_bptt_reference", SOLUTIONS / "a2_bptt" / "bptt.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def median_seconds(steps, repeats=REPEATS):
    """Median wall time of each function in `steps`, run interleaved (a, b, a, b, ...).

    Interleaving makes both medians see the same load on a shared machine, so their ratio is
    stable even when absolute times are not. One warm-up run each.
    """
    for step in steps:
        step()
    times = [[] for _ in steps]
    for _ in range(repeats):
        for step, record in zip(steps, times):
            start = time.perf_counter()
            step()
            record.append(time.perf_counter() - start)
    return [statistics.median(record) for record in times]


def time_pair(kind, bptt, rng):
    """(reference seconds, torch seconds) for forward + backward of one batch."""
    G = {"rnn": 1, "gru": 3, "lstm": 4}[kind]
    f32 = np.float32
    x = rng.standard_normal((N, T, D)).astype(f32)
    h0 = rng.standard_normal((N, H)).astype(f32)
    c0 = rng.standard_normal((N, H)).astype(f32)
    W_ih = (rng.standard_normal((G * H, D)) / np.sqrt(D)).astype(f32)
    W_hh = (rng.standard_normal((G * H, H)) / np.sqrt(H)).astype(f32)
    b_ih, b_hh = np.zeros(G * H, f32), np.zeros(G * H, f32)
    dhs = rng.standard_normal((N, T, H)).astype(f32)

    if kind == "lstm":
        def reference():
            _, cache = bptt.lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh)
            bptt.lstm_backward(dhs, cache)
        module = torch.nn.LSTM(D, H, batch_first=True)
        state = (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None])
    elif kind == "gru":
        def reference():
            _, cache = bptt.gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh)
            bptt.gru_backward(dhs, cache)
        module = torch.nn.GRU(D, H, batch_first=True)
        state = torch.from_numpy(h0)[None]
    else:
        def reference():
            _, cache = bptt.rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh)
            bptt.rnn_backward(dhs, cache)
        module = torch.nn.RNN(D, H, batch_first=True)
        state = torch.from_numpy(h0)[None]
    x_t = torch.from_numpy(x).requires_grad_(True)
    dhs_t = torch.from_numpy(dhs)

    def with_torch():
        module.zero_grad()
        out, _ = module(x_t, state)
        out.backward(dhs_t)

    return median_seconds([reference, with_torch])


def run():
    """Markdown section for `make bench`."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        bptt = load_reference()
        rng = np.random.default_rng(0)
        rows = []
        for kind, name in [("rnn", "nn.RNN (tanh)"), ("lstm", "nn.LSTM"), ("gru", "nn.GRU")]:
            ours, theirs = time_pair(kind, bptt, rng)
            rows.append(f"| {kind}_forward + {kind}_backward | {name} | {1e3 * ours:.2f} | {1e3 * theirs:.2f} "
                        f"| {ours / theirs:.2f} |")
    finally:
        torch.set_num_threads(threads)
    return "\n".join([
        f"## a2_bptt: reference BPTT vs PyTorch (T={T}, N={N}, D={D}, H={H}, float32, forward + backward, "
        f"median of {REPEATS} interleaved runs, torch on 1 thread)",
        "",
        "| reference | torch | reference (ms) | torch (ms) | ratio (reference / torch) |",
        "|---|---|---|---|---|",
        *rows,
    ])


if __name__ == "__main__":
    print(run())
