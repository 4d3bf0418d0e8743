"""Small matplotlib helpers shared by the lectures and the assignments.

Every helper draws on an ``Axes`` you pass in (or a new one when you pass none) and
returns that ``Axes``, so figures can be composed with ``plt.subplots``. Nothing here
needs a display: everything works with the Agg backend.

Introduced in lecture 01 (``use_course_style``, its colours ``COURSE_COLORS``, and ``plot_curves``);
``plot_series_with_forecast`` was introduced in lecture 02, ``plot_gradient_norms`` and
``plot_heatmap`` in lecture 03. Each helper's docstring names its lecture and section.
"""

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["COURSE_COLORS", "use_course_style", "plot_series_with_forecast", "plot_gradient_norms", "plot_heatmap",
           "plot_curves"]

COURSE_COLORS = ["#1f5fa8", "#d1495b", "#2e8b57", "#edae49", "#6a4c93", "#00798c"]


def use_course_style():
    """Set the course's matplotlib style: readable fonts, light grid, a fixed colour cycle.

    Introduced in lecture 01 (set-up cell); every lecture calls it first.

    Call it once at the top of a notebook; it changes ``matplotlib.rcParams`` in place.
    """
    plt.rcParams.update(
        {
            "figure.figsize": (7.0, 3.6),
            "figure.dpi": 90,
            "figure.constrained_layout.use": True,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "legend.fontsize": 9,
            "legend.frameon": False,
            "axes.prop_cycle": plt.cycler(color=COURSE_COLORS),
        }
    )


def _axes(ax):
    """Return ``ax``, or the Axes of a new figure when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots()
    return ax


def plot_series_with_forecast(
    x, y, forecast_x=None, forecast_y=None, split_at=None, ax=None, ylabel="", title=""
):
    """Plot a time series and, optionally, a model's forecast of part of it.

    Introduced in lecture 02, section 6 (airline passengers: one-step-ahead forecasts).

    Inputs:
    - x: array of shape (T,), positions of the observations (numbers or dates).
    - y: array of shape (T,), the observed series.
    - forecast_x: optional array of shape (F,), positions of the forecasts.
    - forecast_y: optional array of shape (F,), the forecasts.
    - split_at: optional position of the train/test boundary, drawn as a dashed line.
    - ax: optional matplotlib Axes to draw on.
    - ylabel, title: str labels.

    Returns:
    - ax: the Axes drawn on.
    """
    ax = _axes(ax)
    ax.plot(x, y, color=COURSE_COLORS[0], label="observed")
    if forecast_x is not None:
        ax.plot(forecast_x, forecast_y, color=COURSE_COLORS[1], linestyle="--", label="model")
    if split_at is not None:
        ax.axvline(split_at, color="grey", linestyle=":", label="train | test")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return ax


def plot_gradient_norms(distances, norms_by_label, ax=None, title=""):
    """Plot gradient norms against distance in time on a logarithmic y axis.

    Introduced in lecture 03, section 2 (powers of W_hh: vanishing and exploding gradients).

    Inputs:
    - distances: array of shape (K,), how many steps back each gradient reaches.
    - norms_by_label: dict from a label (str, e.g. "rho = 0.9") to an array of shape
      (K,) of gradient norms.
    - ax: optional matplotlib Axes to draw on.
    - title: str.

    Returns:
    - ax: the Axes drawn on.
    """
    ax = _axes(ax)
    for label, norms in norms_by_label.items():
        ax.semilogy(distances, norms, marker=".", label=label)
    ax.set_xlabel("distance k (time steps back)")
    ax.set_ylabel("gradient norm")
    ax.set_title(title)
    ax.legend()
    return ax


def plot_heatmap(
    matrix, row_labels=None, col_labels=None, ax=None, title="", cmap="viridis", vmin=None, vmax=None
):
    """Draw a matrix as a heatmap with a colour bar: attention weights, gate activations.

    Introduced in lecture 03, section 6 (looking inside the trained LSTM: its gates over time);
    lecture 04, section 7 draws attention weights with it.

    Inputs:
    - matrix: array of shape (R, C).
    - row_labels: optional sequence of R labels (e.g. query tokens or gate units).
    - col_labels: optional sequence of C labels (e.g. key tokens or time steps).
    - ax: optional matplotlib Axes to draw on.
    - title: str.
    - cmap, vmin, vmax: passed to ``imshow``.

    Returns:
    - ax: the Axes drawn on.
    """
    ax = _axes(ax)
    matrix = np.asarray(matrix)
    image = ax.imshow(matrix, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    if row_labels is not None:
        ax.set_yticks(range(len(row_labels)), labels=list(row_labels))
    if col_labels is not None:
        ax.set_xticks(range(len(col_labels)), labels=list(col_labels))
    ax.grid(False)
    ax.set_title(title)
    return ax


def plot_curves(curves, ax=None, xlabel="step", ylabel="loss", title="", logy=False):
    """Plot several learning curves (or any y-against-x lines) with a legend.

    Introduced in lecture 01, section 2 (activation functions and their derivatives) and used for
    every learning curve after it.

    Inputs:
    - curves: dict from a label (str) to either an array of shape (S,) of y values
      (x is then 0..S-1) or a pair (x, y) of arrays of shape (S,).
    - ax: optional matplotlib Axes to draw on.
    - xlabel, ylabel, title: str.
    - logy: bool, use a logarithmic y axis.

    Returns:
    - ax: the Axes drawn on.
    """
    ax = _axes(ax)
    for label, values in curves.items():
        if isinstance(values, tuple):
            x, y = values
        else:
            y = np.asarray(values)
            x = np.arange(len(y))
        ax.plot(x, y, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return ax
