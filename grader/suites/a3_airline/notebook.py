"""Checks of the a3_airline notebook's autograded cells, run in the grader after each cell.

Each check calls the notebook's names (the functions its locked import cell took from airline.py)
on inputs it chooses, and decides with values it computes itself (see grader/grading/notebook.py). One
check per test cell: it covers the cell's public asserts and what used to be its hidden block.
Nothing of this file enters the student's notebook.
"""

import types

import numpy as np

from grader.grading.testing import as_number, assert_array, assert_close
from grader.sandbox import Tensor
from grader.suites.a3_airline import checks
from rnnutils.airline import load_airline

N_TRAIN = 100


def _passengers():
    return load_airline()[1]


def check_split_scaler(nb, secret_seed):
    """chronological_split keeps the time order; MinMaxScaler uses the range of the data given to fit."""
    passengers = _passengers()
    split = nb.notebook("chronological_split")
    for series, fraction, n_train in ((passengers, 0.7, 100), (np.arange(20.0), 0.5, 10)):
        result = split(series, fraction)
        what = f"chronological_split(series of {len(series)} values, {fraction})"
        assert type(result) in (tuple, list) and len(result) == 2, f"{what} should return a pair (train, test)."
        hint = f"train is the first int({fraction} * {len(series)}) = {n_train} values, test the rest, in time order."
        assert_close(result[0], series[:n_train], rtol=0, atol=0, what=f"train of {what}", hint=hint)
        assert_close(result[1], series[n_train:], rtol=0, atol=0, what=f"test of {what}", hint=hint)
    scaler_class = nb.notebook("MinMaxScaler")
    for fitted_on, other in ((passengers[:N_TRAIN], passengers[N_TRAIN:]),
                             (np.array([5.0, -1.0, 3.0, 9.0]), np.array([-3.0, 11.0]))):
        lo, hi = fitted_on.min(), fitted_on.max()
        scaler = scaler_class.remote().fit.remote(fitted_on)
        what = f"MinMaxScaler().fit(x) with min(x) = {lo:g} and max(x) = {hi:g}"
        got = (as_number(checks.get_or_none(scaler.data_min_), f"data_min_ of {what}", "fit must set self.data_min_ "
                         "and end with `return self`."),
               as_number(checks.get_or_none(scaler.data_max_), f"data_max_ of {what}", "fit must set self.data_max_."))
        assert got == (lo, hi), f"{what}: (data_min_, data_max_) is {got}, expected {(lo, hi)}."
        for values in (fitted_on, other):
            assert_close(scaler.transform(values), (values - lo) / (hi - lo), rtol=1e-9, atol=1e-12,
                         what=f"transform after {what}", check_dtype=False,
                         hint="transform uses data_min_ and data_max_ from fit only (never refit): values outside "
                              "the fitted range map outside [0, 1].")
        assert_close(scaler.inverse_transform((other - lo) / (hi - lo)), other, rtol=1e-9, atol=1e-9,
                     what=f"inverse_transform after {what}", check_dtype=False,
                     hint="inverse_transform computes x_scaled * (data_max_ - data_min_) + data_min_.")


def _windows(series, window):
    n = len(series) - window
    X = np.stack([series[i:i + window] for i in range(n)])[:, :, None].astype(np.float32)
    return X, series[window:, None].astype(np.float32)


