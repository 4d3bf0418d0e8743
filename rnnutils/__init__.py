"""The course's shared library: data, windows, plotting, gradient checks and seeding.

Import the submodule you need, e.g. ``from rnnutils.seeding import seed_everything``.
"""

__version__ = "0.1.0"
