"""Assignment 3: forecasting monthly airline passengers with RNN, LSTM and GRU, done right.

Every forecast in this module is one step ahead: the forecast for month t may use the values of
months before t only. Shapes use N for samples (batch), T for the window length (time steps) and
H for the hidden size. Series are 1-D arrays of length L in time order.

How your forecaster (fit_forecaster, forecast_next) is graded. The grader draws series at grading
time (from a seed it keeps secret), fits your forecaster on the training months and forecasts the
test months one at a time; on every series your RMSE must be below that of the seasonal naive
forecast (the same month one year before). You can draw series of the same families yourself:

- an airline-shaped series of 144 months (100 training, 44 test): the airline's own log trend
  (a quadratic in t) and monthly profile, fitted on its first 100 months, with new noise: AR(1)
  in the log, standard deviation 0.043, lag-one correlation 0.67. Fitted with seed 0 and seed 1.
- three generated series of 120, 168 and 204 months, the last 30% of each (36, 51 and 62
  months) as test months, seed 0. Each is x[t] = exp(trend[t] + season[t] + noise[t]) with
  trend[t] = log(start) + g t + b t^2: start uniform in [50, 500]; growth g of 6% to 15% a year
  (uniform) at the start, which bends (b) to between 60% and 160% of it by the end, so no series
  is flat; season: two harmonics of periods 12 and 6 months with random phases, scaled so that its
  largest absolute value in the first year is 0.08 to 0.25 (a seasonal swing of about 8% to 25%);
  noise: AR(1) with standard deviation 0.015 to 0.035 and lag-one correlation 0.3 to 0.7 (each
  drawn uniformly).

The grader also checks that the same seed gives the same forecasts, that the forecast follows the
newest month (10% more in month t - 1 moves it), and that it learns nothing at forecast time
(50% more in the first year of the history does not move it).
"""

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


def chronological_split(series, train_fraction=0.7):
    """Split a series into a training part and the test part that follows it in time.

    Inputs:
    - series: array of shape (L,), values in time order.
    - train_fraction: float in (0, 1), share of the values that go to training.

    Returns a tuple of:
    - train: array of shape (L_train,), the first L_train = int(train_fraction * L) values.
    - test: array of shape (L - L_train,), the remaining values, in time order.

    Hint: never shuffle a time series before splitting it; the test part must lie in the future.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


class MinMaxScaler:
    """Scale values linearly so that the data it was fitted on spans [0, 1].

    After ``fit(x)`` the attributes ``data_min_`` and ``data_max_`` (floats) hold the minimum and
    maximum of x. ``transform`` and ``inverse_transform`` use those two numbers only: they never
    look at the range of the values they are given. Fit the scaler on training data only.
    """

    def fit(self, x):
        """Remember the minimum and maximum of x.

        Inputs:
        - x: array of any shape, the training values.

        Returns self, so that ``MinMaxScaler().fit(train)`` works.
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def transform(self, x):
        """Map x to (x - data_min_) / (data_max_ - data_min_).

        Inputs:
        - x: array of any shape.

        Returns a float64 array of the same shape. Values outside the fitted range map
        outside [0, 1]; that is expected for test data.
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def inverse_transform(self, x_scaled):
        """Undo ``transform``: map scaled values back to the original units.

        Inputs:
        - x_scaled: array of any shape.

        Returns a float64 array of the same shape.
        """
        # YOUR CODE HERE
        raise NotImplementedError()


def make_windows(series, window):
    """Cut a series into (window of past values, next value) pairs.

    Inputs:
    - series: array of shape (L,).
    - window: int T, the number of past values in each input, 1 <= T < L.

    Returns a tuple of:
    - X: float32 array of shape (N, T, 1) with N = L - T, and X[i, :, 0] = series[i:i+T].
    - y: float32 array of shape (N, 1) with y[i, 0] = series[i+T], the value right after X[i].

    Hint: check by hand on series = [0, 1, 2, 3, 4] and T = 2: the last pair is ([2, 3], 4),
    and no pair is dropped.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


