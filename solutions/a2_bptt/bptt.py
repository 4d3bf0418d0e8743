"""Backpropagation through time, written by hand in numpy.

Every function works on a whole batch at once (batch_first: arrays are (N, T, ...)).
Weights follow PyTorch's layout, so each result can be checked against ``torch.nn.RNN``,
``torch.nn.LSTM`` and ``torch.nn.GRU`` with copied weights:

- vanilla RNN:  W_ih (H, D), W_hh (H, H), b_ih (H,), b_hh (H,)
- LSTM:         W_ih (4H, D), W_hh (4H, H), b_ih (4H,), b_hh (4H,), gates in the order i, f, g, o
- GRU:          W_ih (3H, D), W_hh (3H, H), b_ih (3H,), b_hh (3H,), gates in the order r, z, n

Letters in shapes: N batch, T time, D input, H hidden, V vocabulary.

Two rules hold for every function of this module:

- dtype: the arrays a function returns have the floating dtype of the arrays it is given
  (float32 in, float32 out; float64 in, float64 out; the inputs of one call share one dtype).
  Never convert to another dtype inside: the grader checks both, with pre-activations as large
  as 1e3, where a careless exp overflows (numpy then warns, or returns NaN).
- initial states: h0 (and c0 for the LSTM) are arrays of shape (N, H) that the caller always
  passes; None is not accepted (unlike torch.nn.RNN): write np.zeros((N, H)) for a zero start.
"""

import numpy as np


def sigmoid(a):
    """Logistic function, computed without overflow for large |a|.

    Inputs:
    - a: array of any shape.

    Returns:
    - array of the same shape, 1 / (1 + exp(-a)).
    """
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # the same function, one stable ufunc


def one_hot(indices, V):
    """Turn integer indices into one-hot vectors.

    Inputs:
    - indices: integer array of shape (N, T), values in 0..V-1.
    - V: int, size of the vocabulary.

    Returns:
    - x: float array of shape (N, T, V) with x[n, t, indices[n, t]] = 1 and zeros elsewhere.
    """
    return np.eye(V)[np.asarray(indices)]


# --------------------------------------------------------------------------------------
# Vanilla RNN
# --------------------------------------------------------------------------------------


def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    """Run a vanilla RNN over a whole sequence.

    Every step computes h_t = f(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), where f is tanh
    (or ReLU), exactly as ``torch.nn.RNN(batch_first=True)``.

    Inputs:
    - x: input sequence, shape (N, T, D).
    - h0: initial hidden state, shape (N, H).
    - W_ih: input-to-hidden weights, shape (H, D).
    - W_hh: hidden-to-hidden weights, shape (H, H).
    - b_ih, b_hh: biases, shape (H,).
    - nonlinearity: "tanh" (default) or "relu".

    Returns a tuple of:
    - hs: hidden state after every step, shape (N, T, H); hs[:, t] is h_{t+1} in the
      lecture's numbering, with h0 the state before the first step.
    - cache: whatever rnn_backward needs (we suggest a dict of arrays).

    Hint: the input projection x_t W_ih^T does not depend on the previous state, so it can
    be computed for all time steps with one matrix product before the loop.
    """
    ### BEGIN SOLUTION
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', not {nonlinearity!r}")
    N, T, _ = x.shape
    H = h0.shape[1]
    x_proj = x @ W_ih.T + b_ih + b_hh  # (N, T, H), everything that does not need h_{t-1}
    a = np.empty((N, T, H), dtype=np.result_type(x, h0, W_ih))
    hs = np.empty_like(a)
    h = h0
    for t in range(T):
        a[:, t] = x_proj[:, t] + h @ W_hh.T
        h = np.tanh(a[:, t]) if nonlinearity == "tanh" else np.maximum(a[:, t], 0.0)
        hs[:, t] = h
    cache = {"x": x, "h0": h0, "W_ih": W_ih, "W_hh": W_hh, "a": a, "hs": hs,
             "nonlinearity": nonlinearity}
    return hs, cache
    ### END SOLUTION


