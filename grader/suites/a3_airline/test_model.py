"""Hidden tests: AirlineRNN (cell choice, batch-first input, output read at the last step)."""

import numpy as np
import pytest

from grader.testing import assert_array, assert_close_or_diagnose

N, T = 4, 7                                   # N != T: a time-first layer shows up
X = np.random.default_rng(11).normal(size=(N, T, 1)).astype(np.float32)
LAYERS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


def structure_message(out):
    return ("AirlineRNN should hold exactly one torch recurrent layer (nn.RNN, nn.LSTM or nn.GRU) and one "
            f"nn.Linear; found recurrent layers {out['recurrent']} and {out['n_linear']} linear layer(s).")


@pytest.mark.points(2)
def test_airline_rnn_builds_the_requested_layer(student, probes):
    for cell, hidden, layers in (("rnn", 3, 1), ("lstm", 5, 2), ("gru", 4, 1)):
        out = student.probe(probes.probe_model, cell, hidden, layers, X, 0)
        what = f"AirlineRNN({cell!r}, hidden_size={hidden}, num_layers={layers})"
        assert out["is_module"], f"{what} should be an nn.Module."
        assert out["recurrent"] == [LAYERS[cell]], (
            f"{what} holds recurrent layers {out['recurrent']}, expected one nn.{LAYERS[cell]}. "
            "Does the constructor pick the layer from the `cell` argument?")
        assert out["n_linear"] == 1, structure_message(out)
        got = (out["hidden_size"], out["num_layers"], out["input_size"])
        assert got == (hidden, layers, 1), (
            f"{what}: the recurrent layer has (hidden_size, num_layers, input_size) = {got}, expected "
            f"{(hidden, layers, 1)}.")
        assert out["batch_first"], (f"{what}: the recurrent layer must be built with batch_first=True, since "
                                    "inputs are (N, T, 1).")
        assert_array(out["out"], shape=(N, 1), dtype=np.float32, what=f"{what} applied to x of shape {X.shape}")


@pytest.mark.points(3)
def test_airline_rnn_reads_the_last_time_step(student, probes):
    for cell in ("rnn", "lstm", "gru"):
        out = student.probe(probes.probe_model, cell, 3, 1, X, 1)
        what = f"AirlineRNN({cell!r}, hidden_size=3) applied to x of shape {X.shape}"
        assert len(out["recurrent"]) == 1 and out["n_linear"] == 1, structure_message(out)
        seq, W, b = out["sequence"], out["W"], out["b"]
        expected = seq[:, -1, :] @ W.T + b
        candidates = {
            "The output is computed from the FIRST time step; use the hidden state at the last step, "
            "outputs[:, -1, :].": seq[:, 0, :] @ W.T + b,
            "The output averages over time steps; use the hidden state at the last step only.":
                seq.mean(axis=1) @ W.T + b,
        }
        assert_close_or_diagnose(out["out"], expected.astype(np.float32), rtol=1e-5, atol=1e-6, what=what,
                                 candidates=candidates,
                                 hint="forward should return linear(outputs[:, -1, :]) of the recurrent layer.")
        assert_close_or_diagnose(out["first_alone"], out["out"][:1], rtol=1e-5, atol=1e-6,
                                 what=f"{what}: output for the first window run alone", candidates={},
                                 hint="Each window's forecast must not depend on the other windows of the batch: "
                                      "is the layer batch-first?")


@pytest.mark.points(1)
def test_airline_rnn_rejects_an_unknown_cell(student, probes):
    raised = student.probe(probes.probe_unknown_cell, "transformer")
    assert raised == "ValueError", (
        f"AirlineRNN('transformer') should raise ValueError; it raised {raised or 'nothing'}.")