class PassengerDataset(Dataset):
    """A torch Dataset of the (window, next value) pairs of ``make_windows``.

    Item i is a pair of float32 tensors: x of shape (T, 1) and y of shape (1,).
    """

    def __init__(self, series, window=12):
        """Build the pairs.

        Inputs:
        - series: array of shape (L,), already scaled or transformed as the model needs.
        - window: int T, the window length.
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def __len__(self):
        """Return N, the number of pairs."""
        # YOUR CODE HERE
        raise NotImplementedError()

    def __getitem__(self, i):
        """Return the pair (x, y) number i: float32 tensors of shapes (T, 1) and (1,)."""
        # YOUR CODE HERE
        raise NotImplementedError()


class AirlineRNN(nn.Module):
    """A recurrent layer followed by a linear layer that reads the last hidden state.

    Inputs to the constructor:
    - cell: "rnn", "lstm" or "gru" (torch's nn.RNN, nn.LSTM or nn.GRU); anything else is a
      ValueError.
    - hidden_size: int H.
    - num_layers: int, the number of stacked recurrent layers.

    The recurrent layer takes batch-first input (batch_first=True) with one feature per step.
    """

    def __init__(self, cell="rnn", hidden_size=3, num_layers=1):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, x):
        """Forecast the next value of each window.

        Inputs:
        - x: float32 tensor of shape (N, T, 1), batch first.

        Returns a tensor of shape (N, 1): the linear layer applied to the hidden state of the
        last layer at the LAST time step.
        """
        # YOUR CODE HERE
        raise NotImplementedError()


def train_loop(dataloader, model, loss_fn, optimizer, device="cpu"):
    """Train the model for one pass over the dataloader.

    Puts the model in training mode, then for every batch: moves it to ``device``, computes
    the loss, clears the old gradients, back-propagates and takes one optimizer step.

    Inputs:
    - dataloader: yields batches (X, y) of shapes (N, T, 1) and (N, 1); the last batch may be
      smaller than the others.
    - model: the nn.Module to train.
    - loss_fn: a loss that returns the mean over the batch (e.g. nn.MSELoss()).
    - optimizer: a torch optimizer over the model's parameters.
    - device: str or torch.device.

    Returns the mean loss per SAMPLE over the pass (float): each batch's loss, taken before
    its step, weighted by the batch size and divided by the number of samples.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def test_loop(dataloader, model, loss_fn, device="cpu"):
    """Evaluate the model on every batch of the dataloader, without changing it.

    Puts the model in evaluation mode and computes no gradients.

    Inputs: as for ``train_loop`` (no optimizer).

    Returns the mean loss per SAMPLE (float), as ``train_loop`` does.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def fit(model, train_loader, val_loader, epochs, lr):
    """Train with Adam (learning rate lr) on the mean squared error for a number of epochs.

    Inputs:
    - model: the nn.Module to train (on the CPU).
    - train_loader, val_loader: dataloaders as for ``train_loop``.
    - epochs: int E, the number of passes over train_loader.
    - lr: float, Adam's learning rate.

    Returns a dict of two lists of E floats: "loss"[e] is what ``train_loop`` returned in epoch e
    and "val_loss"[e] is what ``test_loop`` returned on val_loader right after it.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def predict(model, X):
    """Run the model in evaluation mode without building a graph.

    Inputs:
    - model: the nn.Module.
    - X: float32 array or tensor of shape (N, T, 1).

    Returns a numpy array of shape (N, 1).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def rmse(y, yhat):
    """Root mean squared error between values and their forecasts.

    Inputs:
    - y, yhat: arrays with the same number N of values, of shape (N,) or (N, 1) (the two may
      differ in shape: flatten both first).

    Returns a float.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def naive_forecast(series, n_test):
    """One-step forecasts of the last n_test values by the value of the month before.

    Inputs:
    - series: array of shape (L,).
    - n_test: int, 1 <= n_test < L.

    Returns an array of shape (n_test,): forecast j is for series[L - n_test + j].
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def seasonal_naive_forecast(series, n_test, period=12):
    """One-step forecasts of the last n_test values by the value one period (season) before.

    Inputs:
    - series: array of shape (L,).
    - n_test: int, 1 <= n_test <= L - period.
    - period: int, the season length (12 for monthly data).

    Returns an array of shape (n_test,): forecast j is series[L - n_test + j - period].
    """
    # YOUR CODE HERE
    raise NotImplementedError()


PERIOD = 12   # months in a season: the series repeat their pattern every year
WINDOW = 12   # T, the months of (transformed) history the reference model reads


def fit_forecaster(train_series, seed=0):
    """Train your best one-step forecaster on the past only.

    This is the first half of your forecasting pipeline: everything that is learned (the scaler's
    range, the network's weights, any other statistic) is learned here, from ``train_series``
    alone. ``forecast_next`` then only applies what was learned.

    Inputs:
    - train_series: array of shape (L_train,) of positive values (passengers per month) in time
      order, with a yearly season (period 12); L_train >= 36. These are the training months: the
      only values your forecaster may learn from.
    - seed: int. Call ``torch.manual_seed(seed)`` before building the model, so that two calls with
      the same arguments give forecasters that forecast exactly the same.

    Returns a forecaster: any object you like (a dict, a model, an instance of a small class of
    your own) that ``forecast_next`` knows how to use. It never has to leave the Python process
    that made it.

    Hint: the raw values grow out of the training range, so a network trained on min-max scaled
    raw values cannot forecast them (Part 6 of the notebook measures it). Model the seasonal
    differences of the log instead, d[t] = log(x[t]) - log(x[t - 12]) (the growth over the last
    year): they stay in the same range when the level grows. Fit a MinMaxScaler on the d of the
    training months, train an AirlineRNN on windows of T scaled d values (PassengerDataset, fit),
    and keep the model and the scaler in the object you return.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def forecast_next(forecaster, history):
    """One-step forecast: the value of the month right after ``history``.

    The grader calls it once per test month, in time order: for month t it passes every value
    before t (the training months, then the test months revealed so far) and reveals the value
    of month t only after it has your forecast. It may also call it with other histories, so
    compute the forecast from ``forecaster`` and ``history`` alone: do not change the forecaster
    and do not remember earlier calls.

    Inputs:
    - forecaster: what ``fit_forecaster`` returned.
    - history: array of shape (t,) with t >= L_train, the values of months 0 to t - 1 in time
      order (the same units as train_series).

    Returns a float: the forecast of month t (the value that follows history[-1]), in the units
    of the series.

    Hint: transform the history exactly as the training months were (same d, same fitted
    scaler: never fit it again here), give the model the window of the last T values of d as an
    array of shape (1, T, 1) (predict), undo the scaling (inverse_transform), then undo the
    differencing: forecast = x[t - 12] * exp(predicted d[t]), with x[t - 12] = history[-12].
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def forecast(series, n_test, seed=0):
    """One-step forecasts of the last n_test values, made the way the grader makes them.

    Given (nothing to write here): it fits a forecaster on the first L - n_test values, then
    forecasts each test month from the values before it, one month at a time.

    Inputs:
    - series: array of shape (L,) of positive values, period 12.
    - n_test: int, the number of months to forecast at the end, 1 <= n_test <= L - 36.
    - seed: int, passed to ``fit_forecaster``.

    Returns a float64 array of shape (n_test,): forecast j is for series[L - n_test + j] and was
    made from series[:L - n_test + j] only.
    """
    series = np.asarray(series, dtype=np.float64)
    n_train = len(series) - n_test
    forecaster = fit_forecaster(series[:n_train], seed=seed)
    return np.array([forecast_next(forecaster, series[:n_train + j].copy()) for j in range(n_test)],
                    dtype=np.float64)
