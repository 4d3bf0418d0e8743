"""Hidden tests: chronological_split and MinMaxScaler (fitted on training data only)."""

import numpy as np
import pytest

from grader.suites.a3_airline.checks import as_number, get_or_none
from grader.grading.testing import assert_close

RNG = np.random.default_rng(3)
SERIES = RNG.uniform(100.0, 600.0, size=144)     # not sorted: a sort or shuffle shows up


@pytest.mark.points(2)
def test_chronological_split_keeps_time_order(student):
    airline = student.module("airline")
    for fraction, n_train in ((0.7, 100), (0.5, 72), (0.8, 115)):
        result = airline.chronological_split(SERIES, fraction)
        what = f"chronological_split(series of 144 values, {fraction})"
        assert type(result) in (tuple, list) and len(result) == 2, f"{what} should return a pair (train, test)."
        hint = (f"train must be the first int({fraction} * 144) = {n_train} values and test the rest, "
                "both in their original order (no shuffling, no sorting).")
        assert_close(result[0], SERIES[:n_train], rtol=0, atol=0, what=f"train of {what}", hint=hint)
        assert_close(result[1], SERIES[n_train:], rtol=0, atol=0, what=f"test of {what}", hint=hint)


TRAIN = RNG.uniform(100.0, 300.0, size=30)
OTHER = RNG.uniform(50.0, 600.0, size=20)        # reaches below and above the training range


@pytest.fixture(scope="module")
def scaler(student):
    """A MinMaxScaler fitted on TRAIN in the worker; what it gives back, in the order it was asked."""
    scaler = student.module("airline").MinMaxScaler.remote()
    fitted = scaler.fit.remote(TRAIN)
    out = {"fit_returns_self": student.module("operator").is_(fitted, scaler) is True}
    scaled_other = scaler.transform(OTHER)
    out["data_min_"] = get_or_none(scaler.data_min_)
    out["data_max_"] = get_or_none(scaler.data_max_)
    out["train"] = scaler.transform(TRAIN)
    out["other"] = scaled_other
    out["round_trip"] = scaler.inverse_transform(scaled_other)
    return out


@pytest.mark.points(2)
def test_scaler_fit_remembers_training_range(scaler):
    assert scaler["fit_returns_self"], "MinMaxScaler.fit should end with `return self`."
    lo = as_number(scaler["data_min_"], "data_min_ after fit(train)", "fit must set self.data_min_.")
    hi = as_number(scaler["data_max_"], "data_max_ after fit(train)", "fit must set self.data_max_.")
    np.testing.assert_allclose([lo, hi], [TRAIN.min(), TRAIN.max()], rtol=1e-12, atol=0,
                               err_msg="data_min_/data_max_ should be the minimum and maximum of the data given to fit.")
    assert_close(scaler["train"], (TRAIN - TRAIN.min()) / (TRAIN.max() - TRAIN.min()), rtol=1e-6, atol=1e-9,
                 what="transform(train) after fit(train)", check_dtype=False,
                 hint="transform computes (x - data_min_) / (data_max_ - data_min_): the training data spans [0, 1].")


@pytest.mark.points(2)
def test_scaler_transform_uses_fitted_range(scaler):
    expected = (OTHER - TRAIN.min()) / (TRAIN.max() - TRAIN.min())
    refitted = (OTHER - OTHER.min()) / (OTHER.max() - OTHER.min())
    hint = ("transform must use the range remembered by fit (the training range): test values outside it "
            "map below 0 or above 1.")
    if type(scaler["other"]) is np.ndarray and scaler["other"].shape == refitted.shape and np.allclose(
            scaler["other"], refitted, rtol=1e-6, atol=1e-9):
        hint = ("transform re-fitted the scaler on the data it was given. That leaks the test range into "
                "the model's inputs; transform must only use data_min_ and data_max_ from fit.")
    assert_close(scaler["other"], expected, rtol=1e-6, atol=1e-9, what="transform(other) after fit(train)",
                 check_dtype=False, hint=hint)


@pytest.mark.points(1)
def test_scaler_inverse_transform_undoes_transform(scaler):
    assert_close(scaler["round_trip"], OTHER, rtol=1e-6, atol=1e-9,
                 what="inverse_transform(transform(other))", check_dtype=False,
                 hint="inverse_transform computes x_scaled * (data_max_ - data_min_) + data_min_.")
