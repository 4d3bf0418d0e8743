"""Hidden tests: make_windows and PassengerDataset."""

import numpy as np
import pytest

from grader.grading.testing import Diagnosis, assert_array, assert_close, case, fail, promised_dtype
from grader.suites.a3_airline import checks
from grader.suites.a3_airline.checks import ASSIGNMENT

SERIES = np.random.default_rng(5).uniform(0.0, 1.0, size=20)
DATASET_RULE = "PassengerDataset's docstring promises float32 tensors whatever the dtype of the series."


def expected_windows(series, window):
    """The right answer: X (N, T, 1) and y (N, 1), float32, with N = L - T."""
    n = len(series) - window
    X = np.stack([series[i:i + window] for i in range(n)])[:, :, None].astype(np.float32)
    y = series[window:, None].astype(np.float32)
    return X, y


def check_windows(airline, series, window, what, tolerance, X_hint, y_hint):
    with case(what):
        result = airline.make_windows(series, window)
        diagnosis = Diagnosis(ASSIGNMENT, "airline.make_windows", (series, window), got=result, **tolerance)
        if type(result) not in (tuple, list) or len(result) != 2:
            fail(what, "should return a pair (X, y).", diagnosis=diagnosis)
        X, y = result
        n = len(series) - window
        hint = (f"N = L - T = {n}: one pair for every window that has a next value (range(L - T)); "
                "no pair is dropped.")
        rule = promised_dtype("make_windows", np.float32)
        assert_array(X, shape=(n, window, 1), dtype=np.float32, what=f"X of {what}", hint=hint, diagnosis=diagnosis,
                     dtype_rule=rule)
        assert_array(y, shape=(n, 1), dtype=np.float32, what=f"y of {what}", hint=hint, diagnosis=diagnosis,
                     dtype_rule=rule)
        X_ok, y_ok = expected_windows(series, window)
        assert_close(X, X_ok, **tolerance, what=f"X of {what}", hint=X_hint, diagnosis=diagnosis)
        assert_close(y, y_ok, **tolerance, what=f"y of {what}", hint=y_hint, diagnosis=diagnosis)


@pytest.mark.points(3)
def test_make_windows_pairs_each_window_with_the_next_value(student):
    airline = student.module("airline")
    for window in (5, 12):
        check_windows(airline, SERIES, window, f"make_windows(series of 20 values, window={window})",
                      dict(rtol=1e-6, atol=1e-7), "X[i, :, 0] should be series[i:i+T].",
                      "y[i, 0] should be series[i + T].")


@pytest.mark.points(1)
def test_make_windows_smallest_and_largest_window(student):
    airline = student.module("airline")
    short = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    for window in (1, 4):
        check_windows(airline, short, window, f"make_windows([3, 1, 4, 1, 5], window={window})",
                      dict(rtol=0, atol=0), "Check the first and last windows by hand.",
                      "Check the first and last windows by hand.")


def dataset_items(airline, series, window):
    """Items 0 and N - 1 of a PassengerDataset of ours (the reference's or a mutant's), as the test reads them."""
    data = airline.PassengerDataset(series, window)
    n = len(series) - window
    return [[data[i][0], data[i][1]] for i in (0, n - 1)]


def dataset_parts(student, series, window):
    """PassengerDataset(series, window) built in the worker; its length, items and first batch read back."""
    data = student.module("airline").PassengerDataset.remote(series, window)
    builtins, getitem = student.module("builtins"), student.module("operator").getitem
    parts = {"is_dataset": checks.is_instance(student, data, "torch.utils.data", "Dataset")}
    parts["length"] = builtins.len(data)
    n = len(series) - window
    parts["items"], parts["item_types"] = [], []
    for i in (0, n - 1):
        item = getitem.remote(data, i)
        size = builtins.len(item)
        assert size == 2, f"dataset[{i}] should be a pair (x, y); it has {size} parts."
        parts["item_types"] += [getitem.remote(item, k).type_name() for k in (0, 1)]
        parts["items"].append([getitem(item, k) for k in (0, 1)])
    loader = student.module("torch.utils.data").DataLoader.remote(data, batch_size=3, shuffle=False)
    parts["batch"] = builtins.next(builtins.iter.remote(loader))
    return parts


@pytest.mark.points(2)
def test_passenger_dataset_items_and_batches(student):
    window = 6
    out = dataset_parts(student, SERIES, window)
    n = len(SERIES) - window
    assert out["is_dataset"], "PassengerDataset should subclass torch.utils.data.Dataset."
    assert out["length"] == n, (f"len(PassengerDataset(series of 20 values, window=6)) is {out['length']}, "
                                f"expected {n} = L - T.")
    assert out["item_types"] == ["torch.Tensor"] * 4, (
        f"dataset[i] should be a pair of torch tensors (x, y); got types {out['item_types']}.")
    X_ok, y_ok = expected_windows(SERIES, window)
    diagnosis = Diagnosis(ASSIGNMENT, "airline", got=out["items"], rtol=1e-6, atol=1e-7, uses=("PassengerDataset",),
                          run=lambda airline: dataset_items(airline, SERIES, window))
    for (x, y), i in zip(out["items"], (0, n - 1)):
        assert_close(x, X_ok[i], rtol=1e-6, atol=1e-7, what=f"x of dataset[{i}]", diagnosis=diagnosis,
                     hint="x should be a float32 tensor of shape (T, 1) holding series[i:i+T].", dtype_rule=DATASET_RULE)
        assert_close(y, y_ok[i], rtol=1e-6, atol=1e-7, what=f"y of dataset[{i}]", diagnosis=diagnosis,
                     hint="y should be a float32 tensor of shape (1,) holding series[i + T].", dtype_rule=DATASET_RULE)
    assert type(out["batch"]) in (tuple, list) and len(out["batch"]) == 2, (
        f"a DataLoader batch should be a pair (X, y), got {type(out['batch']).__name__}.")
    Xb, yb = out["batch"]
    assert_array(Xb, shape=(3, window, 1), dtype=np.float32, what="a DataLoader batch X of 3 items",
                 hint="batches must be (N, T, 1) for a batch-first recurrent layer.", dtype_rule=DATASET_RULE)
    assert_array(yb, shape=(3, 1), dtype=np.float32, what="a DataLoader batch y of 3 items",
                 hint="targets must batch to (N, 1), the shape the model returns.", dtype_rule=DATASET_RULE)
