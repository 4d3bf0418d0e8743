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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
    # YOUR CODE HERE
    raise NotImplementedError()


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
