"""Helpers of the a3_airline hidden suite and notebook checks, all run in the grader.

- ``as_number``: read a returned scalar back as a float, with a clear message otherwise;
- the series the grader forecasts: ``generated_cases`` (trend x season x noise, drawn from the
  secret seed) and ``airline_like`` (the airline's own trend and season, fresh noise);
- ``one_step``: the grader's side of the forecasting protocol. The student's forecaster is fitted
  on the training months; each test month is then forecast from the months before it, and its
  value is revealed (in the next history) only after the forecast is in. Every RMSE is computed
  here;
- the small known model of the loop tests, built in the worker from torch's own classes through
  plain calls, and the same model built here to compute what the student's loops should give.

Nothing of this file enters the worker: student code receives only the arguments of its calls.
"""

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from grader.sandbox import StudentCodeError, SubmissionFailure, Tensor
from rnnutils.airline import load_airline

FIT_TIMEOUT = 120.0          # the reference's fit_forecaster takes about 1 s on one core
AIRLINE_TRAIN = 100          # 70% chronological split of the 144 airline months
GENERATED_LENGTHS = (120, 168, 204)


def as_number(value, what, hint=None):
    """A float from a returned scalar (float, int or a one-element array); fail clearly otherwise."""
    if type(value) in (int, float):
        return float(value)
    if type(value) is np.ndarray and value.size == 1 and value.dtype.kind in "iuf":
        return float(value.reshape(-1)[0])
    message = f"{what}: expected a number (a Python float), got {type(value).__name__} ({value!r:.60})."
    if hint:
        message += f"\nHint: {hint}"
    raise AssertionError(message)


def rmse(y, yhat):
    return float(np.sqrt(np.mean((np.asarray(y, dtype=np.float64) - np.asarray(yhat, dtype=np.float64)) ** 2)))


def seasonal_naive_rmse(series, n_test, period=12):
    """The bar every forecast must beat: RMSE of repeating the same month of the previous year."""
    L = len(series)
    return rmse(series[L - n_test:], series[L - n_test - period:L - period])


# ---------------------------------------------------------------------------------------------
# Series


def make_series(rng, length):
    """A positive monthly series: trend times seasonality times noise, like airline traffic.

    Inputs:
    - rng: np.random.Generator.
    - length: int L, the number of months.

    Returns a float64 array of shape (L,).
    """
    t = np.arange(length)
    start = rng.uniform(50.0, 500.0)
    growth = rng.uniform(0.06, 0.15) / 12                     # 6% to 15% a year at the start
    bend = rng.uniform(-0.2, 0.3) * growth / length           # by the end: 60% to 160% of that
    log_trend = np.log(start) + growth * t + bend * t ** 2
    harmonics = rng.normal(size=(2, 2)) * np.array([[1.0], [0.4]])
    season = sum(a * np.cos(2 * np.pi * (k + 1) * t / 12) + b * np.sin(2 * np.pi * (k + 1) * t / 12)
                 for k, (a, b) in enumerate(harmonics))
    season *= rng.uniform(0.08, 0.25) / np.abs(season[:12]).max()   # peak of 8% to 25%
    sigma, rho = rng.uniform(0.015, 0.035), rng.uniform(0.3, 0.7)
    return np.exp(log_trend + season + ar1_noise(rng, length, sigma, rho))


def ar1_noise(rng, length, sigma, rho):
    """Stationary AR(1) noise of standard deviation sigma and lag-one correlation rho, shape (length,)."""
    noise = np.zeros(length)
    innovations = rng.normal(0.0, sigma * np.sqrt(1 - rho ** 2), size=length)
    noise[0] = rng.normal(0.0, sigma)
    for i in range(1, length):
        noise[i] = rho * noise[i - 1] + innovations[i]
    return noise


def generated_cases(secret_seed):
    """The generated series of one grading run: a list of (series, n_test) pairs, 30% test."""
    rng = np.random.default_rng(secret_seed)
    cases = []
    for length in GENERATED_LENGTHS:
        series = make_series(rng, length)
        cases.append((series, length - int(0.7 * length)))
    return cases


def airline_model():
    """The airline's shape, from its 100 training months: log x = a + b t + c t^2 + s[month] + AR(1).

    Returns ``(coefficients, sigma, rho)``: a, b, c and the 11 monthly offsets from January (least
    squares on log passengers), the standard deviation and lag-one correlation of the residuals
    (0.043 and 0.67).
    """
    log_train = np.log(load_airline()[1][:AIRLINE_TRAIN])
    t = np.arange(AIRLINE_TRAIN)
    design = np.column_stack([np.ones(AIRLINE_TRAIN), t, t ** 2] +
                             [(t % 12 == m).astype(float) for m in range(1, 12)])
    coefficients = np.linalg.lstsq(design, log_train, rcond=None)[0]
    residuals = log_train - design @ coefficients
    return coefficients, float(residuals.std()), float(np.corrcoef(residuals[1:], residuals[:-1])[0, 1])


