"""Trusted answers for the a2_bptt suite: PyTorch autograd and finite differences.

Everything here runs in the grader process on the grader's own data; no student code. The known
bugs are the mutants (grader/mutants/a2_bptt/), run by ``Diagnosis`` when a check fails.
"""

import numpy as np
import torch

from rnnutils.gradcheck import numeric_gradient

RNN_NAMES = ("x", "h0", "W_ih", "W_hh", "b_ih", "b_hh")
LSTM_NAMES = ("x", "h0", "c0", "W_ih", "W_hh", "b_ih", "b_hh")

GATES = {"rnn": 1, "gru": 3, "lstm": 4}

# (N, T, D, H): the edge cases T = 1, N = 1, H = 1 and a few ordinary shapes.
SHAPES = [(1, 1, 1, 1), (3, 1, 4, 5), (1, 6, 3, 4), (4, 5, 2, 1), (3, 7, 4, 3), (2, 4, 5, 6)]


def random_case(kind, N, T, D, H, seed, scale=1.0):
    """Random float64 inputs, weights and upstream gradient dhs for one sequence model.

    Inputs:
    - kind: "rnn", "gru" or "lstm".
    - N, T, D, H: ints, the shapes.
    - seed: int.
    - scale: float, multiplies the recurrent weights W_hh.

    Returns:
    - case: dict with every argument of rnn_forward / lstm_forward, plus "dhs" (N, T, H).
    """
    rng = np.random.default_rng(seed)
    G = GATES[kind]
    case = {
        "x": rng.standard_normal((N, T, D)),
        "h0": 0.5 * rng.standard_normal((N, H)),
        "W_ih": rng.standard_normal((G * H, D)) / np.sqrt(D),
        "W_hh": scale * rng.standard_normal((G * H, H)) / np.sqrt(H),
        "b_ih": 0.3 * rng.standard_normal(G * H),
        "b_hh": 0.3 * rng.standard_normal(G * H),
        "dhs": rng.standard_normal((N, T, H)),
    }
    if kind == "lstm":
        case["c0"] = rng.standard_normal((N, H))
    return case


def args_of(kind, case):
    """The positional arguments of rnn_forward / gru_forward / lstm_forward for a case, as a list."""
    return [case[name] for name in (LSTM_NAMES if kind == "lstm" else RNN_NAMES)]


def _torch_rnn(p, nonlinearity="tanh", k=None):
    """Tanh/ReLU RNN in torch, step by step, detaching the state every k steps (k=None: never)."""
    h = p["h0"]
    act = torch.tanh if nonlinearity == "tanh" else torch.relu
    outs = []
    for t in range(p["x"].shape[1]):
        if k is not None and t > 0 and t % k == 0:
            h = h.detach()
        h = act(p["x"][:, t] @ p["W_ih"].T + p["b_ih"] + h @ p["W_hh"].T + p["b_hh"])
        outs.append(h)
    return torch.stack(outs, dim=1)


