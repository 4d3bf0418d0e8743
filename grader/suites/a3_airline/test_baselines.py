"""Hidden tests: rmse, naive_forecast and seasonal_naive_forecast."""

import numpy as np
import pytest

from grader.suites.a3_airline.checks import as_number
from grader.grading.testing import assert_close_or_diagnose

SERIES = np.random.default_rng(8).uniform(100.0, 600.0, size=40)


@pytest.mark.points(1)
def test_rmse_known_values_and_mixed_shapes(student):
    airline = student.module("airline")
    y = np.array([1.0, 2.0, 3.0, 4.0])
    yhat = np.array([[1.0], [2.0], [5.0], [2.0]])          # (N, 1) against (N,): flatten both
    got = as_number(airline.rmse(y, yhat), "rmse([1, 2, 3, 4], [[1], [2], [5], [2]])")
    expected = np.sqrt(8.0 / 4.0)
    hint = "rmse = sqrt(mean((y - yhat) ** 2)) over the N values, after flattening both to shape (N,)."
    if np.isclose(got, 8.0 / 4.0):
        hint = "That is the mean squared error: take its square root."
    elif np.isclose(got, np.sqrt(np.mean((y - yhat) ** 2))):
        hint = ("y of shape (N,) minus yhat of shape (N, 1) broadcasts to (N, N): flatten both "
                "(reshape(-1)) before subtracting.")
    assert np.isclose(got, expected, rtol=1e-12, atol=0), f"rmse returned {got}, expected {expected}.\nHint: {hint}"
    got = as_number(airline.rmse(SERIES, SERIES + 3.0), "rmse(series, series + 3)")
    assert np.isclose(got, 3.0, rtol=1e-9, atol=0), f"rmse(series, series + 3) returned {got}, expected 3.\nHint: {hint}"


@pytest.mark.points(1)
def test_naive_forecast_repeats_last_month(student):
    airline = student.module("airline")
    for n_test in (10, 39):
        got = airline.naive_forecast(SERIES, n_test)
        candidates = {"Forecast j must be the value one month BEFORE month L - n_test + j; yours is the value "
                      "itself (look-ahead).": SERIES[-n_test:],
                      "Forecast j must be series[L - n_test + j - 1]; yours is one more month back.":
                          SERIES[len(SERIES) - n_test - 2:len(SERIES) - 2]}
        assert_close_or_diagnose(got, SERIES[len(SERIES) - n_test - 1:-1], rtol=0, atol=0,
                                 what=f"naive_forecast(series of 40 values, n_test={n_test})",
                                 candidates=candidates, hint="Forecast j is series[L - n_test + j - 1].")


@pytest.mark.points(1)
def test_seasonal_naive_forecast_repeats_same_month_last_period(student):
    airline = student.module("airline")
    for n_test, period in ((10, 12), (28, 12), (20, 4)):
        L = len(SERIES)
        got = airline.seasonal_naive_forecast(SERIES, n_test, period)
        candidates = {"Forecast j must be series[L - n_test + j - period]; yours is one more month back.":
                          SERIES[L - n_test - period - 1:L - period - 1],
                      "Forecast j must be series[L - n_test + j - period]; yours is one month too late.":
                          SERIES[L - n_test - period + 1:L - period + 1]}
        assert_close_or_diagnose(got, SERIES[L - n_test - period:L - period], rtol=0, atol=0,
                                 what=f"seasonal_naive_forecast(series of 40 values, n_test={n_test}, period={period})",
                                 candidates=candidates, hint="Forecast j is series[L - n_test + j - period]; "
                                                             "use the `period` argument, not a fixed 12.")
