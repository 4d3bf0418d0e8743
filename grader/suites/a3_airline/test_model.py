"""Hidden tests: AirlineRNN (cell choice, batch-first input, output read at the last step).

The model is built in the worker and stays there; the grader reads back its submodules' types,
the recurrent layer's settings and the head's weights, runs the model and its recurrent layer on
inputs it chose, and computes the expected output from those pieces itself.
"""

import numpy as np
import pytest
import torch
from torch import nn

from grader.grading.testing import Diagnosis, assert_array, assert_close, expect_raises, fail
from grader.sandbox import Tensor
from grader.suites.a3_airline import checks
from grader.suites.a3_airline.checks import ASSIGNMENT

N, T = 4, 7                                   # N != T: a time-first layer shows up
X = np.random.default_rng(11).normal(size=(N, T, 1)).astype(np.float32)
LAYERS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
RECURRENT = {f"torch.nn.modules.rnn.{name}": name for name in LAYERS.values()}
LINEAR = "torch.nn.modules.linear.Linear"
FLOAT32_OUT = "A float32 x gives a float32 forecast, the dtype of torch's layers: convert nothing to float64."


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


def layers_of(model):
    """The exact torch recurrent and linear submodules of a model of ours, as ``built`` finds them."""
    kinds = {name: type(module) for name, module in model.named_modules()}
    recurrent = [name for name, kind in kinds.items() if kind in (nn.RNN, nn.LSTM, nn.GRU)]
    linear = [name for name, kind in kinds.items() if kind is nn.Linear]
    return [model.get_submodule(name) for name in recurrent], [model.get_submodule(name) for name in linear]


def settings(rnn):
    """(hidden_size, num_layers, input_size, batch_first) of a recurrent layer (a Remote or one of ours)."""
    if isinstance(rnn, nn.Module):
        return rnn.hidden_size, rnn.num_layers, rnn.input_size, rnn.batch_first
    return rnn.hidden_size.get(), rnn.num_layers.get(), rnn.input_size.get(), rnn.batch_first.get()


def known_structure(cell, hidden, layers):
    """What the build test reads, from an AirlineRNN of ours (the reference's or a mutant's)."""
    def run(airline):
        recurrent, linear = layers_of(airline.AirlineRNN(cell, hidden, layers))
        found = {"recurrent": [type(r).__name__ for r in recurrent], "n_linear": len(linear)}
        if len(recurrent) == 1 and len(linear) == 1:
            found["settings"] = settings(recurrent[0])
        return found
    return run


def known_output(cell, parts, num_layers=1):
    """The output on X of an AirlineRNN of ours (``num_layers`` layers) carrying the student's recurrent and
    linear weights (read from the worker the first time they are needed)."""
    states = []

    def run(airline):
        if not states:
            states.extend([parts["rnn"].state_dict(), parts["head"].state_dict()])
        model = airline.AirlineRNN(cell, 3, num_layers)
        (rnn,), (head,) = layers_of(model)
        for layer, state in zip((rnn, head), states):
            layer.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in state.items()})
        model.eval()
        with torch.no_grad():
            return model(torch.from_numpy(X.copy()))
    return run


def structure_message(parts):
    return ("AirlineRNN should hold exactly one torch recurrent layer (nn.RNN, nn.LSTM or nn.GRU) and one "
            f"nn.Linear; found recurrent layers {parts['recurrent']} and {parts['n_linear']} linear layer(s).")


