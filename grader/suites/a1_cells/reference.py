"""Trusted expected values for the a1_cells suite: PyTorch's cells with the case's weights copied in.

Everything here runs in the grader process on the grader's own data; no student code. The known
bugs are the mutants (grader/mutants/a1_cells/), run by ``Diagnosis`` when a check fails.
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


def saturated_case(kind, dtype, N=3, D=4, H=5):
    """A case whose pre-activations reach +-1e3: each unit of each gate gets a bias of +-(500 .. 1000)
    (signs alternating), on top of ordinary inputs, states and weights. Returns a dict."""
    case = random_case(kind, N, D, H, np.float64, seed=31)
    units = GATES[kind] * H
    signs = np.where(np.arange(units) % 2 == 0, 1.0, -1.0)
    case["b_ih"] = signs * np.linspace(500.0, 1000.0, units)
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


# Shapes (N, D, H) every cell is checked on; N=None is an unbatched input.
SHAPES = [(4, 3, 5), (1, 3, 5), (4, 3, 1), (1, 1, 1), (7, 10, 6), (2, 1, 8), (None, 3, 5), (None, 1, 1), (16, 8, 8)]
