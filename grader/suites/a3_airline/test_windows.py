"""Hidden tests: make_windows and PassengerDataset."""

import numpy as np
import pytest

from grader.suites.a3_airline import checks
from grader.grading.testing import assert_array, assert_close_or_diagnose

SERIES = np.random.default_rng(5).uniform(0.0, 1.0, size=20)


def expected_windows(series, window):
    """The right answer, and the outputs of the usual off-by-one bugs."""
    n = len(series) - window
    X = np.stack([series[i:i + window] for i in range(n)])[:, :, None].astype(np.float32)
    y = series[window:, None].astype(np.float32)
    wrong_y = {
        "y[i] should be series[i + T], the value right AFTER the window, not its last value.":
            series[window - 1:-1, None].astype(np.float32),
        "y[i] should be series[i + T]; yours is one step further ahead.":
            np.append(series[window + 1:], np.float32(0))[:, None].astype(np.float32),
    }
    wrong_X = {
        "X[i] should be series[i:i+T]; yours is shifted one step later, so the window ends on the value it "
        "should forecast (look-ahead).": np.stack([np.append(series, 0)[i + 1:i + 1 + window]
                                                   for i in range(n)])[:, :, None].astype(np.float32),
    }
    return X, y, wrong_X, wrong_y


@pytest.mark.points(3)
def test_make_windows_pairs_each_window_with_the_next_value(student):
    airline = student.module("airline")
    for window in (5, 12):
        result = airline.make_windows(SERIES, window)
        what = f"make_windows(series of 20 values, window={window})"
        assert type(result) in (tuple, list) and len(result) == 2, f"{what} should return a pair (X, y)."
        X, y = result
        n = len(SERIES) - window
        hint = (f"N = L - T = {n}: one pair for every window that has a next value (range(L - T)); "
                "no pair is dropped.")
        assert_array(X, shape=(n, window, 1), dtype=np.float32, what=f"X of {what}", hint=hint)
        assert_array(y, shape=(n, 1), dtype=np.float32, what=f"y of {what}", hint=hint)
        X_ok, y_ok, wrong_X, wrong_y = expected_windows(SERIES, window)
        assert_close_or_diagnose(X, X_ok, rtol=1e-6, atol=1e-7, what=f"X of {what}", candidates=wrong_X,
                                 hint="X[i, :, 0] should be series[i:i+T].")
        assert_close_or_diagnose(y, y_ok, rtol=1e-6, atol=1e-7, what=f"y of {what}", candidates=wrong_y,
                                 hint="y[i, 0] should be series[i + T].")


@pytest.mark.points(1)
def test_make_windows_smallest_and_largest_window(student):
    airline = student.module("airline")
    short = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    for window in (1, 4):
        X, y = airline.make_windows(short, window)
        X_ok, y_ok, _, _ = expected_windows(short, window)
        what = f"make_windows([3, 1, 4, 1, 5], window={window})"
        assert_close_or_diagnose(X, X_ok, rtol=0, atol=0, what=f"X of {what}", candidates={},
                                 hint="Check the first and last windows by hand.")
        assert_close_or_diagnose(y, y_ok, rtol=0, atol=0, what=f"y of {what}", candidates={},
                                 hint="Check the first and last windows by hand.")


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
    X_ok, y_ok, _, _ = expected_windows(SERIES, window)
    for (x, y), i in zip(out["items"], (0, n - 1)):
        assert_close_or_diagnose(x, X_ok[i], rtol=1e-6, atol=1e-7, what=f"x of dataset[{i}]", candidates={},
                                 hint="x should be a float32 tensor of shape (T, 1) holding series[i:i+T].")
        assert_close_or_diagnose(y, y_ok[i], rtol=1e-6, atol=1e-7, what=f"y of dataset[{i}]", candidates={},
                                 hint="y should be a float32 tensor of shape (1,) holding series[i + T].")
    assert type(out["batch"]) in (tuple, list) and len(out["batch"]) == 2, (
        f"a DataLoader batch should be a pair (X, y), got {type(out['batch']).__name__}.")
    Xb, yb = out["batch"]
    assert_array(Xb, shape=(3, window, 1), dtype=np.float32, what="a DataLoader batch X of 3 items",
                 hint="batches must be (N, T, 1) for a batch-first recurrent layer.")
    assert_array(yb, shape=(3, 1), dtype=np.float32, what="a DataLoader batch y of 3 items",
                 hint="targets must batch to (N, 1), the shape the model returns.")