def rnn_backward(dhs, cache):
    """Backpropagation through time for the vanilla RNN of rnn_forward.

    Inputs:
    - dhs: gradient of the loss with respect to every hidden state in hs, shape (N, T, H).
      The loss may depend on every step, not only on the last one.
    - cache: the cache returned by rnn_forward.

    Returns a dict of gradients, each the shape of the matching input of rnn_forward:
    - "x": (N, T, D), "h0": (N, H), "W_ih": (H, D), "W_hh": (H, H), "b_ih": (H,), "b_hh": (H,).

    Hint: walk backwards in time carrying dL/dh_t. At step t the total gradient reaching h_t
    is dhs[:, t] plus what flows back from step t+1. The weights are shared by all steps, so
    their gradients are sums over all steps.
    """
    ### BEGIN SOLUTION
    x, h0, W_ih, W_hh = cache["x"], cache["h0"], cache["W_ih"], cache["W_hh"]
    a, hs = cache["a"], cache["hs"]
    N, T, H = hs.shape
    das = np.empty_like(hs)  # dL/da_t for every step, a_t the pre-activation
    dh_next = np.zeros_like(h0)  # gradient flowing into h_t from step t+1
    for t in reversed(range(T)):
        dh = dhs[:, t] + dh_next
        h = hs[:, t]
        if cache["nonlinearity"] == "tanh":
            das[:, t] = dh * (1.0 - h ** 2)
        else:
            das[:, t] = dh * (a[:, t] > 0)
        dh_next = das[:, t] @ W_hh
    h_prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)  # (N, T, H), h_{t-1}
    das_flat = das.reshape(N * T, H)
    dW_hh = das_flat.T @ h_prev.reshape(N * T, H)
    db = das_flat.sum(axis=0)
    return {"x": das @ W_ih, "h0": dh_next, "W_ih": das_flat.T @ x.reshape(N * T, -1),
            "W_hh": dW_hh, "b_ih": db, "b_hh": db.copy()}
    ### END SOLUTION


def rnn_backward_truncated(dhs, cache, k):
    """Truncated backpropagation through time for the vanilla RNN of rnn_forward.

    Time is split into consecutive chunks of length k (steps 0..k-1, k..2k-1, ...; the last
    chunk may be shorter). Gradient flows backwards inside a chunk but never from one chunk
    into the hidden states of the chunk before: this is what ``h = h.detach()`` every k
    steps does in PyTorch. The forward values are unchanged, only the gradient is cut.

    Inputs:
    - dhs: gradient of the loss with respect to every hidden state, shape (N, T, H).
    - cache: the cache returned by rnn_forward.
    - k: int >= 1, the chunk length. k >= T gives exactly rnn_backward.

    Returns:
    - the same dict as rnn_backward. "h0" receives gradient from the first chunk only.

    Hint: each chunk is a short sequence of its own whose initial state is the last hidden
    state of the chunk before, held constant. You can build a cache for each chunk and
    reuse rnn_backward.
    """
    ### BEGIN SOLUTION
    if int(k) < 1:
        raise ValueError(f"k must be a positive integer, got {k}")
    T = dhs.shape[1]
    hs = cache["hs"]
    grads = None
    dxs = []
    for start in range(0, T, k):
        stop = min(start + k, T)
        h_start = cache["h0"] if start == 0 else hs[:, start - 1]
        chunk = dict(cache, x=cache["x"][:, start:stop], h0=h_start,
                     a=cache["a"][:, start:stop], hs=hs[:, start:stop])
        g = rnn_backward(dhs[:, start:stop], chunk)
        dxs.append(g["x"])
        if grads is None:
            grads = g  # the first chunk's "h0" is the gradient of the real h0
        else:
            for name in ("W_ih", "W_hh", "b_ih", "b_hh"):
                grads[name] = grads[name] + g[name]
    grads["x"] = np.concatenate(dxs, axis=1)
    return grads
    ### END SOLUTION


# --------------------------------------------------------------------------------------
# A stack of RNN layers
# --------------------------------------------------------------------------------------


