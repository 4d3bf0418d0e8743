"""Hidden tests: train_loop, test_loop, fit and predict, on a small known model.

The probes run the student's loops in the worker on a TinyModel (probes.py) with weights the
grader chose; the grader repeats the same computation with its own torch and compares.
"""

import numpy as np
import pytest
import torch
from torch import nn

from grader.testing import assert_close, assert_close_or_diagnose

T = 5
RNG = np.random.default_rng(21)
WEIGHTS = [RNG.normal(0, 0.5, size=(4, T)).astype(np.float32), RNG.normal(0, 0.5, size=4).astype(np.float32),
           RNG.normal(0, 0.5, size=(1, 4)).astype(np.float32), RNG.normal(0, 0.5, size=1).astype(np.float32)]
X = RNG.normal(size=(10, T, 1)).astype(np.float32)        # batches of 4, 4, 2: unequal last batch
Y = RNG.normal(size=(10, 1)).astype(np.float32)
X_VAL = RNG.normal(size=(6, T, 1)).astype(np.float32)
Y_VAL = RNG.normal(size=(6, 1)).astype(np.float32)
BATCH = 4


def reference_pass(probes, model, X, y, optimizer=None, zero_grad=True):
    """One pass as the grader computes it: (mean loss per sample, mean of the batch means)."""
    loss_fn = nn.MSELoss()
    total, means = 0.0, []
    for Xb, yb in probes.loader(X, y, BATCH):
        if optimizer is None:
            with torch.no_grad():
                loss = loss_fn(model(Xb), yb)
        else:
            loss = loss_fn(model(Xb), yb)
            if zero_grad:
                optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        total += loss.item() * len(Xb)
        means.append(loss.item())
    return total / len(X), float(np.mean(means))


def reference_train(probes, lr, zero_grad=True):
    torch.set_num_threads(1)
    model = probes.build_tiny_model(WEIGHTS)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss, batch_mean = reference_pass(probes, model, X, Y, optimizer, zero_grad)
    return probes.parameters_of(model), loss, batch_mean


@pytest.fixture(scope="module")
def trained(student, probes):
    return student.probe(probes.probe_train_loop, WEIGHTS, X, Y, BATCH, 0.1)


@pytest.mark.points(3)
def test_train_loop_takes_one_sgd_step_per_batch(trained, probes):
    params, _, _ = reference_train(probes, 0.1)
    accumulated, _, _ = reference_train(probes, 0.1, zero_grad=False)
    got = trained["parameters"]
    assert type(got) is list and len(got) == 4, "train_loop changed the model's parameter list."
    hint = ("For each batch: loss = loss_fn(model(X), y); optimizer.zero_grad(); loss.backward(); "
            "optimizer.step().")
    if all(type(g) is np.ndarray and g.shape == a.shape and np.allclose(g, a, rtol=1e-5, atol=1e-6)
           for g, a in zip(got, accumulated)):
        hint = ("The gradients of earlier batches were added to later ones: call optimizer.zero_grad() "
                "before loss.backward() in every batch.")
    elif all(type(g) is np.ndarray and g.shape == w.shape and np.array_equal(g, w) for g, w in zip(got, WEIGHTS)):
        hint = "The parameters did not change: call loss.backward() and optimizer.step() for every batch."
    for name, g, p in zip(("W1", "b1", "W2", "b2"), got, params):
        assert_close(g, p, rtol=1e-5, atol=1e-6, what=f"parameter {name} after one train_loop pass with SGD",
                     hint=hint)


@pytest.mark.points(2)
def test_train_loop_returns_mean_loss_per_sample(trained, probes, number):
    _, loss, batch_mean = reference_train(probes, 0.1)
    got = number(trained["loss"], "the value train_loop returns", "return a float: the mean loss per sample.")
    hint = ("Weight each batch's loss by its size and divide by the number of samples; the last batch here "
            "has 2 samples, the others 4.")
    if np.isclose(got, batch_mean, rtol=1e-5, atol=1e-7):
        hint = "You returned the mean of the batch means; with an unequal last batch that is not the mean per sample. " + hint
    assert_close(np.array(got), np.array(loss), rtol=1e-5, atol=1e-7,
                 what="train_loop's returned loss (batches of 4, 4, 2)", hint=hint)


@pytest.mark.points(1)
def test_train_loop_puts_the_model_in_training_mode(trained):
    assert trained["training"] is True, (
        "After train_loop the model is still in evaluation mode: call model.train() at the start, so that "
        "dropout (and similar layers) behave as in training.")


