"""Hidden tests: train_loop, test_loop, fit and predict, on a small known model.

The model (Flatten, Linear(T, 4), Tanh, Dropout, Linear(4, 1)), the DataLoaders, the loss and the
optimizer are built in the worker from torch's own classes through plain calls, with weights the
grader chose; the grader builds the same objects with its own torch and computes the parameters
and losses the student's loops should give. Whether gradients were enabled during a forward pass
is observed with a grader callback model (reference.ObservedModel).
"""

import numpy as np
import pytest
import torch
from torch import nn

from grader.grading.testing import Diagnosis, as_number, assert_close, fail, hint_of, once, student_call
from grader.sandbox import Tensor
from grader.suites.a3_airline import checks
from grader.suites.a3_airline import reference as ref
from grader.suites.a3_airline.checks import ASSIGNMENT

T = 5
RNG = np.random.default_rng(21)
WEIGHTS = ref.tiny_weights(RNG, T)
X = RNG.normal(size=(10, T, 1)).astype(np.float32)        # batches of 4, 4, 2: unequal last batch
Y = RNG.normal(size=(10, 1)).astype(np.float32)
X_VAL = RNG.normal(size=(6, T, 1)).astype(np.float32)
Y_VAL = RNG.normal(size=(6, 1)).astype(np.float32)
BATCH = 4


