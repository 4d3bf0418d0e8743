"""The course's shared library: only what a lecture has taught, each piece naming its lecture.

The rule (the one of d2l.ai's library): a function or class enters ``rnnutils`` only after a
lecture has taught it, and its docstring says which lecture and section ("Introduced in lecture
02, section 6 ..."). Nothing a student must write in an assignment ships here: the library is
copied to every student and is importable while a submission is graded
(tests/test_rnnutils_leaks.py grades every released stub with all of the library imported into
it, and checks these docstrings).

Import the submodule you need:

- ``rnnutils.seeding``: ``seed_everything`` (lecture 01);
- ``rnnutils.plotting``: the course's plotting helpers (lectures 01 to 04);
- ``rnnutils.airline``: the airline passengers series (``load_airline``), shipped as package data
  (lecture 02);
- ``rnnutils.gradcheck``: numeric gradients by centred differences, in float64 (lecture 03);
- ``rnnutils.grammar``: the seeded grammar corpus with its exact entropy (``generate_corpus``,
  lecture 04);
- ``rnnutils.ngram``: character n-gram baselines and their bits per character (lecture 04);
- ``rnnutils.corpora``: real text available offline, the Python standard library's sources or
  any file (lecture 04);
- ``rnnutils.dates``: written dates and their ISO form, seeded pairs for an encoder-decoder and their
  encoders (``make_date_pairs``, lecture 04).
"""

__version__ = "0.1.0"
