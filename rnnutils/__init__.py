"""The course's shared library, used by lectures, assignments and tests.

Import the submodule you need:

- ``rnnutils.airline``: the airline passengers series (``load_airline``), shipped as package data;
- ``rnnutils.windows``: sliding windows and min-max scaling for time series;
- ``rnnutils.grammar``: the seeded grammar corpus with its exact entropy (``generate_corpus``);
- ``rnnutils.corpora``: real text available offline (the Python standard library's sources, any file);
- ``rnnutils.ngram``: character n-gram baselines and their bits per character;
- ``rnnutils.gradcheck``: numeric gradients by centred differences, in float64;
- ``rnnutils.plotting``: the course's plotting helpers;
- ``rnnutils.seeding``: ``seed_everything``.
"""

__version__ = "0.1.0"