def reference_pass(model, X, y, optimizer=None):
    """One pass as the grader computes it: the mean loss per sample."""
    loss_fn = nn.MSELoss()
    total = 0.0
    for Xb, yb in ref.local_loader(X, y, BATCH):
        if optimizer is None:
            with torch.no_grad():
                loss = loss_fn(model(Xb), yb)
        else:
            loss = loss_fn(model(Xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        total += loss.item() * len(Xb)
    return total / len(X)


def reference_train(lr):
    model = ref.local_tiny_model(WEIGHTS)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss = reference_pass(model, X, Y, optimizer)
    return ref.parameters_of(model), loss


def train_run(student):
    """One student train_loop pass with plain SGD on the tiny model, started in evaluation mode."""
    torch_ = student.module("torch")
    model = checks.remote_tiny_model(student, WEIGHTS)
    model.eval.remote()
    optimizer = torch_.optim.SGD.remote(model.parameters.remote(), lr=0.1)
    loss = student.module("airline").train_loop(checks.remote_loader(student, X, Y, BATCH), model,
                                                torch_.nn.MSELoss.remote(), optimizer, device="cpu")
    return {"loss": loss, "parameters": checks.remote_parameters(model, "after train_loop"),
            "training": model.training.get()}


def known_train_run(airline):
    """The same pass with a train_loop of ours (the reference's or a mutant's), on the grader's own objects."""
    model = ref.local_tiny_model(WEIGHTS)
    model.eval()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = airline.train_loop(ref.local_loader(X, Y, BATCH), model, nn.MSELoss(), optimizer, device="cpu")
    return {"loss": loss, "parameters": ref.parameters_of(model), "training": model.training}


def trained(student):
    """The train_loop pass (once per submission) and the diagnosis of what it gave back."""
    out = once(student, "train_loop", lambda: train_run(student))
    return out, Diagnosis(ASSIGNMENT, "airline", run=known_train_run, got=out, rtol=1e-5, atol=1e-6,
                          uses=("train_loop",))


@pytest.mark.points(3)
def test_train_loop_takes_one_sgd_step_per_batch(student):
    params, _ = reference_train(0.1)
    out, diagnosis = trained(student)
    for key in ref.TINY_KEYS:
        assert_close(out["parameters"][key], params[key], rtol=1e-5, atol=1e-6, diagnosis=diagnosis,
                     what=f"parameter {ref.TINY_NAMES[key]} after one train_loop pass with SGD",
                     hint="For each batch: loss = loss_fn(model(X), y); optimizer.zero_grad(); loss.backward(); "
                          "optimizer.step().")


@pytest.mark.points(2)
def test_train_loop_returns_mean_loss_per_sample(student):
    _, loss = reference_train(0.1)
    out, diagnosis = trained(student)
    got = as_number(out["loss"], "the value train_loop returns", "return a float: the mean loss per sample.")
    assert_close(np.array(got), np.array(loss), rtol=1e-5, atol=1e-7, diagnosis=diagnosis,
                 what="train_loop's returned loss (batches of 4, 4, 2)",
                 hint="Weight each batch's loss by its size and divide by the number of samples; the last batch here "
                      "has 2 samples, the others 4.")


@pytest.mark.points(1)
def test_train_loop_puts_the_model_in_training_mode(student):
    out, diagnosis = trained(student)
    if out["training"] is not True:
        fail("After train_loop", "the model is still in evaluation mode.",
             "call model.train() at the start, so that dropout (and similar layers) behave as in training.", diagnosis)


def evaluation_run(student):
    """Student test_loop on the tiny model with dropout 0.5, started in training mode."""
    torch_ = student.module("torch")
    model = checks.remote_tiny_model(student, WEIGHTS, dropout=0.5)
    model.train.remote()
    loss = student.module("airline").test_loop(checks.remote_loader(student, X_VAL, Y_VAL, BATCH), model,
                                               torch_.nn.MSELoss.remote(), device="cpu")
    grads = {key: checks.get_or_none(model.get_parameter.remote(key).grad) for key in ref.TINY_KEYS}
    return {"loss": loss, "parameters": checks.remote_parameters(model, "after test_loop"), "grads": grads,
            "training": model.training.get()}


def known_test_run(airline):
    """The same with a test_loop of ours; only when it turns dropout off is the loss reproducible."""
    model = ref.local_tiny_model(WEIGHTS, dropout=0.5)
    model.train()
    loss = airline.test_loop(ref.local_loader(X_VAL, Y_VAL, BATCH), model, nn.MSELoss(), device="cpu")
    grads = {key: None if p.grad is None else p.grad for key, p in model.named_parameters()}
    return {"loss": loss, "parameters": ref.parameters_of(model), "grads": grads, "training": model.training}


def evaluated(student):
    """The test_loop run (once per submission) and the diagnosis of what it gave back."""
    out = once(student, "test_loop", lambda: evaluation_run(student))
    return out, Diagnosis(ASSIGNMENT, "airline", run=known_test_run, got=out, rtol=1e-5, atol=1e-7,
                          uses=("test_loop",))


@pytest.mark.points(2)
def test_test_loop_returns_eval_mode_loss_per_sample(student):
    out, diagnosis = evaluated(student)
    model = ref.local_tiny_model(WEIGHTS, dropout=0.5)
    model.eval()
    loss = reference_pass(model, X_VAL, Y_VAL)
    got = as_number(out["loss"], "the value test_loop returns", "return a float: the mean loss per sample.")
    hint = ("Call model.eval() first (the model here has dropout, which must be off when evaluating), and "
            "weight each batch's loss by its size.")
    if out["training"] is True:   # dropout was on: the loss cannot be reproduced, the mode says why
        hint = hint_of(ASSIGNMENT, "test_loop_without_eval")
    assert_close(np.array(got), np.array(loss), rtol=1e-5, atol=1e-7, diagnosis=diagnosis,
                 what="test_loop's returned loss (a model with dropout, batches of 4, 2)", hint=hint)
    for key in ref.TINY_KEYS:
        assert_close(out["parameters"][key], WEIGHTS[key], rtol=0, atol=0, what="the parameters after test_loop",
                     hint="test_loop must not change the model: no optimizer step.")


@pytest.mark.points(1)
def test_test_loop_builds_no_graph(student):
    out, _ = evaluated(student)
    assert all(grad is None for grad in out["grads"].values()), (
        "After test_loop the model's parameters have gradients: test_loop must not call backward.")
    observed = ref.ObservedModel(WEIGHTS)
    student.module("airline").test_loop(checks.remote_loader(student, X_VAL, Y_VAL, BATCH),
                                        student.callback(observed, kind="module"),
                                        student.module("torch").nn.MSELoss.remote(), device="cpu")
    assert observed.contexts, "test_loop never called the model."
    if any(c.get("grad_enabled") for c in observed.contexts):
        fail("test_loop", "it ran the model with gradients enabled.", hint_of(ASSIGNMENT, "test_loop_builds_graph"))


@pytest.mark.points(3)
def test_fit_trains_with_adam_and_records_history(student):
    epochs, lr = 3, 0.01
    model_remote = checks.remote_tiny_model(student, WEIGHTS)
    history = student.module("airline").fit(model_remote, checks.remote_loader(student, X, Y, BATCH),
                                             checks.remote_loader(student, X_VAL, Y_VAL, BATCH), epochs, lr)
    assert type(history) is dict and {"loss", "val_loss"} <= set(history), (
        "fit should return a dict with the keys 'loss' and 'val_loss'.")
    got_parameters = checks.remote_parameters(model_remote, "after fit")
    diagnosis = Diagnosis(ASSIGNMENT, "airline", run=known_fit(epochs, lr), got=(history, got_parameters), rtol=1e-4,
                          atol=1e-6, uses=("fit",))
    model = ref.local_tiny_model(WEIGHTS)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    expected = {"loss": [], "val_loss": []}
    for _ in range(epochs):
        model.train()
        expected["loss"].append(reference_pass(model, X, Y, optimizer))
        model.eval()
        expected["val_loss"].append(reference_pass(model, X_VAL, Y_VAL))
    for key in ("loss", "val_loss"):
        values = history[key]
        assert type(values) is list and len(values) == epochs, (
            f"history[{key!r}] should be a list with one number per epoch ({epochs}), got {values!r:.80}.")
        got = np.array([as_number(v, f"history[{key!r}] entries") for v in values])
        hint = ("'loss'[e] is what train_loop returned in epoch e; 'val_loss'[e] is test_loop on val_loader "
                "right after it. Use torch.optim.Adam(model.parameters(), lr=lr) and nn.MSELoss(), created "
                "once before the epochs.")
        assert_close(got, np.array(expected[key]), rtol=1e-4, atol=1e-6, what=f"fit's history[{key!r}]",
                     hint=hint, diagnosis=diagnosis)
    want = ref.parameters_of(model)
    for key in ref.TINY_KEYS:
        assert_close(got_parameters[key], want[key], rtol=1e-4, atol=1e-6, diagnosis=diagnosis,
                     what=f"parameter {ref.TINY_NAMES[key]} after fit",
                     hint="fit trains with Adam at learning rate lr for `epochs` passes over train_loader.")


def known_fit(epochs, lr):
    """fit of ours (the reference's or a mutant's) on the grader's own tiny model: (history, parameters)."""
    def run(airline):
        model = ref.local_tiny_model(WEIGHTS)
        history = airline.fit(model, ref.local_loader(X, Y, BATCH), ref.local_loader(X_VAL, Y_VAL, BATCH),
                              epochs, lr)
        return history, ref.parameters_of(model)
    return run


@pytest.mark.points(2)
def test_predict_runs_in_eval_mode_without_graph(student):
    airline = student.module("airline")
    model = checks.remote_tiny_model(student, WEIGHTS, dropout=0.5)
    model.train.remote()
    local = ref.local_tiny_model(WEIGHTS, dropout=0.5)
    local.eval()
    with torch.no_grad():
        expected = local(torch.from_numpy(X.copy())).numpy()
    out = airline.predict.remote(model, X)
    kind = out.type_name()
    assert kind == "numpy.ndarray", f"predict should return a numpy array, got {kind}."
    hint = "Return model(X) as a numpy array of shape (N, 1)."
    if model.training.get() is True:   # dropout was on: the output cannot be reproduced, the mode says why
        hint = hint_of(ASSIGNMENT, "predict_in_train_mode")
    assert_close(out.get(), expected, rtol=1e-5, atol=1e-6, what="predict(model, X)", hint=hint)
    observed = ref.ObservedModel(WEIGHTS)
    airline.predict(student.callback(observed, kind="module"), X)
    assert observed.contexts, "predict never called the model."
    assert not any(c.get("grad_enabled") for c in observed.contexts), (
        "predict ran the model with gradients enabled: use `with torch.no_grad():` (then .numpy() works).")


def known_tensor_prediction(airline):
    """predict of ours (the reference's or a mutant's) on X given as a float32 tensor."""
    return airline.predict(ref.local_tiny_model(WEIGHTS), torch.from_numpy(X.copy()))


def tensor_diagnosis(got):
    """The known bug behind what predict gave for X as a tensor (an array, or ``raised(error)``)."""
    return Diagnosis(ASSIGNMENT, "airline", run=known_tensor_prediction, got=got, rtol=1e-5, atol=1e-6,
                     uses=("predict",))


@pytest.mark.points(1)
def test_predict_accepts_a_tensor(student):
    # the docstring: "X: float32 array or tensor of shape (N, T, 1)".
    what = "predict(model, X) with X a float32 torch tensor of shape (10, 5, 1)"
    model = checks.remote_tiny_model(student, WEIGHTS)
    out = student_call(student.module("airline").predict, model, Tensor(X), what=what, diagnose=tensor_diagnosis)
    local = ref.local_tiny_model(WEIGHTS)
    local.eval()
    with torch.no_grad():
        expected = local(torch.from_numpy(X.copy())).numpy()
    assert_close(out, expected, rtol=1e-5, atol=1e-6, what=what, diagnosis=tensor_diagnosis(out),
                 hint="predict takes a numpy array or a tensor: torch.as_tensor(X, dtype=torch.float32) accepts both.")