def check_windows(nb, secret_seed):
    """make_windows pairs each window with the next value; PassengerDataset serves them as tensors."""
    make_windows = nb.notebook("make_windows")
    for series, window in ((np.arange(10.0), 3), (np.random.default_rng(secret_seed).normal(size=15), 4)):
        result = make_windows(series, window)
        what = f"make_windows(series of {len(series)} values, {window})"
        assert type(result) in (tuple, list) and len(result) == 2, f"{what} should return a pair (X, y)."
        X, y = _windows(series, window)
        assert_close(result[0], X, rtol=1e-6, atol=1e-6, what=f"X of {what}",
                     hint="X has shape (N, T, 1) with N = L - T, float32, and X[i, :, 0] = series[i:i+T].")
        assert_close(result[1], y, rtol=1e-6, atol=1e-6, what=f"y of {what}",
                     hint="y has shape (N, 1), float32, and y[i, 0] = series[i+T]: the last window is followed "
                          "by the last value.")
    dataset = nb.notebook("PassengerDataset")
    builtins, getitem = nb.module("builtins"), nb.module("operator").getitem
    data = dataset.remote(np.arange(10.0), window=3)
    length = builtins.len(data)
    assert length == 7, f"len(PassengerDataset(np.arange(10.0), window=3)) is {length}, expected 7 = L - T."
    item = getitem.remote(data, 0)
    kinds = [getitem.remote(item, k).type_name() for k in (0, 1)]
    assert kinds == ["torch.Tensor"] * 2, f"dataset[0] should be a pair of torch tensors, got {kinds}."
    x0, y0 = getitem(item, 0), getitem(item, 1)
    assert_array(x0, shape=(3, 1), dtype=np.float32, what="x of PassengerDataset(np.arange(10.0), window=3)[0]")
    assert_array(y0, shape=(1,), dtype=np.float32, what="y of PassengerDataset(np.arange(10.0), window=3)[0]")
    loader = nb.module("torch.utils.data").DataLoader.remote(dataset.remote(np.arange(15.0), 4), batch_size=5)
    batch = builtins.next(builtins.iter.remote(loader))
    assert type(batch) in (tuple, list) and len(batch) == 2, "a DataLoader batch should be a pair (X, y)."
    assert_array(batch[0], shape=(5, 4, 1), dtype=np.float32, what="a batch X of 5 windows of 4 values")
    assert_array(batch[1], shape=(5, 1), dtype=np.float32, what="a batch y of 5 windows")


def check_model_loops(nb, secret_seed):
    """AirlineRNN maps (N, T, 1) to (N, 1); fit trains; predict and the loops behave as documented."""
    torch_, airline_rnn = nb.module("torch"), nb.notebook("AirlineRNN")
    for cell in ("rnn", "lstm", "gru"):
        out = airline_rnn.remote(cell, hidden_size=4)(Tensor(np.zeros((5, 7, 1), dtype=np.float32)))
        assert_array(out, shape=(5, 1), what=f"AirlineRNN({cell!r}, hidden_size=4) on x of shape (5, 7, 1)")
    series = np.sin(np.arange(60) / 3.0)
    X, y = _windows(series, 6)
    data = nb.module("torch.utils.data")
    loader = data.DataLoader.remote(nb.notebook("PassengerDataset").remote(series, 6), batch_size=16)
    torch_.manual_seed.remote(0)
    model = airline_rnn.remote("gru", hidden_size=8)
    predict = nb.notebook("predict")
    before = predict(model, X)
    assert_array(before, shape=(54, 1), what="predict(model, X) for X of shape (54, 6, 1)",
                 hint="predict returns a numpy array of shape (N, 1).")
    history = nb.notebook("fit")(model, loader, loader, epochs=30, lr=0.02)
    assert type(history) is dict and all(type(history.get(k)) is list and len(history[k]) == 30
                                         for k in ("loss", "val_loss")), (
        "fit(model, ..., epochs=30, lr=0.02) should return {'loss': [30 numbers], 'val_loss': [30 numbers]}.")
    after = predict(model, X)
    assert_array(after, shape=(54, 1), what="predict(model, X) after fit")
    mse_before, mse_after = float(np.mean((before - y) ** 2)), float(np.mean((after - y) ** 2))
    # The notebook's bar: a working fit ends below 0.2% of the first epoch's loss here (seeds 0-29).
    assert mse_after < 0.5 * mse_before, (
        f"After fit(model, ..., epochs=30, lr=0.02) on a sine wave the mean squared error of predict is "
        f"{mse_after:.4g}, against {mse_before:.4g} before: the training loss should fall. Does fit step Adam "
        "over train_loader for every epoch?")
    loss = as_number(nb.notebook("test_loop")(loader, model, torch_.nn.MSELoss.remote()), "test_loop's value")
    assert np.isclose(loss, mse_after, rtol=1e-4, atol=1e-7), (
        f"test_loop(loader, model, nn.MSELoss()) returned {loss:.6g}; the mean squared error of the model on the "
        f"loader's windows is {mse_after:.6g}. Weight each batch's loss by its size.")
    last = as_number(history["val_loss"][-1], "history['val_loss'][-1]")
    assert abs(loss - last) < 1e-6, (
        f"test_loop on the validation loader gives {loss:.6g} right after fit, but fit recorded {last:.6g} as the "
        "last val_loss: record test_loop(val_loader, ...) after each epoch.")
    assert model.training.get() is False, "predict and test_loop must leave the model in evaluation mode."
    before_step = model.state_dict()
    optimizer = torch_.optim.SGD.remote(model.parameters.remote(), lr=0.1)
    nb.notebook("train_loop")(loader, model, torch_.nn.MSELoss.remote(), optimizer)
    after_step = model.state_dict()
    assert model.training.get() is True, "train_loop must put the model in training mode (model.train())."
    assert type(after_step) is dict and any(
        not np.array_equal(after_step.get(k), v) for k, v in before_step.items()), (
        "train_loop with SGD(lr=0.1) did not change the model's parameters: loss.backward() and "
        "optimizer.step() for every batch.")


