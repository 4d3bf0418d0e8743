"""Hidden tests: AirlineRNN (cell choice, batch-first input, output read at the last step).

The model is built in the worker and stays there; the grader reads back its submodules' types,
the recurrent layer's settings and the head's weights, runs the model and its recurrent layer on
inputs it chose, and computes the expected output from those pieces itself.
"""

import numpy as np
import pytest

from grader.sandbox import Tensor
from grader.suites.a3_airline import checks
from grader.grading.testing import assert_array, assert_close_or_diagnose, expect_raises

N, T = 4, 7                                   # N != T: a time-first layer shows up
X = np.random.default_rng(11).normal(size=(N, T, 1)).astype(np.float32)
LAYERS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
RECURRENT = {f"torch.nn.modules.rnn.{name}": name for name in LAYERS.values()}
LINEAR = "torch.nn.modules.linear.Linear"


def built(student, cell, hidden_size, num_layers, seed):
    """AirlineRNN(cell, hidden_size, num_layers) built in the worker after torch.manual_seed(seed).

    Returns ``(model, parts)``: the model (a Remote) and a dict with ``is_module``, ``recurrent`` (the
    names of its exact nn.RNN/nn.LSTM/nn.GRU submodules' classes), ``n_linear`` and, when there is
    exactly one of each, ``rnn`` and ``head`` (Remotes of those submodules).
    """
    student.module("torch").manual_seed.remote(seed)
    model = student.module("airline").AirlineRNN.remote(cell, hidden_size, num_layers)
    parts = {"is_module": checks.is_instance(student, model, "torch.nn", "Module")}
    if not parts["is_module"]:
        return model, parts
    builtins = student.module("builtins")
    names = builtins.list(builtins.dict.remote(model.named_modules.remote()))
    kinds = {name: model.get_submodule.remote(name).type_name() for name in names if type(name) is str}
    recurrent = [name for name, kind in kinds.items() if kind in RECURRENT]
    linear = [name for name, kind in kinds.items() if kind == LINEAR]
    parts.update(recurrent=[RECURRENT[kinds[name]] for name in recurrent], n_linear=len(linear))
    if len(recurrent) == 1 and len(linear) == 1:
        parts.update(rnn=model.get_submodule.remote(recurrent[0]), head=model.get_submodule.remote(linear[0]))
    return model, parts


def structure_message(parts):
    return ("AirlineRNN should hold exactly one torch recurrent layer (nn.RNN, nn.LSTM or nn.GRU) and one "
            f"nn.Linear; found recurrent layers {parts['recurrent']} and {parts['n_linear']} linear layer(s).")


@pytest.mark.points(2)
def test_airline_rnn_builds_the_requested_layer(student):
    for cell, hidden, layers in (("rnn", 3, 1), ("lstm", 5, 2), ("gru", 4, 1)):
        model, parts = built(student, cell, hidden, layers, 0)
        what = f"AirlineRNN({cell!r}, hidden_size={hidden}, num_layers={layers})"
        assert parts["is_module"], f"{what} should be an nn.Module."
        assert parts["recurrent"] == [LAYERS[cell]], (
            f"{what} holds recurrent layers {parts['recurrent']}, expected one nn.{LAYERS[cell]}. "
            "Does the constructor pick the layer from the `cell` argument?")
        assert parts["n_linear"] == 1, structure_message(parts)
        rnn = parts["rnn"]
        got = (rnn.hidden_size.get(), rnn.num_layers.get(), rnn.input_size.get())
        assert got == (hidden, layers, 1), (
            f"{what}: the recurrent layer has (hidden_size, num_layers, input_size) = {got}, expected "
            f"{(hidden, layers, 1)}.")
        assert rnn.batch_first.get() is True, (f"{what}: the recurrent layer must be built with batch_first=True, "
                                               "since inputs are (N, T, 1).")
        model.eval.remote()
        assert_array(model(Tensor(X)), shape=(N, 1), dtype=np.float32,
                     what=f"{what} applied to x of shape {X.shape}")


@pytest.mark.points(3)
def test_airline_rnn_reads_the_last_time_step(student):
    for cell in ("rnn", "lstm", "gru"):
        model, parts = built(student, cell, 3, 1, 1)
        what = f"AirlineRNN({cell!r}, hidden_size=3) applied to x of shape {X.shape}"
        assert parts["is_module"], f"AirlineRNN({cell!r}) should be an nn.Module."
        assert len(parts["recurrent"]) == 1 and parts["n_linear"] == 1, structure_message(parts)
        model.eval.remote()
        out = model(Tensor(X))
        first_alone = model(Tensor(X[:1]))
        result = parts["rnn"](Tensor(X))
        assert type(result) is tuple and len(result) == 2, f"the recurrent layer of {what} returned {type(result)}"
        seq, W, b = result[0], parts["head"].weight.get(), parts["head"].bias.get()
        expected = seq[:, -1, :] @ W.T + b
        candidates = {
            "The output is computed from the FIRST time step; use the hidden state at the last step, "
            "outputs[:, -1, :].": seq[:, 0, :] @ W.T + b,
            "The output averages over time steps; use the hidden state at the last step only.":
                seq.mean(axis=1) @ W.T + b,
        }
        assert_close_or_diagnose(out, expected.astype(np.float32), rtol=1e-5, atol=1e-6, what=what,
                                 candidates=candidates,
                                 hint="forward should return linear(outputs[:, -1, :]) of the recurrent layer.")
        assert_close_or_diagnose(first_alone, out[:1], rtol=1e-5, atol=1e-6,
                                 what=f"{what}: output for the first window run alone", candidates={},
                                 hint="Each window's forecast must not depend on the other windows of the batch: "
                                      "is the layer batch-first?")


@pytest.mark.points(1)
def test_airline_rnn_rejects_an_unknown_cell(student):
    expect_raises(ValueError, student.module("airline").AirlineRNN.remote, "transformer",
                  what="AirlineRNN('transformer')",
                  hint="raise ValueError for any cell other than 'rnn', 'lstm' or 'gru'.")
