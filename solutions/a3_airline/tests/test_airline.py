"""Public tests of assignment 3. Run them with `pytest tests/` inside the assignment folder.

They check shapes, small values you can work out by hand, and two sanity properties of your
forecaster. The hidden suite checks much more (with other data), so passing these is a start,
not a guarantee.
"""

import numpy as np
import pytest
import torch

from airline import (AirlineRNN, MinMaxScaler, PassengerDataset, chronological_split, fit_forecaster, forecast,
                     forecast_next, make_windows, naive_forecast, predict, rmse, seasonal_naive_forecast)


def test_chronological_split_keeps_order():
    train, test = chronological_split(np.arange(10.0), 0.7)
    np.testing.assert_array_equal(train, np.arange(7.0))
    np.testing.assert_array_equal(test, np.arange(7.0, 10.0))


def test_scaler_uses_the_training_range():
    scaler = MinMaxScaler().fit(np.array([2.0, 4.0, 6.0]))
    assert (scaler.data_min_, scaler.data_max_) == (2.0, 6.0)
    # 8 lies above the training range, so it maps above 1: transform must not refit.
    np.testing.assert_allclose(scaler.transform(np.array([2.0, 4.0, 8.0])), [0.0, 0.5, 1.5], rtol=0, atol=1e-12)
    np.testing.assert_allclose(scaler.inverse_transform(np.array([0.0, 0.5, 1.5])), [2.0, 4.0, 8.0],
                               rtol=0, atol=1e-12)


def test_make_windows_small_example():
    X, y = make_windows(np.array([0.0, 1.0, 2.0, 3.0, 4.0]), 2)
    assert X.shape == (3, 2, 1) and y.shape == (3, 1), "N = L - T = 3 pairs, no pair dropped"
    assert X.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_array_equal(X[:, :, 0], [[0, 1], [1, 2], [2, 3]])
    np.testing.assert_array_equal(y[:, 0], [2, 3, 4])


def test_passenger_dataset_shapes():
    data = PassengerDataset(np.linspace(0.0, 1.0, 30), window=12)
    assert len(data) == 18
    x, y = data[0]
    assert isinstance(x, torch.Tensor) and x.shape == (12, 1) and x.dtype == torch.float32
    assert isinstance(y, torch.Tensor) and y.shape == (1,) and y.dtype == torch.float32


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_airline_rnn_output_shape(cell):
    torch.manual_seed(0)
    model = AirlineRNN(cell, hidden_size=4)
    out = predict(model, np.zeros((5, 7, 1), dtype=np.float32))   # N = 5 windows of T = 7 steps
    assert isinstance(out, np.ndarray) and out.shape == (5, 1)


def test_rmse_and_baselines():
    np.testing.assert_allclose(rmse(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0])), np.sqrt(4.0 / 3.0),
                               rtol=1e-12, atol=0)
    series = np.arange(30.0)
    np.testing.assert_array_equal(naive_forecast(series, 3), [26.0, 27.0, 28.0])
    np.testing.assert_array_equal(seasonal_naive_forecast(series, 3, period=12), [15.0, 16.0, 17.0])


@pytest.fixture(scope="module")
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)            # tiny models train faster on one thread
    yield
    torch.set_num_threads(threads)


def test_forecast_beats_seasonal_naive_on_airline(one_thread):
    from rnnutils.airline import load_airline

    _, passengers = load_airline()
    # forecast (given in airline.py) fits on the first 100 months, then calls forecast_next once per
    # test month with the months before it, as the grader does.
    prediction = forecast(passengers, 44, seed=0)
    assert isinstance(prediction, np.ndarray) and prediction.shape == (44,)
    score = rmse(passengers[-44:], prediction)
    bar = rmse(passengers[-44:], seasonal_naive_forecast(passengers, 44))   # 42.6 thousand passengers
    assert score < bar, f"test RMSE {score:.1f} is no better than the seasonal naive forecast ({bar:.1f})"


def test_forecast_next_is_a_float_that_follows_the_newest_month(one_thread):
    from rnnutils.airline import load_airline

    _, passengers = load_airline()
    forecaster = fit_forecaster(passengers[:100], seed=0)
    history = passengers[:110].copy()
    value = forecast_next(forecaster, history)
    assert isinstance(value, float), "forecast_next returns one float: the forecast of month len(history)"
    assert np.array_equal(history, passengers[:110]), "forecast_next must not change the history it is given"
    higher = history.copy()
    higher[-1] *= 1.1           # the newest month 10% higher: a one-step forecast must react
    assert forecast_next(forecaster, higher) != value, "the forecast ignores the newest month of the history"
    assert forecast_next(forecaster, history) == value, "the same history must give the same forecast"
