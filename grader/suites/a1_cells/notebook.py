"""Checks of the a1_cells notebook's autograded cells, run in the grader after each cell.

Each check reads the notebook's answers as plain data and decides with values it computes itself
(see grader/grading/notebook.py); nothing of this file enters the student's notebook.
"""

import torch


def check_parameter_counts(nb, secret_seed):
    """`keras_count` and `torch_count`: the parameters of SimpleRNN(3)+Dense(1) and RNN(1, 3)+Linear(3, 1)."""
    keras_count = nb.notebook("keras_count").get()
    torch_count = nb.notebook("torch_count").get()
    assert type(keras_count) is int and type(torch_count) is int, (
        f"keras_count and torch_count must be plain Python ints, got {type(keras_count).__name__} and "
        f"{type(torch_count).__name__}.")
    model = [torch.nn.RNN(1, 3), torch.nn.Linear(3, 1)]
    expected = sum(p.numel() for layer in model for p in layer.parameters())
    assert torch_count == expected, (
        "torch_count is not the number of parameters of nn.RNN(1, 3) followed by nn.Linear(3, 1): count the "
        "weights and both biases of the recurrent layer (count_parameters), then the linear layer's weights "
        "and bias.")
    assert keras_count == expected - 3, (
        "keras_count is not the number of parameters of Keras's SimpleRNN(3) followed by Dense(1): Keras keeps "
        "one bias vector per recurrent layer, PyTorch two.")


CHECKS = {"test-parameter-counts": check_parameter_counts}
