"""Hidden tests: chronological_split and MinMaxScaler (fitted on training data only)."""

import numpy as np
import pytest

from grader.grading.testing import Diagnosis, as_number, assert_close, case, fail, once, promised_dtype
from grader.suites.a3_airline.checks import ASSIGNMENT, get_or_none

RNG = np.random.default_rng(3)
SERIES = RNG.uniform(100.0, 600.0, size=144)     # not sorted: a sort or shuffle shows up


@pytest.mark.points(2)
def test_chronological_split_keeps_time_order(student):
    airline = student.module("airline")
    for fraction, n_train in ((0.7, 100), (0.5, 72), (0.8, 115)):
        what = f"chronological_split(series of 144 values, {fraction})"
        with case(what):
            result = airline.chronological_split(SERIES, fraction)
            diagnosis = Diagnosis(ASSIGNMENT, "airline.chronological_split", (SERIES, fraction), got=result)
            if type(result) not in (tuple, list) or len(result) != 2:
                fail(what, "should return a pair (train, test).", diagnosis=diagnosis)
            hint = (f"train must be the first int({fraction} * 144) = {n_train} values and test the rest, "
                    "both in their original order (no shuffling, no sorting).")
            assert_close(result[0], SERIES[:n_train], rtol=0, atol=0, what=f"train of {what}", hint=hint,
                         diagnosis=diagnosis)
            assert_close(result[1], SERIES[n_train:], rtol=0, atol=0, what=f"test of {what}", hint=hint,
                         diagnosis=diagnosis)


TRAIN = RNG.uniform(100.0, 300.0, size=30)
OTHER = RNG.uniform(50.0, 600.0, size=20)        # reaches below and above the training range


def scaler_run(student):
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


def known_scaler_run(airline):
    """The same calls on a MinMaxScaler of ours (the reference's or a mutant's)."""
    scaler = airline.MinMaxScaler()
    out = {"fit_returns_self": scaler.fit(TRAIN.copy()) is scaler}
    scaled_other = scaler.transform(OTHER.copy())
    out["data_min_"] = getattr(scaler, "data_min_", None)
    out["data_max_"] = getattr(scaler, "data_max_", None)
    out["train"] = scaler.transform(TRAIN.copy())
    out["other"] = scaled_other
    out["round_trip"] = scaler.inverse_transform(scaled_other)
    return out


def scaler(student):
    """The scaler's run (once per submission) and the diagnosis of what it gave back."""
    out = once(student, "scaler", lambda: scaler_run(student))
    return out, Diagnosis(ASSIGNMENT, "airline", run=known_scaler_run, got=out, rtol=1e-6, atol=1e-9,
                          uses=("MinMaxScaler",))


@pytest.mark.points(2)
def test_scaler_fit_remembers_training_range(student):
    out, diagnosis = scaler(student)
    if not out["fit_returns_self"]:
        fail("MinMaxScaler.fit", "it should end with `return self`.", diagnosis=diagnosis)
    lo = as_number(out["data_min_"], "data_min_ after fit(train)", "fit must set self.data_min_.")
    hi = as_number(out["data_max_"], "data_max_ after fit(train)", "fit must set self.data_max_.")
    if not np.allclose([lo, hi], [TRAIN.min(), TRAIN.max()], rtol=1e-12, atol=0):
        fail("data_min_ and data_max_ after fit(train)", f"got {lo!r} and {hi!r}, expected {TRAIN.min()!r} and "
             f"{TRAIN.max()!r}.", "they should be the minimum and maximum of the data given to fit.", diagnosis)
    assert_close(out["train"], (TRAIN - TRAIN.min()) / (TRAIN.max() - TRAIN.min()), rtol=1e-6, atol=1e-9,
                 what="transform(train) after fit(train)", check_dtype=False, diagnosis=diagnosis,
                 hint="transform computes (x - data_min_) / (data_max_ - data_min_): the training data spans [0, 1].")


@pytest.mark.points(2)
def test_scaler_transform_uses_fitted_range(student):
    out, diagnosis = scaler(student)
    expected = (OTHER - TRAIN.min()) / (TRAIN.max() - TRAIN.min())
    assert_close(out["other"], expected, rtol=1e-6, atol=1e-9, what="transform(other) after fit(train)",
                 check_dtype=False, diagnosis=diagnosis,
                 hint="transform must use the range remembered by fit (the training range): test values outside it "
                      "map below 0 or above 1.")


@pytest.mark.points(1)
def test_scaler_inverse_transform_undoes_transform(student):
    out, diagnosis = scaler(student)
    assert_close(out["round_trip"], OTHER, rtol=1e-6, atol=1e-9, what="inverse_transform(transform(other))",
                 check_dtype=False, diagnosis=diagnosis,
                 hint="inverse_transform computes x_scaled * (data_max_ - data_min_) + data_min_.")


# Fitted on a 2-D float32 array, given float32 arrays of another shape: "Returns a float64 array of the same
# shape" (transform and inverse_transform).
GRID = RNG.uniform(100.0, 300.0, size=(3, 4)).astype(np.float32)
BLOCK = RNG.uniform(50.0, 600.0, size=(2, 5)).astype(np.float32)


def known_float32_run(airline):
    """transform and inverse_transform of BLOCK by a MinMaxScaler of ours fitted on GRID."""
    scaler = airline.MinMaxScaler().fit(GRID.copy())
    return [scaler.transform(BLOCK.copy()), scaler.inverse_transform(BLOCK.copy())]


@pytest.mark.points(1)
def test_scaler_returns_float64_of_the_input_shape(student):
    what = "MinMaxScaler().fit(a (3, 4) float32 array), then transform and inverse_transform of a (2, 5) float32 array"
    with case(what):
        scaler = student.module("airline").MinMaxScaler.remote()
        scaler.fit.remote(GRID)
        got = [scaler.transform(BLOCK), scaler.inverse_transform(BLOCK)]
    lo, hi = float(GRID.astype(np.float64).min()), float(GRID.astype(np.float64).max())
    block = BLOCK.astype(np.float64)
    expected = [(block - lo) / (hi - lo), block * (hi - lo) + lo]
    diagnosis = Diagnosis(ASSIGNMENT, "airline", got=got, rtol=1e-9, atol=1e-9, run=known_float32_run,
                          uses=("MinMaxScaler",))
    hint = ("Both return a float64 array of the input's shape: convert first, x = np.asarray(x, dtype=np.float64), "
            "then compute (with the min and max of the whole array the scaler was fitted on).")
    for name, value, right in zip(("transform", "inverse_transform"), got, expected):
        if type(value) is np.ndarray and value.dtype != np.float64:
            fail(f"{name} of a (2, 5) float32 array", f"returned dtype {value.dtype}; it promises float64.", hint,
                 diagnosis)
        assert_close(value, right, rtol=1e-9, atol=1e-9, what=f"{name} of a (2, 5) float32 array", hint=hint,
                     diagnosis=diagnosis, dtype_rule=promised_dtype(name, np.float64))