def stacked_rnn_forward(x, h0s, layers):
    """Run a stack of tanh RNN layers, as ``torch.nn.RNN(num_layers=L, batch_first=True)``.

    Layer 0 reads x; layer l reads the hidden states hs of layer l - 1. Each layer is the RNN
    of rnn_forward with its own weights and initial state. Layers may have different hidden
    sizes H_l (torch.nn.RNN uses one H for all of them).

    Inputs:
    - x: input sequence, shape (N, T, D).
    - h0s: list of L initial states, h0s[l] of shape (N, H_l) (torch's h_0, of shape
      (L, N, H), holds them one after the other).
    - layers: list of L dicts with the keys "W_ih", "W_hh", "b_ih", "b_hh", the weights of
      rnn_forward for each layer: layers[0]["W_ih"] is (H_0, D), layers[l]["W_ih"] is
      (H_l, H_{l-1}) for l >= 1, "W_hh" (H_l, H_l), the biases (H_l,).

    Returns a tuple of:
    - hs: hidden states of the last layer after every step, shape (N, T, H_{L-1}).
    - cache: whatever stacked_rnn_backward needs.

    Hint: call rnn_forward once per layer.
    """
    ### BEGIN SOLUTION
    caches = []
    hs = x
    for h0, layer in zip(h0s, layers):
        hs, layer_cache = rnn_forward(hs, h0, layer["W_ih"], layer["W_hh"], layer["b_ih"], layer["b_hh"])
        caches.append(layer_cache)
    return hs, caches
    ### END SOLUTION


def stacked_rnn_backward(dhs, cache):
    """Backpropagation through time for the stack of stacked_rnn_forward.

    Inputs:
    - dhs: gradient of the loss with respect to every hidden state of the LAST layer, shape
      (N, T, H_{L-1}).
    - cache: the cache returned by stacked_rnn_forward.

    Returns a dict of gradients, in the form of the inputs of stacked_rnn_forward:
    - "x": (N, T, D).
    - "h0s": list of L arrays, "h0s"[l] of shape (N, H_l), the gradient of each layer's h0.
    - "layers": list of L dicts with the keys "W_ih", "W_hh", "b_ih", "b_hh", each the shape
      of the matching weight.

    Hint: go through the layers from the last to the first, with rnn_backward. The loss reaches
    layer l only through the input of layer l + 1, so the dhs of layer l is the "x" gradient of
    layer l + 1.
    """
    ### BEGIN SOLUTION
    L = len(cache)
    dh0s, layer_grads = [None] * L, [None] * L
    d_out = dhs  # gradient reaching the output states of the layer at hand
    for l in reversed(range(L)):
        layer_cache = cache[l]
        g = rnn_backward(d_out, layer_cache)
        d_out = g["x"]
        dh0s[l] = g["h0"]
        layer_grads[l] = {name: g[name] for name in ("W_ih", "W_hh", "b_ih", "b_hh")}
    return {"x": d_out, "h0s": dh0s, "layers": layer_grads}
    ### END SOLUTION


# --------------------------------------------------------------------------------------
# LSTM
# --------------------------------------------------------------------------------------