def check_baselines(nb, secret_seed):
    """rmse flattens both arguments; the naive forecasts repeat the month before and one period before."""
    rmse, naive, seasonal = (nb.notebook(n) for n in ("rmse", "naive_forecast", "seasonal_naive_forecast"))
    got = as_number(rmse(np.array([1.0, 2.0, 3.0]), np.array([[1.0], [2.0], [5.0]])),
                    "rmse([1, 2, 3], [[1], [2], [5]])")
    assert np.isclose(got, np.sqrt(4 / 3), rtol=1e-12, atol=0), (
        f"rmse([1, 2, 3], [[1], [2], [5]]) returned {got}, expected sqrt(4/3). Flatten both to shape (N,) first, "
        "then take the square root of the mean squared difference.")
    got = as_number(rmse(np.zeros(4), np.full(4, 2.0)), "rmse(zeros, twos)")
    assert np.isclose(got, 2.0, rtol=1e-12, atol=0), f"rmse of four errors of 2 returned {got}, expected 2."
    series = np.arange(30.0)
    cases = ((naive(series, 3), [26.0, 27.0, 28.0], "naive_forecast(np.arange(30.0), 3)"),
             (seasonal(series, 3), [15.0, 16.0, 17.0], "seasonal_naive_forecast(np.arange(30.0), 3)"),
             (seasonal(series, 4, period=4), [22.0, 23.0, 24.0, 25.0],
              "seasonal_naive_forecast(np.arange(30.0), 4, period=4)"))
    for got, expected, what in cases:
        assert_close(got, np.array(expected), rtol=0, atol=0, what=what, check_dtype=False,
                     hint="forecast j is for series[L - n_test + j]: the value one month (naive) or one period "
                          "(seasonal) before it.")


def check_forecast(nb, secret_seed):
    """fit_forecaster + forecast_next, driven month by month on the airline data by the grader.

    The public part: forecasts of the 44 test months, each from the months before it, beat the
    seasonal naive forecast. In place of the former look-ahead check (impossible by construction
    now): the forecasts follow the newest month and learn nothing again at forecast time.
    """
    passengers = _passengers()
    student = types.SimpleNamespace(fit_forecaster=nb.notebook("fit_forecaster"),
                                    forecast_next=nb.notebook("forecast_next"))
    forecasters, failures = checks.fit_all(student, passengers, N_TRAIN, {"seed 0": 0})
    checks.raise_failure(failures, "seed 0")
    first = student.forecast_next(forecasters["seed 0"], passengers[:N_TRAIN].copy())
    assert type(first) is float, (
        f"forecast_next(forecaster, history) should return one float, got {type(first).__name__} ({first!r:.60}).")
    forecasts, failures = checks.one_step(student, passengers, N_TRAIN, forecasters, checks.SENSITIVITY_VARIANTS)
    checks.raise_failure(failures, "seed 0")
    checks.check_beats_seasonal_naive(
        forecasts["seed 0"], passengers, len(passengers) - N_TRAIN,
        "One-step forecasts of the 44 airline test months by fit_forecaster(train, seed=0)")
    checks.check_sensitivity(forecasts, failures, "forecast_next on the airline months (fit_forecaster seed 0)")


CHECKS = {
    "test_split_scaler": check_split_scaler,
    "test_windows": check_windows,
    "test_model_loops": check_model_loops,
    "test_baselines": check_baselines,
    "test_forecast": check_forecast,
}
