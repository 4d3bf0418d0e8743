"""Assignment a1_cells: the vanilla RNN, LSTM and GRU cells, from scratch in numpy.

Every cell follows PyTorch's conventions so that you can check it against
``torch.nn.RNNCell``, ``torch.nn.LSTMCell`` and ``torch.nn.GRUCell`` with copied weights:

- x has shape (N, D) and h, c have shape (N, H); an unbatched x of shape (D,) with h of
  shape (H,) works too and gives results of shape (H,).
- W_ih has shape (G*H, D), W_hh has shape (G*H, H), b_ih and b_hh have shape (G*H,),
  where G is the number of gates stacked in the weights: 1 for the RNN, 4 for the LSTM
  (in the order i, f, g, o) and 3 for the GRU (in the order r, z, n).
- Inputs are never modified: every function returns new arrays.
- The dtype rule, for every function: all array inputs of one call share one floating dtype,
  and every array it returns has that dtype (float32 in, float32 out; float64 in, float64 out).
- There is no default state (no ``h=None``): the caller always passes h (and c), e.g. zeros of
  shape (N, H) at the first time step.
- Results stay finite for pre-activations of any size (+-1e3 and beyond), without a numpy
  RuntimeWarning: use ``np.tanh`` and the stable ``sigmoid`` below, never a formula that takes
  exp of a large positive number.

In each function, replace the ``# YOUR CODE HERE`` line and the ``raise NotImplementedError()``
below it with your code; leave everything else as it is.
"""

import numpy as np


def sigmoid(x):
    """Numerically stable logistic function, 1 / (1 + exp(-x)), elementwise.

    A direct ``1 / (1 + np.exp(-x))`` overflows (and warns) for large negative x.
    Compute exp only of non-positive numbers: for x >= 0 use 1 / (1 + exp(-x)); for
    x < 0 use exp(x) / (1 + exp(x)).

    Inputs:
    - x: array of any shape (a float array; an integer array gives a float64 result).

    Returns:
    - s: array of the same shape as x, values in [0, 1], dtype as in the module's rule.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    """One step of a vanilla (Elman) RNN: h' = f(x W_ih^T + b_ih + h W_hh^T + b_hh).

    Inputs:
    - x: input, shape (N, D) or (D,).
    - h: previous hidden state, shape (N, H) or (H,).
    - W_ih: input-to-hidden weights, shape (H, D).
    - W_hh: hidden-to-hidden weights, shape (H, H).
    - b_ih, b_hh: biases, shape (H,). PyTorch keeps two bias vectors; add both.
    - nonlinearity: "tanh" or "relu". Anything else raises ValueError.

    Returns:
    - h_next: next hidden state, shape of h.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """One step of an LSTM, gates stacked in PyTorch's order i, f, g, o.

    With a = x W_ih^T + b_ih + h W_hh^T + b_hh split into four blocks of H columns:
        i = sigmoid(a_i), f = sigmoid(a_f), g = tanh(a_g), o = sigmoid(a_o)
        c' = f * c + i * g
        h' = o * tanh(c')

    Inputs:
    - x: input, shape (N, D) or (D,).
    - h: previous hidden state, shape (N, H) or (H,).
    - c: previous cell state, shape (N, H) or (H,).
    - W_ih: shape (4H, D); W_hh: shape (4H, H); b_ih, b_hh: shape (4H,).

    Returns a tuple of:
    - h_next: next hidden state, shape of h.
    - c_next: next cell state, shape of c.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    """One step of a GRU, gates stacked in PyTorch's order r, z, n.

    With gi = x W_ih^T + b_ih and gh = h W_hh^T + b_hh, each split into blocks r, z, n:
        r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z)
        n = tanh(gi_n + r * gh_n)         (the reset gate scales W_hn h + b_hn)
        h' = (1 - z) * n + z * h

    Inputs:
    - x: input, shape (N, D) or (D,).
    - h: previous hidden state, shape (N, H) or (H,).
    - W_ih: shape (3H, D); W_hh: shape (3H, H); b_ih, b_hh: shape (3H,).

    Returns:
    - h_next: next hidden state, shape of h.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def count_parameters(cell, input_size, hidden_size):
    """Number of trainable parameters of one PyTorch recurrent cell.

    PyTorch's cells have W_ih (G*H, D), W_hh (G*H, H) and two biases b_ih, b_hh (G*H,).

    Inputs:
    - cell: "rnn", "lstm" or "gru". Anything else raises ValueError.
    - input_size: D, int.
    - hidden_size: H, int.

    Returns:
    - count: int.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
