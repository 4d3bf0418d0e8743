"""The monthly international airline passengers series (1949-01 to 1960-12), shipped with the library.

Source: G. E. P. Box and G. M. Jenkins, *Time Series Analysis: Forecasting and Control*
(Holden-Day, 1976), Series G: totals of international airline passengers per month, in
thousands, January 1949 to December 1960 (144 values). The same values are R's ``AirPassengers``
dataset. They ship in ``rnnutils/data/airline_passengers.csv`` (columns ``month,passengers``), so
nothing is downloaded at run time.

Introduced in lecture 02, section 6 (airline passengers), where a three-unit RNN forecasts it;
assignment a3_airline loads it the same way.
"""

import csv
import io
from importlib import resources

import numpy as np

__all__ = ["load_airline"]


def load_airline():
    """Load the 144 monthly passenger totals of Box & Jenkins' Series G.

    Introduced in lecture 02, section 6 (airline passengers).

    Returns a tuple of:
    - months: numpy array of str, shape (T,) with T = 144, "YYYY-MM" from "1949-01" to "1960-12".
    - passengers: float64 numpy array, shape (T,), passengers per month in thousands.
    """
    text = resources.files("rnnutils").joinpath("data/airline_passengers.csv").read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    months = np.array([row["month"] for row in rows])
    passengers = np.array([float(row["passengers"]) for row in rows], dtype=np.float64)
    return months, passengers
