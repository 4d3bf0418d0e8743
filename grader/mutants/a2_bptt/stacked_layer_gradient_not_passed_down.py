"""Stacked RNN: every layer is given the loss gradient dhs instead of the "x" gradient of the layer above it."""
TARGET = "bptt.py"
REPLACE = [
    ("g = rnn_backward(d_out, layer_cache)", "g = rnn_backward(dhs, layer_cache)"),
]
HINT = ('The loss reaches a lower layer only through the layer above it: the dhs of layer l is the "x" gradient '
        "returned by rnn_backward for layer l + 1, not the loss gradient dhs of the last layer.")
