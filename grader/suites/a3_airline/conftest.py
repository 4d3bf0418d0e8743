"""Shared data of the a3_airline hidden suite: the airline series and series generated at grading time."""

import numpy as np
import pytest

from rnnutils.airline import load_airline

N_TEST_AIRLINE = 44          # 70% chronological split of 144 months: 100 train, 44 test
GENERATED_LENGTHS = (120, 168, 204)


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
    noise = np.zeros(length)
    innovations = rng.normal(0.0, sigma * np.sqrt(1 - rho ** 2), size=length)
    noise[0] = rng.normal(0.0, sigma)
    for i in range(1, length):
        noise[i] = rho * noise[i - 1] + innovations[i]               # AR(1), sd sigma
    return np.exp(log_trend + season + noise)


def generated_cases(secret_seed):
    """The generated series of one grading run: a list of (series, n_test) pairs, 30% test."""
    rng = np.random.default_rng(secret_seed)
    cases = []
    for length in GENERATED_LENGTHS:
        series = make_series(rng, length)
        cases.append((series, length - int(0.7 * length)))
    return cases


@pytest.fixture(scope="session")
def airline_series():
    """The 144 monthly totals (thousands), float64 array of shape (144,)."""
    return load_airline()[1]


@pytest.fixture(scope="session")
def generated(secret_seed):
    """The series generated for this grading run from the secret seed."""
    return generated_cases(secret_seed)


def _load_probes():
    """probes.py as a module: the grader passes its functions to student.probe and reuses TinyModel."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("a3_airline_probes", Path(__file__).with_name("probes.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def probes():
    """The suite's probes.py (trusted code)."""
    return _load_probes()


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


@pytest.fixture(scope="session")
def number():
    """The helper ``as_number(value, what, hint=None)``."""
    return as_number