def airline_like(secret_seed, length=144):
    """A series shaped like the airline data, with noise drawn from the secret seed.

    The real airline months cannot be graded: all 144 of them ship with the course (rnnutils, the
    notebook), so a forecast could simply look them up. This series has the airline's trend and
    seasonal profile (fitted on its training months) and AR(1) noise of the airline's size, but
    every value is new at grading time.

    Returns a float64 array of shape (length,): 100 training months and 44 test months by default.
    """
    coefficients, sigma, rho = airline_model()
    t = np.arange(length)
    season = np.concatenate([[0.0], coefficients[3:]])[t % 12]
    rng = np.random.default_rng([secret_seed, 144])
    log_values = coefficients[0] + coefficients[1] * t + coefficients[2] * t ** 2 + season
    return np.exp(log_values + ar1_noise(rng, length, sigma, rho))


# ---------------------------------------------------------------------------------------------
# One-step forecasting, driven from the grader


def fit(airline, train, seed):
    """``fit_forecaster(train, seed=seed)`` in the worker; the forecaster stays there (a Remote)."""
    return airline.fit_forecaster.remote(np.array(train, dtype=np.float64), seed=seed, timeout=FIT_TIMEOUT)


def one_step(airline, series, n_train, forecasters, variants=None):
    """Forecast months n_train .. L-1 of ``series`` one at a time, each from the months before it.

    Inputs:
    - airline: the student's module (``student.module("airline")`` or ``nb.module("airline")``).
    - series: float64 array of shape (L,), known only to the grader.
    - n_train: int, the number of training months (the forecasters were fitted on series[:n_train]).
    - forecasters: dict name -> Remote forecaster.
    - variants: dict name -> (forecaster name, function(history) -> changed history): extra
      forecasts of the same month from a changed history (the history only ever holds months
      before the one forecast).

    Returns ``(forecasts, failures)``: dicts from name to a float64 array of shape (L - n_train,),
    and from name to the exception that stopped that stream (its forecasts are then absent).
    """
    streams = {name: (name, None) for name in forecasters}
    streams.update(variants or {})
    values = {name: [] for name in streams}
    failures = {}
    for t in range(n_train, len(series)):
        history = series[:t].copy()
        for name, (source, change) in streams.items():
            if name in failures or source in failures:
                failures.setdefault(name, failures.get(source))
                continue
            given = history if change is None else change(history.copy())
            what = f"forecast_next(forecaster, history of {t} months)"
            try:
                value = as_number(airline.forecast_next(forecasters[source], given), what,
                                  "forecast_next returns one float: the forecast of the month after the history.")
                if not np.isfinite(value):
                    raise AssertionError(f"{what} returned {value}: did training diverge?")
            except (AssertionError, SubmissionFailure) as exc:
                failures[name] = exc
                continue
            values[name].append(value)
    forecasts = {name: np.array(v, dtype=np.float64) for name, v in values.items() if name not in failures}
    return forecasts, failures


def fit_all(airline, series, n_train, seeds):
    """Fit one forecaster per (name, seed) on series[:n_train]; returns (forecasters, failures)."""
    forecasters, failures = {}, {}
    for name, seed in seeds.items():
        try:
            forecasters[name] = fit(airline, series[:n_train], seed)
        except SubmissionFailure as exc:
            failures[name] = exc
    return forecasters, failures


def raise_failure(failures, name):
    """Re-raise the failure that stopped stream ``name``, if any."""
    if name in failures:
        raise failures[name]


SCALE_HINT = ("Look for: forecasts left in scaled units (inverse_transform missing), an input window in the "
              "wrong time order, or a model that cannot follow the trend (train on seasonal log-differences, "
              "not on scaled raw values).")


def check_beats_seasonal_naive(prediction, series, n_test, what, extra=""):
    """The grader's RMSE of one-step forecasts against the seasonal naive forecast of the same months."""
    score, bar = rmse(series[-n_test:], prediction), seasonal_naive_rmse(series, n_test)
    assert score < bar, (
        f"{what} has test RMSE {score:.1f}, no better than repeating the same month of the previous year "
        f"({bar:.1f}).{extra}\nHint: {SCALE_HINT}")
    return score, bar


# The two changed histories behind the check that forecasts follow the newest month and that nothing
# is learned again at forecast time (see test_forecast.py for the calibration).
NEWEST_FACTOR, NEWEST_MIN_MOVE = 1.10, 0.01
FIRST_YEAR_FACTOR, FIRST_YEAR_MAX_MOVE = 1.50, 0.01


def newest_up(history):
    history[-1] *= NEWEST_FACTOR
    return history


def first_year_up(history):
    history[:12] *= FIRST_YEAR_FACTOR
    return history


SENSITIVITY_VARIANTS = {"newest up": ("seed 0", newest_up), "first year up": ("seed 0", first_year_up)}