def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    """Run an LSTM over a whole sequence, as ``torch.nn.LSTM(batch_first=True)``.

    Every step computes the gates [i, f, g, o] = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh,
    then i, f, o = sigmoid(.), g = tanh(.), c_t = f * c_{t-1} + i * g, h_t = o * tanh(c_t).

    Inputs:
    - x: input sequence, shape (N, T, D).
    - h0, c0: initial hidden and cell states, shape (N, H).
    - W_ih: input-to-hidden weights, shape (4H, D), gate blocks in the order i, f, g, o.
    - W_hh: hidden-to-hidden weights, shape (4H, H).
    - b_ih, b_hh: biases, shape (4H,).

    Returns a tuple of:
    - hs: hidden state after every step, shape (N, T, H).
    - cache: whatever lstm_backward needs.
    """
    ### BEGIN SOLUTION
    N, T, _ = x.shape
    H = h0.shape[1]
    x_proj = x @ W_ih.T + b_ih + b_hh  # (N, T, 4H), everything that does not need h_{t-1}
    gates = np.empty(x_proj.shape, dtype=np.result_type(x_proj, h0))  # activated i, f, g, o
    hs = np.empty((N, T, H), dtype=gates.dtype)
    cs = np.empty_like(hs)
    tanh_cs = np.empty_like(hs)
    h, c = h0, c0
    for t in range(T):
        pre = x_proj[:, t] + h @ W_hh.T
        act = gates[:, t]  # a view: filling it fills the cache
        act[:] = sigmoid(pre)  # i, f and o need a sigmoid; the g block is overwritten next
        act[:, 2 * H:3 * H] = np.tanh(pre[:, 2 * H:3 * H])
        i, f, g, o = act[:, :H], act[:, H:2 * H], act[:, 2 * H:3 * H], act[:, 3 * H:]
        c = cs[:, t] = f * c + i * g
        tanh_cs[:, t] = np.tanh(c)
        h = hs[:, t] = o * tanh_cs[:, t]
    cache = {"x": x, "h0": h0, "c0": c0, "W_ih": W_ih, "W_hh": W_hh,
             "gates": gates, "hs": hs, "cs": cs, "tanh_cs": tanh_cs}
    return hs, cache
    ### END SOLUTION


def lstm_backward(dhs, cache, dc_T=None):
    """Backpropagation through time for the LSTM of lstm_forward.

    Inputs:
    - dhs: gradient of the loss with respect to every hidden state in hs, shape (N, T, H).
    - cache: the cache returned by lstm_forward.
    - dc_T: optional gradient of the loss with respect to the last cell state c_T (the c_n of
      ``torch.nn.LSTM``), shape (N, H), for a loss that uses c_T directly (e.g. when (h_T, c_T)
      is handed on to a decoder). None means the loss does not use c_T (a gradient of zeros).

    Returns a dict of gradients, each the shape of the matching input of lstm_forward:
    - "x": (N, T, D), "h0": (N, H), "c0": (N, H), "W_ih": (4H, D), "W_hh": (4H, H),
      "b_ih": (4H,), "b_hh": (4H,).

    Hint: carry two gradients backwards, dL/dh_t and dL/dc_t. The cell state reaches
    c_{t+1} through the forget gate, and reaches h_t through o * tanh(c_t).
    """
    ### BEGIN SOLUTION
    x, h0, c0, W_ih, W_hh = cache["x"], cache["h0"], cache["c0"], cache["W_ih"], cache["W_hh"]
    gates, hs, cs, tanh_cs = cache["gates"], cache["hs"], cache["cs"], cache["tanh_cs"]
    N, T, H = hs.shape
    dpre = np.empty_like(gates)  # dL/d(gate pre-activations), (N, T, 4H)
    dh_next = np.zeros_like(h0)
    dc_next = np.zeros_like(c0) if dc_T is None else dc_T  # what reaches c_t from after step t
    for t in reversed(range(T)):
        act = gates[:, t]
        i, f, g, o = act[:, :H], act[:, H:2 * H], act[:, 2 * H:3 * H], act[:, 3 * H:]
        c_prev = c0 if t == 0 else cs[:, t - 1]
        tanh_c = tanh_cs[:, t]
        dh = dhs[:, t] + dh_next
        dc = dc_next + dh * o * (1.0 - tanh_c ** 2)
        d = dpre[:, t]  # a view: fill the four gate blocks in place
        d[:, :H] = dc * g * i * (1.0 - i)
        d[:, H:2 * H] = dc * c_prev * f * (1.0 - f)
        d[:, 2 * H:3 * H] = dc * i * (1.0 - g ** 2)
        d[:, 3 * H:] = dh * tanh_c * o * (1.0 - o)
        dc_next = dc * f
        dh_next = d @ W_hh
    h_prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    dpre_flat = dpre.reshape(N * T, 4 * H)
    db = dpre_flat.sum(axis=0)
    return {"x": dpre @ W_ih, "h0": dh_next, "c0": dc_next,
            "W_ih": dpre_flat.T @ x.reshape(N * T, -1),
            "W_hh": dpre_flat.T @ h_prev.reshape(N * T, H),
            "b_ih": db, "b_hh": db.copy()}
    ### END SOLUTION


