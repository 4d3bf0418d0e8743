"""Hidden tests: train_loop, test_loop, fit and predict, on a small known model.

The model (Flatten, Linear(T, 4), Tanh, Dropout, Linear(4, 1)), the DataLoaders, the loss and the
optimizer are built in the worker from torch's own classes through plain calls, with weights the
grader chose; the grader builds the same objects with its own torch and computes the parameters
and losses the student's loops should give. Whether gradients were enabled during a forward pass
is observed with a grader callback model (checks.ObservedModel).
"""

import numpy as np
import pytest
import torch
from torch import nn

from grader.suites.a3_airline import checks
from grader.suites.a3_airline.checks import TINY_KEYS, TINY_NAMES, as_number
from grader.grading.testing import assert_close, assert_close_or_diagnose

T = 5
RNG = np.random.default_rng(21)
WEIGHTS = checks.tiny_weights(RNG, T)
X = RNG.normal(size=(10, T, 1)).astype(np.float32)        # batches of 4, 4, 2: unequal last batch
Y = RNG.normal(size=(10, 1)).astype(np.float32)
X_VAL = RNG.normal(size=(6, T, 1)).astype(np.float32)
Y_VAL = RNG.normal(size=(6, 1)).astype(np.float32)
BATCH = 4


def reference_pass(model, X, y, optimizer=None, zero_grad=True):
    """One pass as the grader computes it: (mean loss per sample, mean of the batch means)."""
    loss_fn = nn.MSELoss()
    total, means = 0.0, []
    for Xb, yb in checks.local_loader(X, y, BATCH):
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


def reference_train(lr, zero_grad=True):
    model = checks.local_tiny_model(WEIGHTS)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss, batch_mean = reference_pass(model, X, Y, optimizer, zero_grad)
    return checks.parameters_of(model), loss, batch_mean


@pytest.fixture(scope="module")
def trained(student):
    """One student train_loop pass with plain SGD on the tiny model, started in evaluation mode."""
    torch_ = student.module("torch")
    model = checks.remote_tiny_model(student, WEIGHTS)
    model.eval.remote()
    optimizer = torch_.optim.SGD.remote(model.parameters.remote(), lr=0.1)
    loss = student.module("airline").train_loop(checks.remote_loader(student, X, Y, BATCH), model,
                                                torch_.nn.MSELoss.remote(), optimizer, device="cpu")
    return {"loss": loss, "parameters": checks.remote_parameters(model, "after train_loop"),
            "training": model.training.get()}


@pytest.mark.points(3)
def test_train_loop_takes_one_sgd_step_per_batch(trained):
    params, _, _ = reference_train(0.1)
    accumulated, _, _ = reference_train(0.1, zero_grad=False)
    got = trained["parameters"]
    hint = ("For each batch: loss = loss_fn(model(X), y); optimizer.zero_grad(); loss.backward(); "
            "optimizer.step().")
    if all(type(got[k]) is np.ndarray and got[k].shape == accumulated[k].shape
           and np.allclose(got[k], accumulated[k], rtol=1e-5, atol=1e-6) for k in TINY_KEYS):
        hint = ("The gradients of earlier batches were added to later ones: call optimizer.zero_grad() "
                "before loss.backward() in every batch.")
    elif all(type(got[k]) is np.ndarray and got[k].shape == WEIGHTS[k].shape and np.array_equal(got[k], WEIGHTS[k])
             for k in TINY_KEYS):
        hint = "The parameters did not change: call loss.backward() and optimizer.step() for every batch."
    for key in TINY_KEYS:
        assert_close(got[key], params[key], rtol=1e-5, atol=1e-6,
                     what=f"parameter {TINY_NAMES[key]} after one train_loop pass with SGD", hint=hint)


@pytest.mark.points(2)
def test_train_loop_returns_mean_loss_per_sample(trained):
    _, loss, batch_mean = reference_train(0.1)
    got = as_number(trained["loss"], "the value train_loop returns", "return a float: the mean loss per sample.")
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
def tested(student):
    """Student test_loop on the tiny model with dropout 0.5, started in training mode."""
    torch_ = student.module("torch")
    model = checks.remote_tiny_model(student, WEIGHTS, dropout=0.5)
    model.train.remote()
    loss = student.module("airline").test_loop(checks.remote_loader(student, X_VAL, Y_VAL, BATCH), model,
                                               torch_.nn.MSELoss.remote(), device="cpu")
    grads = {key: checks.get_or_none(model.get_parameter.remote(key).grad) for key in TINY_KEYS}
    return {"loss": loss, "parameters": checks.remote_parameters(model, "after test_loop"), "grads": grads}


