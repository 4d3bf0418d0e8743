"""Hidden tests: rmse, naive_forecast and seasonal_naive_forecast."""

import numpy as np
import pytest

from grader.grading.testing import Diagnosis, as_number, assert_close, case, fail
from grader.suites.a3_airline.checks import ASSIGNMENT

SERIES = np.random.default_rng(8).uniform(100.0, 600.0, size=40)
RMSE_HINT = "rmse = sqrt(mean((y - yhat) ** 2)) over the N values, after flattening both to shape (N,)."


def check_rmse(airline, y, yhat, expected, what):
    with case(what):
        raw = airline.rmse(y, yhat)
    diagnosis = Diagnosis(ASSIGNMENT, "airline.rmse", (y, yhat), got=raw, rtol=1e-9)
    got = as_number(raw, what)
    if not np.isclose(got, expected, rtol=1e-9, atol=0):
        fail(what, f"returned {got}, expected {expected}.", RMSE_HINT, diagnosis)


@pytest.mark.points(1)
def test_rmse_known_values_and_mixed_shapes(student):
    airline = student.module("airline")
    y = np.array([1.0, 2.0, 3.0, 4.0])
    yhat = np.array([[1.0], [2.0], [5.0], [2.0]])          # (N, 1) against (N,): flatten both
    check_rmse(airline, y, yhat, np.sqrt(8.0 / 4.0), "rmse([1, 2, 3, 4], [[1], [2], [5], [2]])")
    check_rmse(airline, SERIES, SERIES + 3.0, 3.0, "rmse(series, series + 3)")


@pytest.mark.points(1)
def test_naive_forecast_repeats_last_month(student):
    airline = student.module("airline")
    for n_test in (10, 39):
        with case(f"naive_forecast(series of 40 values, n_test={n_test})"):
            got = airline.naive_forecast(SERIES, n_test)
        assert_close(got, SERIES[len(SERIES) - n_test - 1:-1], rtol=0, atol=0,
                     what=f"naive_forecast(series of 40 values, n_test={n_test})",
                     hint="Forecast j is series[L - n_test + j - 1].",
                     diagnosis=Diagnosis(ASSIGNMENT, "airline.naive_forecast", (SERIES, n_test), got=got))


@pytest.mark.points(1)
def test_seasonal_naive_forecast_repeats_same_month_last_period(student):
    airline = student.module("airline")
    for n_test, period in ((10, 12), (28, 12), (20, 4)):
        L = len(SERIES)
        with case(f"seasonal_naive_forecast(series of 40 values, n_test={n_test}, period={period})"):
            got = airline.seasonal_naive_forecast(SERIES, n_test, period)
        assert_close(got, SERIES[L - n_test - period:L - period], rtol=0, atol=0,
                     what=f"seasonal_naive_forecast(series of 40 values, n_test={n_test}, period={period})",
                     hint="Forecast j is series[L - n_test + j - period]; use the `period` argument, not a fixed 12.",
                     diagnosis=Diagnosis(ASSIGNMENT, "airline.seasonal_naive_forecast", (SERIES, n_test, period),
                                         got=got))