# --------------------------------------------------------------------------------------
# GRU
# --------------------------------------------------------------------------------------


def gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    """Run a GRU over a whole sequence, as ``torch.nn.GRU(batch_first=True)``.

    Every step splits the two projections into blocks in the order r, z, n,
    [x_r, x_z, x_n] = x_t W_ih^T + b_ih and [h_r, h_z, h_n] = h_{t-1} W_hh^T + b_hh, then

        r = sigmoid(x_r + h_r),  z = sigmoid(x_z + h_z),  n = tanh(x_n + r * h_n),
        h_t = (1 - z) * n + z * h_{t-1}.

    The reset gate r multiplies h_n = h_{t-1} W_hn^T + b_hn, the result of the matrix product
    (PyTorch's and cuDNN's GRU), not h_{t-1} before it (the variant of Cho et al., 2014).

    Inputs:
    - x: input sequence, shape (N, T, D).
    - h0: initial hidden state, shape (N, H).
    - W_ih: input-to-hidden weights, shape (3H, D), gate blocks in the order r, z, n.
    - W_hh: hidden-to-hidden weights, shape (3H, H).
    - b_ih, b_hh: biases, shape (3H,).

    Returns a tuple of:
    - hs: hidden state after every step, shape (N, T, H).
    - cache: whatever gru_backward needs.
    """
    ### BEGIN SOLUTION
    N, T, _ = x.shape
    H = h0.shape[1]
    x_proj = x @ W_ih.T + b_ih  # (N, T, 3H): the input side of every gate, for all steps at once
    dtype = np.result_type(x_proj, h0)
    gates = np.empty((N, T, 3 * H), dtype=dtype)  # activated r, z, n
    hns = np.empty((N, T, H), dtype=dtype)  # h_n = h_{t-1} W_hn^T + b_hn, what r multiplies
    hs = np.empty((N, T, H), dtype=dtype)
    h = h0
    for t in range(T):
        h_proj = h @ W_hh.T + b_hh
        act = gates[:, t]  # a view: filling it fills the cache
        act[:, :2 * H] = sigmoid(x_proj[:, t, :2 * H] + h_proj[:, :2 * H])
        r, z = act[:, :H], act[:, H:2 * H]
        hns[:, t] = h_proj[:, 2 * H:]
        act[:, 2 * H:] = np.tanh(x_proj[:, t, 2 * H:] + r * hns[:, t])
        n = act[:, 2 * H:]
        h = hs[:, t] = (1.0 - z) * n + z * h
    cache = {"x": x, "h0": h0, "W_ih": W_ih, "W_hh": W_hh, "gates": gates, "hns": hns, "hs": hs}
    return hs, cache
    ### END SOLUTION


