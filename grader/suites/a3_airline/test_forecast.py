"""Hidden tests: forecast(series, n_test, seed), scored by the grader from the returned predictions.

The probes only call the student's forecast and send back its predictions; every RMSE below
is computed here, in the grader, against seasonal-naive forecasts computed here too.
"""

import numpy as np
import pytest

from grader.testing import assert_array

N_TEST = 44                 # airline: 70% chronological split, 100 train months, 44 test months
CHANGED_FROM = 144 - N_TEST + 20   # month 120 (1959-01), the 21st test month
PROBE_TIMEOUT = 240.0       # the reference takes about 1 s per forecast on one core


def rmse(y, yhat):
    return float(np.sqrt(np.mean((np.asarray(y, dtype=np.float64) - yhat) ** 2)))


def seasonal_naive_rmse(series, n_test):
    return rmse(series[-n_test:], series[len(series) - n_test - 12:len(series) - 12])


def checked(prediction, n_test, what):
    """The prediction as float64 (n_test,), after checks of its type, shape and values."""
    assert_array(prediction, shape=(n_test,), what=what,
                 hint=f"forecast must return a numpy array of shape (n_test,) = ({n_test},), in passengers.")
    assert prediction.dtype.kind == "f", f"{what}: expected floats, got dtype {prediction.dtype}."
    assert np.all(np.isfinite(prediction)), f"{what} contains NaN or inf: did training diverge?"
    return prediction.astype(np.float64)


SCALE_HINT = ("Look for: predictions left in scaled units (inverse_transform missing), forecasts in the wrong "
              "order (a shuffled test set), or a model that cannot follow the trend (train on seasonal "
              "log-differences, not on scaled raw values).")


@pytest.mark.points(3)
def test_forecast_beats_seasonal_naive_on_airline(student, probes, airline_series):
    # Calibration (reference, seeds 0-9): RMSE mean 15.3, worst 15.8, against 42.6 for seasonal naive.
    # Typical bug (RNN/LSTM/GRU on min-max scaled raw values, 3 seeds each): 58.7 to 87.0, all above the bar.
    for seed in (0, 1):
        [prediction] = student.probe(probes.probe_forecasts, [(airline_series, N_TEST)], seed,
                                     timeout=PROBE_TIMEOUT)
        prediction = checked(prediction, N_TEST, f"forecast(airline, n_test={N_TEST}, seed={seed})")
        score, bar = rmse(airline_series[-N_TEST:], prediction), seasonal_naive_rmse(airline_series, N_TEST)
        assert score < bar, (
            f"forecast(airline, n_test={N_TEST}, seed={seed}) has test RMSE {score:.1f} thousand passengers, "
            f"no better than repeating the same month of last year ({bar:.1f}).\nHint: {SCALE_HINT}")


@pytest.mark.points(3)
def test_forecast_beats_seasonal_naive_on_generated_series(student, probes, generated):
    # Calibration of the bar (RMSE below the seasonal naive RMSE, i.e. ratio < 1), with the generator in
    # conftest.py: reference, seed 0, secret seeds 0-99 (300 series): ratio mean 0.29, max 0.72; the four
    # worst series over training seeds 0-9: max 0.75. Typical bug (GRU on min-max scaled raw values,
    # mutant forecast_on_scaled_raw_values), secret seeds 0-19: fails at least one of the three series
    # for every secret seed (ratio mean 1.28, max 1.95).
    predictions = student.probe(probes.probe_forecasts, generated, 0, timeout=PROBE_TIMEOUT)
    assert type(predictions) is list and len(predictions) == len(generated)
    for (series, n_test), prediction in zip(generated, predictions):
        what = f"forecast(generated series of {len(series)} months, n_test={n_test}, seed=0)"
        prediction = checked(prediction, n_test, what)
        score, bar = rmse(series[-n_test:], prediction), seasonal_naive_rmse(series, n_test)
        assert score < bar, (
            f"{what} has test RMSE {score:.1f}, no better than the seasonal naive forecast ({bar:.1f}). The "
            "grader generates these series (trend x seasonality x noise) at grading time, so a pipeline tuned "
            f"to the 144 airline values does not pass.\nHint: {SCALE_HINT}")


@pytest.fixture(scope="module")
def look_ahead(student, probes, airline_series):
    """Forecasts of the airline series twice, and once with every value from month CHANGED_FROM on x1.5."""
    changed = airline_series.copy()
    changed[CHANGED_FROM:] *= 1.5
    cases = [(airline_series, N_TEST), (airline_series, N_TEST), (changed, N_TEST)]
    results = student.probe(probes.probe_forecasts, cases, 0, timeout=PROBE_TIMEOUT)
    return [checked(p, N_TEST, f"forecast(series, n_test={N_TEST}, seed=0)") for p in results]



@pytest.mark.points(1)
def test_forecast_is_repeatable_with_its_seed(look_ahead):
    first, again, _ = look_ahead
    assert np.allclose(first, again, rtol=1e-6, atol=1e-6), (
        "Two calls of forecast(series, n_test, seed=0) gave different forecasts: call torch.manual_seed(seed) "
        "at the start of forecast, before building the model (and seed numpy too if you use its random "
        "numbers).")


@pytest.mark.points(3)
def test_forecast_never_looks_ahead(look_ahead):
    first, again, changed = look_ahead
    assert np.allclose(first, again, rtol=1e-6, atol=1e-6), (
        "forecast is not repeatable with a fixed seed, so look-ahead cannot be checked: call "
        "torch.manual_seed(seed) at the start of forecast.")
    k = CHANGED_FROM - (144 - N_TEST)          # forecasts 0..k are for months before the change or the month itself
    moved = np.flatnonzero(~np.isclose(first[:k + 1], changed[:k + 1], rtol=1e-6, atol=1e-6))
    assert moved.size == 0, (
        f"Multiplying the values from test month {k} on by 1.5 changed your forecasts for test months "
        f"{moved.tolist()}, which come before the change (or at it). A forecast for month t may only use values "
        "before t. Look for: a scaler (or any statistic) fitted on the whole series instead of the training "
        "part, windows that include the month being forecast, test windows in shuffled order (shuffle=True "
        "in the test DataLoader), or a model trained on test months.")