def _torch_lstm(p):
    """LSTM in torch, step by step (gates i, f, g, o); returns hs (N, T, H)."""
    H = p["h0"].shape[1]
    h, c = p["h0"], p["c0"]
    outs = []
    for t in range(p["x"].shape[1]):
        gates = p["x"][:, t] @ p["W_ih"].T + p["b_ih"] + h @ p["W_hh"].T + p["b_hh"]
        i, f, g, o = gates.split(H, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        outs.append(h)
    return torch.stack(outs, dim=1)


def _torch_gru(p):
    """GRU in torch, step by step (gates r, z, n; r multiplies h W_hn^T + b_hn); returns hs (N, T, H)."""
    H = p["h0"].shape[1]
    h = p["h0"]
    outs = []
    for t in range(p["x"].shape[1]):
        x_r, x_z, x_n = (p["x"][:, t] @ p["W_ih"].T + p["b_ih"]).split(H, dim=1)
        h_r, h_z, h_n = (h @ p["W_hh"].T + p["b_hh"]).split(H, dim=1)
        r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
        h = (1 - z) * torch.tanh(x_n + r * h_n) + z * h
        outs.append(h)
    return torch.stack(outs, dim=1)


def _torch_lstm_last_cell(p):
    """The cell state c_T after the last step of the LSTM of _torch_lstm, (N, H)."""
    H = p["h0"].shape[1]
    h, c = p["h0"], p["c0"]
    for t in range(p["x"].shape[1]):
        i, f, g, o = (p["x"][:, t] @ p["W_ih"].T + p["b_ih"] + h @ p["W_hh"].T + p["b_hh"]).split(H, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
    return c


def _torch_module_output(kind, p, nonlinearity):
    """The output of torch.nn.RNN / GRU / LSTM (batch_first) with p's weights copied in."""
    D, H = p["x"].shape[2], p["h0"].shape[1]
    if kind == "lstm":
        module = torch.nn.LSTM(D, H, batch_first=True)
    elif kind == "gru":
        module = torch.nn.GRU(D, H, batch_first=True)
    else:
        module = torch.nn.RNN(D, H, batch_first=True, nonlinearity=nonlinearity)
    module = module.to(torch.float64)
    with torch.no_grad():
        for name, key in [("weight_ih_l0", "W_ih"), ("weight_hh_l0", "W_hh"),
                          ("bias_ih_l0", "b_ih"), ("bias_hh_l0", "b_hh")]:
            getattr(module, name).copy_(p[key])
        state = (p["h0"][None], p["c0"][None]) if kind == "lstm" else p["h0"][None]
        return module(p["x"], state)[0]


def torch_forward_backward(kind, case, nonlinearity="tanh", k=None):
    """Hidden states and all gradients of sum(hs * dhs) (+ sum(c_T * dc_T)), by torch.autograd in float64.

    Inputs:
    - kind: "rnn", "gru" or "lstm"; case: from random_case (its arrays of any float dtype: the
      reference is computed in float64 from them); nonlinearity: RNN only;
      k: RNN only, detach the state every k steps (None: full BPTT).
      An LSTM case with a "dc_T" entry adds sum(c_T * dc_T) to the loss.

    Returns:
    - hs: (N, T, H) numpy; grads: dict name -> numpy gradient (float64).
    """
    names = LSTM_NAMES if kind == "lstm" else RNN_NAMES
    p = {n: torch.tensor(case[n], dtype=torch.float64, requires_grad=True) for n in names}
    hs = {"lstm": _torch_lstm, "gru": _torch_gru}[kind](p) if kind != "rnn" else _torch_rnn(p, nonlinearity, k)
    # our step loop must agree with torch's own module (a suite error otherwise)
    assert torch.allclose(_torch_module_output(kind, p, nonlinearity), hs, rtol=1e-10, atol=1e-12), \
        "suite error: the step loop disagrees with torch.nn"
    loss = (hs * torch.tensor(case["dhs"], dtype=torch.float64)).sum()
    if kind == "lstm" and case.get("dc_T") is not None:
        loss = loss + (_torch_lstm_last_cell(p) * torch.tensor(case["dc_T"], dtype=torch.float64)).sum()
    loss.backward()
    return hs.detach().numpy(), {n: p[n].grad.numpy() for n in names}


LAYER_NAMES = ("W_ih", "W_hh", "b_ih", "b_hh")


def stacked_case(N, T, D, sizes, seed):
    """Random float64 inputs of stacked_rnn_forward, and dhs for the last layer.

    Inputs:
    - N, T, D: ints; sizes: hidden size of each layer, e.g. (4, 4); seed: int.

    Returns:
    - case: dict with "x" (N, T, D), "h0s" (list of (N, H_l)), "layers" (list of dicts of
      W_ih, W_hh, b_ih, b_hh) and "dhs" (N, T, sizes[-1]).
    """
    rng = np.random.default_rng(seed)
    case = {"x": rng.standard_normal((N, T, D)), "h0s": [], "layers": []}
    below = D
    for H in sizes:
        case["h0s"].append(0.5 * rng.standard_normal((N, H)))
        case["layers"].append({"W_ih": rng.standard_normal((H, below)) / np.sqrt(below),
                               "W_hh": rng.standard_normal((H, H)) / np.sqrt(H),
                               "b_ih": 0.3 * rng.standard_normal(H), "b_hh": 0.3 * rng.standard_normal(H)})
        below = H
    case["dhs"] = rng.standard_normal((N, T, sizes[-1]))
    return case


def torch_stacked(case):
    """Top-layer states and every gradient of sum(hs * dhs) for a stack of tanh RNN layers, by autograd.

    When every layer has the same size, the result is also checked against torch.nn.RNN(num_layers=L)
    with the case's weights (a suite error otherwise).

    Returns:
    - hs: (N, T, H) numpy; grads: {"x": array, "h0s": [arrays], "layers": [dicts of arrays]}.
    """
    x = torch.tensor(case["x"], requires_grad=True)
    h0s = [torch.tensor(h0, requires_grad=True) for h0 in case["h0s"]]
    layers = [{n: torch.tensor(layer[n], requires_grad=True) for n in LAYER_NAMES} for layer in case["layers"]]
    hs = x
    for h0, layer in zip(h0s, layers):
        hs = _torch_rnn(dict(layer, x=hs, h0=h0))
    sizes = {h0.shape[1] for h0 in case["h0s"]}
    if len(sizes) == 1:
        module = torch.nn.RNN(case["x"].shape[2], sizes.pop(), num_layers=len(layers), batch_first=True)
        module = module.to(torch.float64)
        with torch.no_grad():
            for index, layer in enumerate(layers):
                for name, key in [("weight_ih", "W_ih"), ("weight_hh", "W_hh"), ("bias_ih", "b_ih"),
                                  ("bias_hh", "b_hh")]:
                    getattr(module, f"{name}_l{index}").copy_(layer[key])
            assert torch.allclose(module(x, torch.stack(h0s))[0], hs, rtol=1e-10, atol=1e-12), \
                "suite error: the stacked step loop disagrees with torch.nn.RNN(num_layers=L)"
    (hs * torch.tensor(case["dhs"])).sum().backward()
    return hs.detach().numpy(), {"x": x.grad.numpy(), "h0s": [h0.grad.numpy() for h0 in h0s],
                                 "layers": [{n: layer[n].grad.numpy() for n in LAYER_NAMES} for layer in layers]}


def numeric_grads(kind, case, nonlinearity="tanh"):
    """Centred finite differences (float64, eps=1e-6) of sum(hs * dhs) for every input."""
    names = LSTM_NAMES if kind == "lstm" else RNN_NAMES

    def forward(**args):
        with torch.no_grad():
            p = {n: torch.from_numpy(args[n]) for n in names}
            return (_torch_lstm(p) if kind == "lstm" else _torch_rnn(p, nonlinearity)).numpy()

    args = {n: case[n] for n in names}
    return {n: numeric_gradient(forward, args, n, upstream=case["dhs"]) for n in names}


# ------------------------------------------------------------------------------------------
# Training tools and the character model, by autograd (used by the suite and the notebook checks).
# ------------------------------------------------------------------------------------------

PARAM_NAMES = ("W_ih", "W_hh", "b_ih", "b_hh", "W_hy", "b_y")
# "hello": vocabulary h, e, l, o; read "hell", predict "ello" (the 'l' -> 'l' / 'l' -> 'o' pair needs memory).
HELLO_VOCAB = "helo"
HELLO_INPUTS = np.array([[0, 1, 2, 2]])
HELLO_TARGETS = np.array([[1, 2, 2, 3]])


def param_shapes(V, H):
    """name -> shape of every parameter of the character model (as char_rnn_init)."""
    return {"W_ih": (H, V), "W_hh": (H, H), "b_ih": (H,), "b_hh": (H,), "W_hy": (V, H), "b_y": (V,)}


def torch_clip(grads, max_norm):
    """torch.nn.utils.clip_grad_norm_ on copies of grads; returns (clipped dict, total norm)."""
    params = []
    for value in grads.values():
        p = torch.nn.Parameter(torch.zeros(np.shape(value), dtype=torch.float64))
        p.grad = torch.tensor(value, dtype=torch.float64)
        params.append(p)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return {name: p.grad.numpy() for name, p in zip(grads, params)}, float(total)


def torch_cross_entropy(logits, targets):
    """(mean cross-entropy, its gradient with respect to logits) of (N, T, V) logits, by autograd."""
    lg = torch.tensor(logits, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(lg.reshape(-1, logits.shape[-1]), torch.tensor(targets).reshape(-1))
    loss.backward()
    return float(loss.detach()), lg.grad.numpy()


def torch_char_rnn(params, inputs, targets, h0):
    """(loss, grads, h_last, logits) of one-hot -> tanh RNN -> linear -> mean cross-entropy, by autograd."""
    p = {n: torch.tensor(v, dtype=torch.float64, requires_grad=True) for n, v in params.items()}
    V = params["W_hy"].shape[0]
    x = torch.nn.functional.one_hot(torch.tensor(inputs), V).to(torch.float64)
    h = torch.tensor(h0)
    outs = []
    for t in range(x.shape[1]):
        h = torch.tanh(x[:, t] @ p["W_ih"].T + p["b_ih"] + h @ p["W_hh"].T + p["b_hh"])
        outs.append(h)
    logits = torch.stack(outs, 1) @ p["W_hy"].T + p["b_y"]
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), torch.tensor(targets).reshape(-1))
    loss.backward()
    return float(loss.detach()), {n: p[n].grad.numpy() for n in p}, h.detach().numpy(), logits.detach().numpy()
