"""Assignment 3: forecasting monthly airline passengers with RNN, LSTM and GRU, done right.

Every forecast in this module is one step ahead: the forecast for month t may use the values of
months before t only. Shapes use N for samples (batch), T for the window length (time steps) and
H for the hidden size. Series are 1-D arrays of length L in time order.
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
    ### BEGIN SOLUTION
    series = np.asarray(series)
    n_train = int(train_fraction * len(series))
    return series[:n_train].copy(), series[n_train:].copy()
    ### END SOLUTION


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
        ### BEGIN SOLUTION
        x = np.asarray(x, dtype=np.float64)
        self.data_min_ = float(x.min())
        self.data_max_ = float(x.max())
        return self
        ### END SOLUTION

    def transform(self, x):
        """Map x to (x - data_min_) / (data_max_ - data_min_).

        Inputs:
        - x: array of any shape.

        Returns a float64 array of the same shape. Values outside the fitted range map
        outside [0, 1]; that is expected for test data.
        """
        ### BEGIN SOLUTION
        x = np.asarray(x, dtype=np.float64)
        return (x - self.data_min_) / (self.data_max_ - self.data_min_)
        ### END SOLUTION

    def inverse_transform(self, x_scaled):
        """Undo ``transform``: map scaled values back to the original units.

        Inputs:
        - x_scaled: array of any shape.

        Returns a float64 array of the same shape.
        """
        ### BEGIN SOLUTION
        x_scaled = np.asarray(x_scaled, dtype=np.float64)
        return x_scaled * (self.data_max_ - self.data_min_) + self.data_min_
        ### END SOLUTION


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
    ### BEGIN SOLUTION
    series = np.asarray(series, dtype=np.float32).reshape(-1)
    n = len(series) - window
    X = np.stack([series[i:i + window] for i in range(n)])[:, :, None]
    y = series[window:].reshape(n, 1).copy()
    return X, y
    ### END SOLUTION


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
        ### BEGIN SOLUTION
        X, y = make_windows(series, window)
        self.X = torch.from_numpy(X)
        self.y = torch.from_numpy(y)
        ### END SOLUTION

    def __len__(self):
        """Return N, the number of pairs."""
        ### BEGIN SOLUTION
        return len(self.X)
        ### END SOLUTION

    def __getitem__(self, i):
        """Return the pair (x, y) number i: float32 tensors of shapes (T, 1) and (1,)."""
        ### BEGIN SOLUTION
        return self.X[i], self.y[i]
        ### END SOLUTION


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
        ### BEGIN SOLUTION
        layers = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
        if cell not in layers:
            raise ValueError(f"cell must be 'rnn', 'lstm' or 'gru', got {cell!r}")
        self.rnn = layers[cell](input_size=1, hidden_size=hidden_size, num_layers=num_layers,
                                batch_first=True)
        self.head = nn.Linear(hidden_size, 1)
        ### END SOLUTION

    def forward(self, x):
        """Forecast the next value of each window.

        Inputs:
        - x: float32 tensor of shape (N, T, 1), batch first.

        Returns a tensor of shape (N, 1): the linear layer applied to the hidden state of the
        last layer at the LAST time step.
        """
        ### BEGIN SOLUTION
        outputs, _ = self.rnn(x)
        return self.head(outputs[:, -1, :])
        ### END SOLUTION


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
    ### BEGIN SOLUTION
    model.train()
    total, count = 0.0, 0
    for X, y in dataloader:
        X, y = X.to(device), y.to(device)
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(X)
        count += len(X)
    return total / count
    ### END SOLUTION


def test_loop(dataloader, model, loss_fn, device="cpu"):
    """Evaluate the model on every batch of the dataloader, without changing it.

    Puts the model in evaluation mode and computes no gradients.

    Inputs: as for ``train_loop`` (no optimizer).

    Returns the mean loss per SAMPLE (float), as ``train_loop`` does.
    """
    ### BEGIN SOLUTION
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            total += loss_fn(model(X), y).item() * len(X)
            count += len(X)
    return total / count
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"loss": [], "val_loss": []}
    for _ in range(epochs):
        history["loss"].append(train_loop(train_loader, model, loss_fn, optimizer))
        history["val_loss"].append(test_loop(val_loader, model, loss_fn))
    return history
    ### END SOLUTION


def predict(model, X):
    """Run the model in evaluation mode without building a graph.

    Inputs:
    - model: the nn.Module.
    - X: float32 array or tensor of shape (N, T, 1).

    Returns a numpy array of shape (N, 1).
    """
    ### BEGIN SOLUTION
    model.eval()
    with torch.no_grad():
        return model(torch.as_tensor(X, dtype=torch.float32)).numpy()
    ### END SOLUTION


def rmse(y, yhat):
    """Root mean squared error between values and their forecasts.

    Inputs:
    - y, yhat: arrays with the same number N of values, of shape (N,) or (N, 1) (the two may
      differ in shape: flatten both first).

    Returns a float.
    """
    ### BEGIN SOLUTION
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    yhat = np.asarray(yhat, dtype=np.float64).reshape(-1)
    return float(np.sqrt(np.mean((y - yhat) ** 2)))
    ### END SOLUTION


def naive_forecast(series, n_test):
    """One-step forecasts of the last n_test values by the value of the month before.

    Inputs:
    - series: array of shape (L,).
    - n_test: int, 1 <= n_test < L.

    Returns an array of shape (n_test,): forecast j is for series[L - n_test + j].
    """
    ### BEGIN SOLUTION
    series = np.asarray(series)
    return series[len(series) - n_test - 1:len(series) - 1].copy()
    ### END SOLUTION


def seasonal_naive_forecast(series, n_test, period=12):
    """One-step forecasts of the last n_test values by the value one period (season) before.

    Inputs:
    - series: array of shape (L,).
    - n_test: int, 1 <= n_test <= L - period.
    - period: int, the season length (12 for monthly data).

    Returns an array of shape (n_test,): forecast j is series[L - n_test + j - period].
    """
    ### BEGIN SOLUTION
    series = np.asarray(series)
    return series[len(series) - n_test - period:len(series) - period].copy()
    ### END SOLUTION


def forecast(series, n_test, seed=0):
    """One-step forecasts of the last n_test values by your best pipeline.

    The model is trained on series[:-n_test] only (fit any scaler there too). The forecast for
    month t may use the values before t, never the value of month t or later ones.

    Inputs:
    - series: array of shape (L,) of positive values (passengers per month), period 12.
    - n_test: int, the number of months to forecast at the end, n_test <= L - 36.
    - seed: int, seed torch with it before building the model so that results repeat.

    Returns a float64 array of shape (n_test,): forecast j is for series[L - n_test + j], in
    the units of the series.

    Hint: the raw values grow out of the training range, so a network trained on scaled raw
    values cannot forecast them. Model the seasonal differences of the log instead,
    d[t] = log(series[t]) - log(series[t - 12]) (the growth over a year), then undo it:
    forecast[t] = series[t - 12] * exp(predicted d[t]).
    """
    ### BEGIN SOLUTION
    torch.manual_seed(seed)
    series = np.asarray(series, dtype=np.float64)
    period, window = 12, 12
    log_series = np.log(series)
    growth = log_series[period:] - log_series[:-period]     # growth[k] is d for month k + 12
    n_train = len(growth) - n_test                          # growth values of the training months
    scaler = MinMaxScaler().fit(growth[:n_train])
    scaled = scaler.transform(growth)
    train_set = PassengerDataset(scaled[:n_train], window)
    model = AirlineRNN("gru", hidden_size=8)
    loader = DataLoader(train_set, batch_size=len(train_set))
    fit(model, loader, loader, epochs=150, lr=0.02)  # val = train: no early stopping here
    # One window per test month, ending right before it (the targets y are not used).
    test_set = PassengerDataset(scaled[n_train - window:], window)
    test_loader = DataLoader(test_set, batch_size=32, shuffle=False)
    scaled_hat = np.concatenate([predict(model, X) for X, _ in test_loader])
    growth_hat = scaler.inverse_transform(scaled_hat).reshape(-1)
    return series[len(series) - n_test - period:len(series) - period] * np.exp(growth_hat)
    ### END SOLUTION