@pytest.mark.points(2)
def test_airline_rnn_builds_the_requested_layer(student):
    for cell, hidden, layers in (("rnn", 3, 1), ("lstm", 5, 2), ("gru", 4, 1)):
        model, parts = built(student, cell, hidden, layers, 0)
        what = f"AirlineRNN({cell!r}, hidden_size={hidden}, num_layers={layers})"
        if not parts["is_module"]:
            fail(what, "should be an nn.Module.")
        found = {"recurrent": parts["recurrent"], "n_linear": parts["n_linear"]}
        if "rnn" in parts:
            found["settings"] = settings(parts["rnn"])
        diagnosis = Diagnosis(ASSIGNMENT, "airline", run=known_structure(cell, hidden, layers), got=found,
                              uses=("AirlineRNN",))
        if parts["recurrent"] != [LAYERS[cell]]:
            fail(what, f"holds recurrent layers {parts['recurrent']}, expected one nn.{LAYERS[cell]}.",
                 "Does the constructor pick the layer from the `cell` argument?", diagnosis)
        if parts["n_linear"] != 1:
            fail(what, structure_message(parts), diagnosis=diagnosis)
        if found["settings"][:3] != (hidden, layers, 1):
            fail(what, f"the recurrent layer has (hidden_size, num_layers, input_size) = {found['settings'][:3]}, "
                 f"expected {(hidden, layers, 1)}.", diagnosis=diagnosis)
        if found["settings"][3] is not True:
            fail(what, "the recurrent layer must be built with batch_first=True, since inputs are (N, T, 1).",
                 diagnosis=diagnosis)
        model.eval.remote()
        assert_array(model(Tensor(X)), shape=(N, 1), dtype=np.float32, what=f"{what} applied to x of shape {X.shape}",
                     dtype_rule=FLOAT32_OUT)


def check_reads_last_step(student, cell, num_layers, seed, hint):
    """AirlineRNN(cell, 3, num_layers) on X: the head applied to the recurrent layer's outputs at the last step
    (the last layer's, which torch's outputs are), and each window's forecast independent of the batch."""
    model, parts = built(student, cell, 3, num_layers, seed)
    what = f"AirlineRNN({cell!r}, hidden_size=3, num_layers={num_layers}) applied to x of shape {X.shape}"
    assert parts["is_module"], f"AirlineRNN({cell!r}) should be an nn.Module."
    assert len(parts["recurrent"]) == 1 and parts["n_linear"] == 1, structure_message(parts)
    model.eval.remote()
    out = model(Tensor(X))
    first_alone = model(Tensor(X[:1]))
    result = parts["rnn"](Tensor(X))
    assert type(result) is tuple and len(result) == 2, f"the recurrent layer of {what} returned {type(result)}"
    seq, W, b = result[0], parts["head"].weight.get(), parts["head"].bias.get()
    expected = seq[:, -1, :] @ W.T + b
    diagnosis = Diagnosis(ASSIGNMENT, "airline", got=out, rtol=1e-5, atol=1e-6, uses=("AirlineRNN",),
                          run=known_output(cell, parts, num_layers))
    assert_close(out, expected.astype(np.float32), rtol=1e-5, atol=1e-6, what=what, diagnosis=diagnosis, hint=hint,
                 dtype_rule=FLOAT32_OUT)
    assert_close(first_alone, out[:1], rtol=1e-5, atol=1e-6, diagnosis=diagnosis,
                 what=f"{what}: output for the first window run alone",
                 hint="Each window's forecast must not depend on the other windows of the batch: "
                      "is the layer batch-first?")


@pytest.mark.points(3)
def test_airline_rnn_reads_the_last_time_step(student):
    for cell in ("rnn", "lstm", "gru"):
        check_reads_last_step(student, cell, 1, 1, "forward should return linear(outputs[:, -1, :]) of the recurrent "
                                                   "layer.")


@pytest.mark.points(1)
def test_airline_rnn_with_two_layers_reads_the_last_layer(student):
    # the docstring: "the linear layer applied to the hidden state of the last layer at the LAST time step".
    for cell in ("rnn", "lstm", "gru"):
        check_reads_last_step(student, cell, 2, 3, "with num_layers=2, read the LAST layer's state at the last step: "
                                                   "outputs[:, -1, :] of the recurrent layer (or h_n[-1]).")


@pytest.mark.points(1)
def test_airline_rnn_rejects_an_unknown_cell(student):
    expect_raises(ValueError, student.module("airline").AirlineRNN.remote, "transformer",
                  what="AirlineRNN('transformer')",
                  hint="raise ValueError for any cell other than 'rnn', 'lstm' or 'gru'.")
