"""Bench of a3_airline: the reference forecaster against the classical baselines, in one run.

Airline passengers, 70% chronological split (100 training months, 44 one-step forecasts). The
reference runs for 10 seeds with torch limited to one thread, the way the grader drives it:
`fit_forecaster` on the training months, then `forecast_next` once per test month with the months
before it. Naive, seasonal naive and SARIMA(0,1,1)(0,1,1)12 on log passengers (fitted on the
training months, then run over the test months with its parameters fixed) are measured in the same
run. Targets for the reference: mean RMSE <= 22, every seed < 30, <= 2 s CPU per seed (one fit and
44 forecasts).
"""

import importlib.util
import time
import warnings

import numpy as np
import torch

from grader.paths import SOLUTIONS
from rnnutils.airline import load_airline

N_TEST = 44
SEEDS = range(10)
TARGET_MEAN, TARGET_WORST, TARGET_CPU = 22.0, 30.0, 2.0


def load_reference():
    """Import solutions/a3_airline/airline.py (trusted reference code) as a module."""
    spec = importlib.util.spec_from_file_location("a3_airline_reference", SOLUTIONS / "a3_airline" / "airline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rmse(y, yhat):
    return float(np.sqrt(np.mean((np.asarray(y, dtype=np.float64) - np.asarray(yhat, dtype=np.float64)) ** 2)))


def sarima_forecast(series, n_test):
    """One-step SARIMA(0,1,1)(0,1,1)12 forecasts of the last n_test values, fitted on the rest."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    n_train = len(series) - n_test
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = SARIMAX(np.log(series[:n_train]), order=(0, 1, 1), seasonal_order=(0, 1, 1, 12)).fit(disp=False)
        one_step = fitted.apply(np.log(series)).get_prediction(start=n_train).predicted_mean
    return np.exp(one_step)


def run():
    """The Markdown section of `make bench` for a3_airline."""
    airline = load_reference()
    _, series = load_airline()
    truth = series[-N_TEST:]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        scores, cpu, fit_cpu = [], [], []
        n_train = len(series) - N_TEST
        for seed in SEEDS:
            start = time.process_time()
            forecaster = airline.fit_forecaster(series[:n_train].copy(), seed=seed)
            fitted = time.process_time()
            prediction = [airline.forecast_next(forecaster, series[:t].copy()) for t in range(n_train, len(series))]
            cpu.append(time.process_time() - start)
            fit_cpu.append(fitted - start)
            scores.append(rmse(truth, prediction))
    finally:
        torch.set_num_threads(threads)
    import statsmodels.tsa.statespace.sarimax  # noqa: F401 - import outside the timing

    start = time.process_time()
    sarima = rmse(truth, sarima_forecast(series, N_TEST))
    sarima_cpu = time.process_time() - start
    naive = rmse(truth, series[-N_TEST - 1:-1])
    seasonal = rmse(truth, series[-N_TEST - 12:-12])
    scores = np.array(scores)
    mean, sd, worst, per_seed = scores.mean(), scores.std(ddof=1), scores.max(), float(np.mean(cpu))
    per_forecast_ms = 1000 * (per_seed - float(np.mean(fit_cpu))) / N_TEST
    met = mean <= TARGET_MEAN and worst < TARGET_WORST and per_seed <= TARGET_CPU
    lines = [
        "## a3_airline: one-step forecasts of the last 44 airline months (RMSE in thousands of passengers)",
        "",
        "| method | mean | sd | worst | CPU s per seed |",
        "|---|---|---|---|---|",
        f"| reference `fit_forecaster` + `forecast_next` (GRU on seasonal log-differences, {len(scores)} seeds) "
        f"| {mean:.1f} | {sd:.1f} | {worst:.1f} | {per_seed:.2f} |",
        f"| SARIMA(0,1,1)(0,1,1)12 on log passengers, fitted on train | {sarima:.1f} | | | {sarima_cpu:.2f} |",
        f"| seasonal naive (same month last year) | {seasonal:.1f} | | | |",
        f"| naive (last month) | {naive:.1f} | | | |",
        "",
        f"The reference's CPU time per seed is one `fit_forecaster` ({np.mean(fit_cpu):.2f} s) and 44 calls of "
        f"`forecast_next` ({per_forecast_ms:.1f} ms each).",
        "",
        f"Targets for the reference: mean <= {TARGET_MEAN:g}, every seed < {TARGET_WORST:g}, "
        f"<= {TARGET_CPU:g} s CPU per seed: {'met' if met else 'NOT met'}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
