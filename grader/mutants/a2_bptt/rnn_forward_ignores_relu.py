"""rnn_forward always applies tanh, whatever its nonlinearity argument says (the backward pass follows the argument)."""
TARGET = "bptt.py"
REPLACE = [("h = np.tanh(a[:, t]) if nonlinearity == \"tanh\" else np.maximum(a[:, t], 0.0)",
            "h = np.tanh(a[:, t])")]
HINT = ('With nonlinearity="relu" your hidden states are tanh of the pre-activations: apply the nonlinearity '
        'the argument names, np.maximum(a, 0) for "relu", in rnn_forward (and its derivative in rnn_backward).')
