"""Hidden tests: fit_forecaster and forecast_next, driven one month at a time by the grader.

The forecaster is fitted on the training months only; for every test month t the grader sends
the months before t, takes the forecast, and only then reveals month t (in the next history).
Every RMSE is computed here from the forecasts collected that way, against the seasonal naive
forecast computed here too, so no forecast can use a value it is graded on.

The real airline months are not graded here: all 144 ship with the course, so a forecast could
look them up. The suite forecasts series it draws at grading time instead: one shaped like the
airline data (reference.airline_like) and three of other lengths, levels and seasons
(reference.generated_cases).
"""

import numpy as np
import pytest

from grader.grading.testing import fail, hint_of, once
from grader.suites.a3_airline import checks
from grader.suites.a3_airline import reference as ref
from grader.suites.a3_airline.checks import ASSIGNMENT

pytestmark = pytest.mark.trains  # each check trains the student's forecaster: run after the quick checks

N_TRAIN, N_TEST = 100, 44                  # like the airline split: 100 training months, 44 test months


def airline_like_run(student, secret_seed):
    """Forecasters fitted with seeds 0, 0 again and 1 on the airline-like series, run month by month
    (once per submission; the tests below read the same run).

    For each test month the seed-0 forecaster also forecasts from two changed histories: the newest
    month 10% higher, and the first year 50% higher.
    """
    def run():
        series = ref.airline_like(secret_seed)
        airline = student.module("airline")
        forecasters, failures = checks.fit_all(airline, series, N_TRAIN,
                                               {"seed 0": 0, "seed 0 again": 0, "seed 1": 1})
        forecasts, stopped = checks.one_step(airline, series, N_TRAIN, forecasters, checks.SENSITIVITY_VARIANTS)
        failures.update(stopped)
        return series, forecasts, failures

    return once(student, "airline-like forecasts", run)


@pytest.mark.points(3)
def test_forecast_beats_seasonal_naive_on_an_airline_like_series(student, secret_seed):
    # Calibration (reference, secret seeds 0-99, training seeds 0 and 1: 200 runs): RMSE / seasonal naive
    # RMSE has mean 0.40 and max 0.65; the bar is 1. On the real airline months the reference has 15.3
    # (seeds 0-9) against 42.6. Typical bug (GRU on min-max scaled raw values, mutant
    # forecast_on_scaled_raw_values), secret seeds 0-49: fails for 49 of them (ratio of the worse seed
    # 1.03 to 1.44); for secret seed 43 it gives 0.94 and 0.98, and the generated series below catch it
    # there (1.04, 1.34, 1.62).
    series, forecasts, failures = airline_like_run(student, secret_seed)
    for seed in (0, 1):
        checks.raise_failure(failures, f"seed {seed}")
        checks.check_beats_seasonal_naive(
            forecasts[f"seed {seed}"], series, N_TEST,
            f"One-step forecasts of a series shaped like the airline data (its trend and season, noise drawn at "
            f"grading time; {N_TRAIN} training months, {N_TEST} test months) by fit_forecaster(train, seed={seed})")


@pytest.mark.points(3)
def test_forecast_beats_seasonal_naive_on_generated_series(student, secret_seed):
    # Calibration of the bar (RMSE below the seasonal naive RMSE, i.e. ratio < 1), with the generator in
    # reference.py: reference, seed 0, secret seeds 0-99 (300 series): ratio mean 0.29, max 0.72; the four
    # worst series over training seeds 0-9: max 0.75. Typical bug (GRU on min-max scaled raw values,
    # mutant forecast_on_scaled_raw_values), secret seeds 0-19: fails at least one of the three series
    # for every secret seed (ratio mean 1.28, max 1.95). (Measured with the former forecast(series,
    # n_test, seed); fit_forecaster + forecast_next give the same forecasts to 1e-7.)
    airline = student.module("airline")
    for series, n_test in ref.generated_cases(secret_seed):
        n_train = len(series) - n_test
        forecasters, failures = checks.fit_all(airline, series, n_train, {"seed 0": 0})
        forecasts, stopped = checks.one_step(airline, series, n_train, forecasters)
        failures.update(stopped)
        checks.raise_failure(failures, "seed 0")
        checks.check_beats_seasonal_naive(
            forecasts["seed 0"], series, n_test,
            f"One-step forecasts of a generated series of {len(series)} months ({n_train} training, {n_test} test) "
            "by fit_forecaster(train, seed=0)",
            " The grader generates these series (trend x seasonality x noise) at grading time, so a pipeline "
            "tuned to the 144 airline values does not pass.")


@pytest.mark.points(1)
def test_forecast_is_repeatable_with_its_seed(student, secret_seed):
    _, forecasts, failures = airline_like_run(student, secret_seed)
    checks.raise_failure(failures, "seed 0")
    checks.raise_failure(failures, "seed 0 again")
    first, again = forecasts["seed 0"], forecasts["seed 0 again"]
    if not np.allclose(first, again, rtol=1e-6, atol=1e-6):
        # the forecasts come from networks trained in the worker: the bug is observed, not reproduced.
        fail("fit_forecaster(train, seed=0), called twice", "the two forecasters gave different forecasts of the "
             "same months.", hint_of(ASSIGNMENT, "fit_forecaster_not_seeded"))


@pytest.mark.points(3)
def test_forecast_follows_the_newest_month_and_learns_nothing_at_forecast_time(student, secret_seed):
    # The forecast of month t is a function of the fitted forecaster and of months 0 .. t-1 only, so the
    # former look-ahead check cannot fail any more. What is left to check is that it is the one-step
    # forecast of a model fixed by fit_forecaster. Changed histories, for each of the 44 test months:
    # - the newest month (t-1) 10% higher: the forecast must move, by at least 1% (median over the
    #   months). Reference, secret seeds 0-99, seed 0: median move 2.7% to 7.9% (mean 5.7%; on the real
    #   airline months, seeds 0-9: 4.9% to 5.6%). A window that stops one month early (mutant
    #   window_skips_newest_month): exactly 0. A window in reverse time order (mutant
    #   shuffled_test_order): at most 0.38%.
    # - the first year (months 0-11) 50% higher: the forecast must not move by more than 1% (median).
    #   Reference: exactly 0 (it reads the last 24 months). A scaler fitted again on the history in
    #   forecast_next (mutant scaler_fit_on_all_data): 3.5% to 12%.
    _, forecasts, failures = airline_like_run(student, secret_seed)
    checks.check_sensitivity(forecasts, failures, "forecast_next on the airline-like series (fit_forecaster seed 0)")