def gru_backward(dhs, cache):
    """Backpropagation through time for the GRU of gru_forward.

    Inputs:
    - dhs: gradient of the loss with respect to every hidden state in hs, shape (N, T, H).
    - cache: the cache returned by gru_forward.

    Returns a dict of gradients, each the shape of the matching input of gru_forward:
    - "x": (N, T, D), "h0": (N, H), "W_ih": (3H, D), "W_hh": (3H, H), "b_ih": (3H,), "b_hh": (3H,).

    Hint: h_{t-1} reaches h_t along four paths: directly through z * h_{t-1}, and through the
    three blocks of h_{t-1} W_hh^T. The input side and the hidden side of the r and z gates get
    the same gradient; for n they differ by the factor r (only h_n is multiplied by r).
    """
    ### BEGIN SOLUTION
    x, h0, W_ih, W_hh = cache["x"], cache["h0"], cache["W_ih"], cache["W_hh"]
    gates, hns, hs = cache["gates"], cache["hns"], cache["hs"]
    N, T, H = hs.shape
    d_in = np.empty_like(gates)  # dL/d(x_t W_ih^T + b_ih), blocks r, z, n
    d_hid = np.empty_like(gates)  # dL/d(h_{t-1} W_hh^T + b_hh), blocks r, z, n
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        act = gates[:, t]
        r, z, n = act[:, :H], act[:, H:2 * H], act[:, 2 * H:]
        h_prev = h0 if t == 0 else hs[:, t - 1]
        dh = dhs[:, t] + dh_next
        dn_pre = dh * (1.0 - z) * (1.0 - n ** 2)
        dz_pre = dh * (h_prev - n) * z * (1.0 - z)
        dr_pre = dn_pre * hns[:, t] * r * (1.0 - r)
        d_in[:, t, :H] = d_hid[:, t, :H] = dr_pre
        d_in[:, t, H:2 * H] = d_hid[:, t, H:2 * H] = dz_pre
        d_in[:, t, 2 * H:] = dn_pre
        d_hid[:, t, 2 * H:] = dn_pre * r
        dh_next = dh * z + d_hid[:, t] @ W_hh
    h_prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    d_in_flat, d_hid_flat = d_in.reshape(N * T, 3 * H), d_hid.reshape(N * T, 3 * H)
    return {"x": d_in @ W_ih, "h0": dh_next, "W_ih": d_in_flat.T @ x.reshape(N * T, -1),
            "W_hh": d_hid_flat.T @ h_prev.reshape(N * T, H),
            "b_ih": d_in_flat.sum(axis=0), "b_hh": d_hid_flat.sum(axis=0)}
    ### END SOLUTION


# --------------------------------------------------------------------------------------
# Training tools
# --------------------------------------------------------------------------------------


def clip_grad_norm(grads, max_norm):
    """Rescale a set of gradients so that their global L2 norm is at most max_norm.

    Same rule as ``torch.nn.utils.clip_grad_norm_``: the total norm is taken over all arrays
    together, sqrt(sum over arrays of sum(g ** 2)); every array is multiplied by
    min(1, max_norm / (total_norm + 1e-6)).

    Inputs:
    - grads: dict name -> gradient array (any shapes).
    - max_norm: float > 0.

    Returns a tuple of:
    - clipped: a NEW dict with the same keys and rescaled arrays; grads is left untouched.
    - total_norm: float, the global norm before clipping.
    """
    ### BEGIN SOLUTION
    total_norm = float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads.values())))
    scale = min(1.0, max_norm / (total_norm + 1e-6))
    clipped = {name: g * scale for name, g in grads.items()}
    return clipped, total_norm
    ### END SOLUTION


def softmax_cross_entropy(logits, targets):
    """Mean cross-entropy of a softmax over the last axis, and its gradient.

    Inputs:
    - logits: scores, shape (N, T, V).
    - targets: integer class of every position, shape (N, T), values in 0..V-1.

    Returns a tuple of:
    - loss: float, the mean of -log softmax(logits)[target] over all N * T positions.
    - dlogits: gradient of loss with respect to logits, shape (N, T, V).

    Must stay finite for logits as large as 1e3 (subtract the maximum first).
    """
    ### BEGIN SOLUTION
    N, T, V = logits.shape
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    targets = np.asarray(targets)
    picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)
    loss = float(-picked.mean())
    dlogits = np.exp(log_probs)
    np.put_along_axis(dlogits, targets[..., None],
                      np.take_along_axis(dlogits, targets[..., None], axis=-1) - 1.0, axis=-1)
    return loss, dlogits / (N * T)
    ### END SOLUTION


def adagrad_step(params, grads, sq_sums, lr=0.1, eps=1e-10):
    """One Adagrad update, as ``torch.optim.Adagrad`` (no weight decay, no lr decay).

    For every parameter p with gradient g and running sum of squares s:
    s <- s + g ** 2;  p <- p - lr * g / (sqrt(s) + eps).

    Inputs:
    - params: dict name -> parameter array.
    - grads: dict with the same keys and shapes, the gradients.
    - sq_sums: dict with the same keys and shapes, the running sums of squared gradients
      (all zeros before the first step).
    - lr: float, learning rate.
    - eps: float, added to the denominator.

    Returns a tuple of NEW dicts (the inputs are left untouched):
    - new_params, new_sq_sums.
    """
    ### BEGIN SOLUTION
    new_sq = {name: sq_sums[name] + grads[name] ** 2 for name in params}
    new_params = {name: params[name] - lr * grads[name] / (np.sqrt(new_sq[name]) + eps)
                  for name in params}
    return new_params, new_sq
    ### END SOLUTION


