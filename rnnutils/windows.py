"""Sliding windows over a series and a min-max scaler, for the lectures and demo notebooks.

(Assignment a3_airline asks students to write their own versions; these are the library's.)
"""

import numpy as np


def make_windows(series, window):
    """Cut a 1-D series into (input window, next value) pairs for one-step-ahead forecasting.

    Inputs:
    - series: array-like of shape (L,), the values in time order.
    - window: int, the number T of past values each input holds, 1 <= T < L.

    Returns a tuple of:
    - X: float32 array of shape (N, T, 1) with N = L - T, X[i, :, 0] = series[i:i+T].
    - y: float32 array of shape (N, 1), y[i, 0] = series[i+T], the value right after X[i].
    """
    series = np.asarray(series, dtype=np.float32).reshape(-1)
    if not 1 <= window < len(series):
        raise ValueError(f"window must be in [1, {len(series) - 1}], got {window}")
    n = len(series) - window
    X = np.stack([series[i:i + window] for i in range(n)])[:, :, None]
    y = series[window:, None].copy()
    return X, y


class MinMaxScaler:
    """Scale values linearly so that the fitted data spans [0, 1].

    Fit it on training data only: fitting it on the whole series lets the test period's
    range leak into training.
    """

    def fit(self, x):
        """Remember the minimum and maximum of x (array-like of any shape); return self."""
        x = np.asarray(x, dtype=np.float64)
        self.data_min_ = float(x.min())
        self.data_max_ = float(x.max())
        return self

    def transform(self, x):
        """Map x (any shape) to (x - data_min_) / (data_max_ - data_min_); same shape back."""
        span = self.data_max_ - self.data_min_
        return (np.asarray(x, dtype=np.float64) - self.data_min_) / (span if span > 0 else 1.0)

    def inverse_transform(self, x_scaled):
        """Undo transform: map scaled values (any shape) back to the original units."""
        span = self.data_max_ - self.data_min_
        return np.asarray(x_scaled, dtype=np.float64) * (span if span > 0 else 1.0) + self.data_min_