def check_sensitivity(forecasts, failures, what):
    """The forecasts follow the newest month and ignore the first year (see test_forecast.py)."""
    for name in ("seed 0", "newest up", "first year up"):
        raise_failure(failures, name)
    base = forecasts["seed 0"]
    newest = float(np.median(np.abs(forecasts["newest up"] / base - 1)))
    assert newest >= NEWEST_MIN_MOVE, (
        f"{what}: when the newest month of the history was {100 * (NEWEST_FACTOR - 1):.0f}% higher, your forecast "
        f"of the next month moved by {100 * newest:.3g}% (median over the test months); a one-step forecast must "
        f"follow the newest value (at least {100 * NEWEST_MIN_MOVE:g}% here).\nHint: the input window must end "
        "with the last month of the history (growth[-T:], not growth[-T - 1:-1]), in time order, oldest first, "
        "as in training.")
    first = float(np.median(np.abs(forecasts["first year up"] / base - 1)))
    assert first <= FIRST_YEAR_MAX_MOVE, (
        f"{what}: when the first year of the history (months 0-11, years before the month forecast) was "
        f"{100 * (FIRST_YEAR_FACTOR - 1):.0f}% higher, your forecast moved by {100 * first:.3g}% (median over the "
        f"test months; at most {100 * FIRST_YEAR_MAX_MOVE:g}% is expected). forecast_next seems to learn from the "
        "history again.\nHint: fit the scaler (and every other statistic) once, in fit_forecaster, on the "
        "training months; forecast_next only applies it (transform, inverse_transform), it never calls fit.")


# ---------------------------------------------------------------------------------------------
# The small known model of the loop tests: (N, T, 1) -> (N, 1)

TINY_KEYS = ("1.weight", "1.bias", "4.weight", "4.bias")
TINY_NAMES = dict(zip(TINY_KEYS, ("W1", "b1", "W2", "b2")))


def tiny_weights(rng, window):
    """Weights of the tiny model: W1 (4, T), b1 (4,), W2 (1, 4), b2 (1,), float32."""
    shapes = [(4, window), (4,), (1, 4), (1,)]
    return {key: rng.normal(0, 0.5, size=shape).astype(np.float32) for key, shape in zip(TINY_KEYS, shapes)}


def local_tiny_model(weights, dropout=0.0):
    """The tiny model in the grader: Flatten, Linear(T, 4), Tanh, Dropout, Linear(4, 1)."""
    torch.set_num_threads(1)
    window = weights["1.weight"].shape[1]
    model = nn.Sequential(nn.Flatten(), nn.Linear(window, 4), nn.Tanh(), nn.Dropout(dropout), nn.Linear(4, 1))
    model.load_state_dict({key: torch.from_numpy(value.copy()) for key, value in weights.items()})
    return model


def remote_tiny_model(student, weights, dropout=0.0):
    """The same model built in the worker from torch's own classes, through plain calls (a Remote)."""
    torch_nn = student.module("torch").nn
    window = weights["1.weight"].shape[1]
    model = torch_nn.Sequential.remote(torch_nn.Flatten.remote(), torch_nn.Linear.remote(window, 4),
                                       torch_nn.Tanh.remote(), torch_nn.Dropout.remote(dropout),
                                       torch_nn.Linear.remote(4, 1))
    model.load_state_dict.remote({key: Tensor(value) for key, value in weights.items()})
    return model


def remote_loader(student, X, y, batch_size):
    """A DataLoader in fixed order over TensorDataset(X, y), built in the worker (a Remote)."""
    data = student.module("torch.utils.data")
    return data.DataLoader.remote(data.TensorDataset.remote(Tensor(X), Tensor(y)), batch_size=batch_size,
                                  shuffle=False)


def local_loader(X, y, batch_size):
    return DataLoader(TensorDataset(torch.from_numpy(X.copy()), torch.from_numpy(y.copy())), batch_size=batch_size,
                      shuffle=False)


def parameters_of(model):
    """The parameters of a local tiny model: dict key -> float32 array."""
    return {key: value.detach().numpy().copy() for key, value in model.state_dict().items()}


def remote_parameters(model, what):
    """The parameters of the worker's tiny model, read back as plain data: dict key -> array."""
    state = model.state_dict()
    if type(state) is not dict or set(state) != set(TINY_KEYS):
        raise AssertionError(f"{what}: the model's parameters were replaced (its state_dict has keys "
                             f"{sorted(state)[:6] if type(state) is dict else type(state).__name__}).")
    return state


class ObservedModel:
    """The tiny model as a grader callback: the worker sees an nn.Module whose forward runs here.

    ``forward`` returns the model's evaluation-mode output for the batch it receives and records
    the context of every call (whether gradients were enabled, whether it was in training mode).
    """

    def __init__(self, weights):
        self.model = local_tiny_model(weights)
        self.model.eval()
        self.contexts = []

    def forward(self, x, context):
        self.contexts.append(dict(context))
        with torch.no_grad():
            return self.model(torch.from_numpy(np.asarray(x, dtype=np.float32).copy())).numpy()


def is_instance(student, obj, module, name):
    """``isinstance(obj, module.name)`` evaluated in the worker (a bool)."""
    return student.module("builtins").isinstance(obj, getattr(student.module(module), name).handle()) is True


def get_or_none(remote_attribute):
    """An attribute of a kept object as plain data, or None when reading it raises."""
    try:
        return remote_attribute.get()
    except StudentCodeError:
        return None
