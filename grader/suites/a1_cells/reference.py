"""Trusted reference outputs for the a1_cells suite: PyTorch's cells and known-wrong variants.

Everything here runs in the grader process on the grader's own data; no student code.
"""

import numpy as np
import torch

GATES = {"rnn": 1, "lstm": 4, "gru": 3}
TORCH_CELLS = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}


def random_case(kind, N, D, H, dtype, seed):
    """Random inputs and weights for one cell; N=None means unbatched. Returns a dict."""
    rng = np.random.default_rng(seed)
    G = GATES[kind]
    lead = () if N is None else (N,)
    case = {
        "x": rng.standard_normal(lead + (D,)),
        "h": rng.standard_normal(lead + (H,)) * 0.5,
        "W_ih": rng.standard_normal((G * H, D)) / np.sqrt(D),
        "W_hh": rng.standard_normal((G * H, H)) / np.sqrt(H),
        "b_ih": rng.standard_normal(G * H) * 0.5,
        "b_hh": rng.standard_normal(G * H) * 0.5,
    }
    if kind == "lstm":
        case["c"] = rng.standard_normal(lead + (H,))
    return {k: v.astype(dtype) for k, v in case.items()}


def arguments(kind, case):
    """The positional arguments of the student's cell function for a case."""
    names = ["x", "h", "c"] if kind == "lstm" else ["x", "h"]
    return [case[n] for n in names + ["W_ih", "W_hh", "b_ih", "b_hh"]]


def torch_step(kind, case, nonlinearity="tanh"):
    """PyTorch's answer for one step, as numpy arrays of the case's dtype."""
    x = case["x"]
    D, H = x.shape[-1], case["h"].shape[-1]
    kwargs = {"nonlinearity": nonlinearity} if kind == "rnn" else {}
    cell = TORCH_CELLS[kind](D, H, **kwargs).to(torch.float64)
    with torch.no_grad():
        for name, key in [("weight_ih", "W_ih"), ("weight_hh", "W_hh"), ("bias_ih", "b_ih"), ("bias_hh", "b_hh")]:
            getattr(cell, name).copy_(torch.from_numpy(case[key].astype(np.float64)))
        x_t = torch.from_numpy(x.astype(np.float64))
        h_t = torch.from_numpy(case["h"].astype(np.float64))
        if kind == "lstm":
            out = cell(x_t, (h_t, torch.from_numpy(case["c"].astype(np.float64))))
            return tuple(o.numpy().astype(x.dtype) for o in out)
        return cell(x_t, h_t).numpy().astype(x.dtype)


def with_blocks(case, order):
    """The case with the gate blocks of every weight and bias reordered."""
    out = dict(case)
    for key in ("W_ih", "W_hh", "b_ih", "b_hh"):
        blocks = np.split(case[key], len(order), axis=0)
        out[key] = np.concatenate([blocks[i] for i in order], axis=0)
    return out


def with_changes(case, **changes):
    out = dict(case)
    out.update(changes)
    return out


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def lstm_without_tanh_on_cell(case):
    """h' = o * c' (tanh of the new cell state forgotten)."""
    a = case["x"] @ case["W_ih"].T + case["b_ih"] + case["h"] @ case["W_hh"].T + case["b_hh"]
    i, f, g, o = np.split(a.astype(np.float64), 4, axis=-1)
    c_next = _sigmoid(f) * case["c"] + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * c_next


def gru_variant(case, reset_before=False, swap_update=False):
    """GRU step with the reset gate applied to h before W_hn, or with z and 1 - z swapped."""
    x, h = case["x"].astype(np.float64), case["h"].astype(np.float64)
    W_ir, W_iz, W_in = np.split(case["W_ih"], 3)
    W_hr, W_hz, W_hn = np.split(case["W_hh"], 3)
    b_ir, b_iz, b_in = np.split(case["b_ih"], 3)
    b_hr, b_hz, b_hn = np.split(case["b_hh"], 3)
    r = _sigmoid(x @ W_ir.T + b_ir + h @ W_hr.T + b_hr)
    z = _sigmoid(x @ W_iz.T + b_iz + h @ W_hz.T + b_hz)
    if reset_before:
        n = np.tanh(x @ W_in.T + b_in + (r * h) @ W_hn.T + b_hn)
    else:
        n = np.tanh(x @ W_in.T + b_in + r * (h @ W_hn.T + b_hn))
    return z * n + (1 - z) * h if swap_update else (1 - z) * n + z * h


# Shapes (N, D, H) every cell is checked on; N=None is an unbatched input.
SHAPES = [(4, 3, 5), (1, 3, 5), (4, 3, 1), (1, 1, 1), (7, 10, 6), (2, 1, 8), (None, 3, 5), (None, 1, 1), (16, 8, 8)]
