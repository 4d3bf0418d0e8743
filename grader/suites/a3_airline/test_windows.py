"""Hidden tests: make_windows and PassengerDataset."""

import numpy as np
import pytest

from grader.testing import assert_array, assert_close_or_diagnose

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


@pytest.mark.points(2)
def test_passenger_dataset_items_and_batches(student, probes):
    window = 6
    out = student.probe(probes.probe_dataset, SERIES, window)
    n = len(SERIES) - window
    assert out["is_dataset"], "PassengerDataset should subclass torch.utils.data.Dataset."
    assert out["length"] == n, (f"len(PassengerDataset(series of 20 values, window=6)) is {out['length']}, "
                                f"expected {n} = L - T.")
    assert out["item_types"] == ["Tensor"] * 4, (
        f"dataset[i] should be a pair of torch tensors (x, y); got types {out['item_types']}.")
    X_ok, y_ok, _, _ = expected_windows(SERIES, window)
    for (x, y), i in zip(out["items"], (0, n - 1)):
        assert_close_or_diagnose(x, X_ok[i], rtol=1e-6, atol=1e-7, what=f"x of dataset[{i}]", candidates={},
                                 hint="x should be a float32 tensor of shape (T, 1) holding series[i:i+T].")
        assert_close_or_diagnose(y, y_ok[i], rtol=1e-6, atol=1e-7, what=f"y of dataset[{i}]", candidates={},
                                 hint="y should be a float32 tensor of shape (1,) holding series[i + T].")
    Xb, yb = out["batch"]
    assert_array(Xb, shape=(3, window, 1), dtype=np.float32, what="a DataLoader batch X of 3 items",
                 hint="batches must be (N, T, 1) for a batch-first recurrent layer.")
    assert_array(yb, shape=(3, 1), dtype=np.float32, what="a DataLoader batch y of 3 items",
                 hint="targets must batch to (N, 1), the shape the model returns.")