@pytest.mark.points(2)
def test_test_loop_returns_eval_mode_loss_per_sample(tested):
    model = checks.local_tiny_model(WEIGHTS, dropout=0.5)
    model.eval()
    loss, batch_mean = reference_pass(model, X_VAL, Y_VAL)
    got = as_number(tested["loss"], "the value test_loop returns", "return a float: the mean loss per sample.")
    hint = ("Call model.eval() first (the model here has dropout, which must be off when evaluating), and "
            "weight each batch's loss by its size.")
    if np.isclose(got, batch_mean, rtol=1e-5, atol=1e-7):
        hint = "You returned the mean of the batch means; the last batch here has 2 samples, the others 4."
    assert_close(np.array(got), np.array(loss), rtol=1e-5, atol=1e-7,
                 what="test_loop's returned loss (a model with dropout, batches of 4, 2)", hint=hint)
    for key in TINY_KEYS:
        assert_close(tested["parameters"][key], WEIGHTS[key], rtol=0, atol=0, what="the parameters after test_loop",
                     hint="test_loop must not change the model: no optimizer step.")


@pytest.mark.points(1)
def test_test_loop_builds_no_graph(student, tested):
    assert all(grad is None for grad in tested["grads"].values()), (
        "After test_loop the model's parameters have gradients: test_loop must not call backward.")
    observed = checks.ObservedModel(WEIGHTS)
    student.module("airline").test_loop(checks.remote_loader(student, X_VAL, Y_VAL, BATCH),
                                        student.callback(observed, kind="module"),
                                        student.module("torch").nn.MSELoss.remote(), device="cpu")
    assert observed.contexts, "test_loop never called the model."
    assert not any(c.get("grad_enabled") for c in observed.contexts), (
        "test_loop ran the model with gradients enabled: wrap the loop in `with torch.no_grad():` so no "
        "graph is built (faster, less memory, and nothing can leak into training).")


@pytest.mark.points(3)
def test_fit_trains_with_adam_and_records_history(student):
    epochs, lr = 3, 0.01
    model_remote = checks.remote_tiny_model(student, WEIGHTS)
    history = student.module("airline").fit(model_remote, checks.remote_loader(student, X, Y, BATCH),
                                             checks.remote_loader(student, X_VAL, Y_VAL, BATCH), epochs, lr)
    assert type(history) is dict and {"loss", "val_loss"} <= set(history), (
        "fit should return a dict with the keys 'loss' and 'val_loss'.")
    model = checks.local_tiny_model(WEIGHTS)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    expected = {"loss": [], "val_loss": []}
    for _ in range(epochs):
        model.train()
        expected["loss"].append(reference_pass(model, X, Y, optimizer)[0])
        model.eval()
        expected["val_loss"].append(reference_pass(model, X_VAL, Y_VAL)[0])
    for key in ("loss", "val_loss"):
        values = history[key]
        assert type(values) is list and len(values) == epochs, (
            f"history[{key!r}] should be a list with one number per epoch ({epochs}), got {values!r:.80}.")
        got = np.array([as_number(v, f"history[{key!r}] entries") for v in values])
        hint = ("'loss'[e] is what train_loop returned in epoch e; 'val_loss'[e] is test_loop on val_loader "
                "right after it. Use torch.optim.Adam(model.parameters(), lr=lr) and nn.MSELoss(), created "
                "once before the epochs.")
        assert_close(got, np.array(expected[key]), rtol=1e-4, atol=1e-6, what=f"fit's history[{key!r}]",
                     hint=hint)
    got, want = checks.remote_parameters(model_remote, "after fit"), checks.parameters_of(model)
    for key in TINY_KEYS:
        assert_close(got[key], want[key], rtol=1e-4, atol=1e-6, what=f"parameter {TINY_NAMES[key]} after fit",
                     hint="fit trains with Adam at learning rate lr for `epochs` passes over train_loader.")


@pytest.mark.points(2)
def test_predict_runs_in_eval_mode_without_graph(student):
    airline = student.module("airline")
    model = checks.remote_tiny_model(student, WEIGHTS, dropout=0.5)
    model.train.remote()
    local = checks.local_tiny_model(WEIGHTS, dropout=0.5)
    local.eval()
    with torch.no_grad():
        expected = local(torch.from_numpy(X.copy())).numpy()
    out = airline.predict.remote(model, X)
    kind = out.type_name()
    assert kind == "numpy.ndarray", f"predict should return a numpy array, got {kind}."
    hint = "Return model(X) as a numpy array of shape (N, 1)."
    if model.training.get() is True:
        hint = "predict ran the model in training mode (dropout on): call model.eval() first."
    assert_close_or_diagnose(out.get(), expected, rtol=1e-5, atol=1e-6, what="predict(model, X)", candidates={},
                             hint=hint)
    observed = checks.ObservedModel(WEIGHTS)
    airline.predict(student.callback(observed, kind="module"), X)
    assert observed.contexts, "predict never called the model."
    assert not any(c.get("grad_enabled") for c in observed.contexts), (
        "predict ran the model with gradients enabled: use `with torch.no_grad():` (then .numpy() works).")