@pytest.fixture(scope="module")
def tested(student, probes):
    return student.probe(probes.probe_test_loop, WEIGHTS, X_VAL, Y_VAL, BATCH)


@pytest.mark.points(2)
def test_test_loop_returns_eval_mode_loss_per_sample(tested, probes, number):
    model = probes.build_tiny_model(WEIGHTS, dropout=0.5)
    model.eval()
    loss, batch_mean = reference_pass(probes, model, X_VAL, Y_VAL)
    got = number(tested["loss"], "the value test_loop returns", "return a float: the mean loss per sample.")
    hint = ("Call model.eval() first (the model here has dropout, which must be off when evaluating), and "
            "weight each batch's loss by its size.")
    if np.isclose(got, batch_mean, rtol=1e-5, atol=1e-7):
        hint = "You returned the mean of the batch means; the last batch here has 2 samples, the others 4."
    assert_close(np.array(got), np.array(loss), rtol=1e-5, atol=1e-7,
                 what="test_loop's returned loss (a model with dropout, batches of 4, 2)", hint=hint)
    for g, w in zip(tested["parameters"], WEIGHTS):
        assert_close(g, w, rtol=0, atol=0, what="the parameters after test_loop",
                     hint="test_loop must not change the model: no optimizer step.")


@pytest.mark.points(1)
def test_test_loop_builds_no_graph(tested):
    assert tested["grad_enabled_in_forward"] is False and tested["grads_none"], (
        "test_loop ran the model with gradients enabled: wrap the loop in `with torch.no_grad():` so no "
        "graph is built (faster, less memory, and nothing can leak into training).")


@pytest.mark.points(3)
def test_fit_trains_with_adam_and_records_history(student, probes, number):
    epochs, lr = 3, 0.01
    out = student.probe(probes.probe_fit, WEIGHTS, X, Y, X_VAL, Y_VAL, BATCH, epochs, lr)
    history = out["history"]
    assert type(history) is dict and {"loss", "val_loss"} <= set(history), (
        "fit should return a dict with the keys 'loss' and 'val_loss'.")
    torch.set_num_threads(1)
    model = probes.build_tiny_model(WEIGHTS)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    expected = {"loss": [], "val_loss": []}
    for _ in range(epochs):
        expected["loss"].append(reference_pass(probes, model, X, Y, optimizer)[0])
        model.eval()
        expected["val_loss"].append(reference_pass(probes, model, X_VAL, Y_VAL)[0])
    for key in ("loss", "val_loss"):
        values = history[key]
        assert type(values) is list and len(values) == epochs, (
            f"history[{key!r}] should be a list with one number per epoch ({epochs}), got {values!r:.80}.")
        got = np.array([number(v, f"history[{key!r}] entries") for v in values])
        hint = ("'loss'[e] is what train_loop returned in epoch e; 'val_loss'[e] is test_loop on val_loader "
                "right after it. Use torch.optim.Adam(model.parameters(), lr=lr) and nn.MSELoss(), created "
                "once before the epochs.")
        assert_close(got, np.array(expected[key]), rtol=1e-4, atol=1e-6, what=f"fit's history[{key!r}]",
                     hint=hint)
    for name, g, p in zip(("W1", "b1", "W2", "b2"), out["parameters"], probes.parameters_of(model)):
        assert_close(g, p, rtol=1e-4, atol=1e-6, what=f"parameter {name} after fit",
                     hint="fit trains with Adam at learning rate lr for `epochs` passes over train_loader.")


@pytest.mark.points(2)
def test_predict_runs_in_eval_mode_without_graph(student, probes):
    out = student.probe(probes.probe_predict, WEIGHTS, X)
    model = probes.build_tiny_model(WEIGHTS, dropout=0.5)
    model.eval()
    with torch.no_grad():
        expected = model(torch.as_tensor(X)).numpy()
    assert out["type"] == "numpy.ndarray", f"predict should return a numpy array, got {out['type']}."
    assert out["training_in_forward"] is False, (
        "predict ran the model in training mode (dropout on): call model.eval() first.")
    assert out["grad_enabled_in_forward"] is False, (
        "predict ran the model with gradients enabled: use `with torch.no_grad():` (then .numpy() works).")
    assert_close_or_diagnose(out["out"], expected, rtol=1e-5, atol=1e-6, what="predict(model, X)", candidates={},
                             hint="Return model(X) as a numpy array of shape (N, 1).")
