"""Checks shared by the a3_airline hidden suite and notebook checks, all run in the grader.

- ``one_step``: the grader's side of the forecasting protocol. The student's forecaster is fitted
  on the training months; each test month is then forecast from the months before it, and its
  value is revealed (in the next history) only after the forecast is in. Every RMSE is computed
  here;
- the checks of the forecasts (against the seasonal naive forecast, and what they follow), whose
  hints are the mutants' (``hint_of``);
- the small known model of the loop tests, built in the worker from torch's own classes through
  plain calls (reference.py builds the same model here to compute what the student's loops should give).

Nothing of this file enters the worker: student code receives only the arguments of its calls.
"""

import numpy as np

from grader.grading.testing import as_number, hint_of
from grader.sandbox import StudentCodeError, SubmissionFailure, Tensor
from grader.suites.a3_airline.reference import TINY_KEYS, rmse, seasonal_naive_rmse

ASSIGNMENT = "a3_airline"
FIT_TIMEOUT = 120.0          # the reference's fit_forecaster takes about 1 s on one core


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
    streams.update({name: variant for name, variant in (variants or {}).items() if variant[0] in forecasters})
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


def scale_hint():
    """The likely causes of forecasts no better than the seasonal naive one, in the mutants' words."""
    names = ("forecast_in_scaled_units", "shuffled_test_order", "forecast_on_scaled_raw_values")
    return "the likely causes: " + " ".join(f"({i}) {hint_of(ASSIGNMENT, name)}" for i, name in enumerate(names, 1))


def check_beats_seasonal_naive(prediction, series, n_test, what, extra=""):
    """The grader's RMSE of one-step forecasts against the seasonal naive forecast of the same months."""
    score, bar = rmse(series[-n_test:], prediction), seasonal_naive_rmse(series, n_test)
    assert score < bar, (
        f"{what} has test RMSE {score:.1f}, no better than repeating the same month of the previous year "
        f"({bar:.1f}).{extra}\nHint: {scale_hint()}")
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
    # A forecast that does not move at all never sees the newest month; one that moves a little sees it,
    # but not where the model learned to look for it (the window in another order than in training).
    unmoved = bool(np.all(forecasts["newest up"] == base))
    assert newest >= NEWEST_MIN_MOVE, (
        f"{what}: when the newest month of the history was {100 * (NEWEST_FACTOR - 1):.0f}% higher, your forecast "
        f"of the next month moved by {100 * newest:.3g}% (median over the test months); a one-step forecast must "
        f"follow the newest value (at least {100 * NEWEST_MIN_MOVE:g}% here).\nHint: "
        + hint_of(ASSIGNMENT, "window_skips_newest_month" if unmoved else "shuffled_test_order"))
    first = float(np.median(np.abs(forecasts["first year up"] / base - 1)))
    assert first <= FIRST_YEAR_MAX_MOVE, (
        f"{what}: when the first year of the history (months 0-11, years before the month forecast) was "
        f"{100 * (FIRST_YEAR_FACTOR - 1):.0f}% higher, your forecast moved by {100 * first:.3g}% (median over the "
        f"test months; at most {100 * FIRST_YEAR_MAX_MOVE:g}% is expected).\nHint: "
        + hint_of(ASSIGNMENT, "scaler_fit_on_all_data"))


# ---------------------------------------------------------------------------------------------
# The small known model of the loop tests, built in the worker (the grader's own is in reference.py)

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


def remote_parameters(model, what):
    """The parameters of the worker's tiny model, read back as plain data: dict key -> array."""
    state = model.state_dict()
    if type(state) is not dict or set(state) != set(TINY_KEYS):
        raise AssertionError(f"{what}: the model's parameters were replaced (its state_dict has keys "
                             f"{sorted(state)[:6] if type(state) is dict else type(state).__name__}).")
    return state


def is_instance(student, obj, module, name):
    """``isinstance(obj, module.name)`` evaluated in the worker (a bool)."""
    return student.module("builtins").isinstance(obj, getattr(student.module(module), name).handle()) is True


def get_or_none(remote_attribute):
    """An attribute of a kept object as plain data, or None when reading it raises."""
    try:
        return remote_attribute.get()
    except StudentCodeError:
        return None