# --------------------------------------------------------------------------------------
# A character-level model: one-hot -> RNN -> linear -> softmax
# --------------------------------------------------------------------------------------


def char_rnn_init(V, H, rng, scale=0.1):
    """Random parameters for char_rnn_loss.

    Inputs:
    - V: int, vocabulary size.
    - H: int, hidden size.
    - rng: np.random.Generator.
    - scale: float, standard deviation of the weights (biases start at zero).

    Returns:
    - params: dict with "W_ih" (H, V), "W_hh" (H, H), "b_ih" (H,), "b_hh" (H,),
      "W_hy" (V, H), "b_y" (V,), all float64.
    """
    return {"W_ih": scale * rng.standard_normal((H, V)),
            "W_hh": scale * rng.standard_normal((H, H)),
            "b_ih": np.zeros(H), "b_hh": np.zeros(H),
            "W_hy": scale * rng.standard_normal((V, H)),
            "b_y": np.zeros(V)}


def char_rnn_loss(params, inputs, targets, h0):
    """Loss and gradients of a character model: one-hot -> tanh RNN -> linear -> softmax.

    logits_t = h_t W_hy^T + b_y, and the loss is softmax_cross_entropy(logits, targets).

    Inputs:
    - params: dict as returned by char_rnn_init ("W_ih" (H, V), "W_hh" (H, H), "b_ih" (H,),
      "b_hh" (H,), "W_hy" (V, H), "b_y" (V,)).
    - inputs: integer characters fed in, shape (N, T), values in 0..V-1.
    - targets: integer characters to predict at every step, shape (N, T).
    - h0: initial hidden state, shape (N, H).

    Returns a tuple of:
    - loss: float, mean cross-entropy over all N * T positions.
    - grads: dict with the same keys and shapes as params.
    - h_last: the hidden state after the last step, shape (N, H) (to carry into the next
      chunk of a long text).

    Hint: use one_hot, rnn_forward, softmax_cross_entropy and rnn_backward.
    """
    ### BEGIN SOLUTION
    V = params["W_hy"].shape[0]
    N, T = np.shape(inputs)
    H = h0.shape[1]
    x = one_hot(inputs, V)
    hs, cache = rnn_forward(x, h0, params["W_ih"], params["W_hh"], params["b_ih"], params["b_hh"])
    logits = hs @ params["W_hy"].T + params["b_y"]
    loss, dlogits = softmax_cross_entropy(logits, targets)
    grads = rnn_backward(dlogits @ params["W_hy"], cache)
    dlogits_flat = dlogits.reshape(N * T, V)
    grads = {"W_ih": grads["W_ih"], "W_hh": grads["W_hh"], "b_ih": grads["b_ih"],
             "b_hh": grads["b_hh"], "W_hy": dlogits_flat.T @ hs.reshape(N * T, H),
             "b_y": dlogits_flat.sum(axis=0)}
    return loss, grads, hs[:, -1]
    ### END SOLUTION


def char_rnn_predict(params, inputs, h0):
    """Most likely next character after every input character.

    Inputs:
    - params: dict as for char_rnn_loss.
    - inputs: integer characters, shape (N, T).
    - h0: initial hidden state, shape (N, H).

    Returns:
    - predictions: integer array of shape (N, T), the argmax of the logits at every step.
    """
    V = params["W_hy"].shape[0]
    hs, _ = rnn_forward(one_hot(inputs, V), h0, params["W_ih"], params["W_hh"],
                        params["b_ih"], params["b_hh"])
    return np.argmax(hs @ params["W_hy"].T + params["b_y"], axis=-1)
