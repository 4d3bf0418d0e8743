"""Trusted values of the a3_airline suite and its notebook checks, computed in the grader.

- the metrics: ``rmse`` and the bar every forecast must beat, ``seasonal_naive_rmse``;
- the series the grader forecasts: ``generated_cases`` (trend x season x noise, drawn from the
  secret seed) and ``airline_like`` (the airline's own trend and season, fresh noise);
- the small known model of the loop tests as the grader builds it (``local_tiny_model``), its
  DataLoaders and parameters, and ``ObservedModel``, the same model as a grader callback that
  records how student code calls it.

Nothing of this file enters the worker.
"""

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from rnnutils.airline import load_airline

AIRLINE_TRAIN = 100          # 70% chronological split of the 144 airline months
GENERATED_LENGTHS = (120, 168, 204)


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


def local_loader(X, y, batch_size):
    return DataLoader(TensorDataset(torch.from_numpy(X.copy()), torch.from_numpy(y.copy())), batch_size=batch_size,
                      shuffle=False)


def parameters_of(model):
    """The parameters of a local tiny model: dict key -> float32 array."""
    return {key: value.detach().numpy().copy() for key, value in model.state_dict().items()}


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
