"""Grading one submission: a folder in, a ``Report`` out.

``grade`` copies each assignment folder once and runs its hidden suite (``suite``, pytest over
``grader/suites/<aN>/``) and its notebooks (``notebook``), both through sandboxed workers; ``testing``
holds the helpers hidden suites share, and ``diagnose`` names the known bug (the mutant, run here in
the grader on the same inputs) that a failed check's answer reproduces.

May import: ``grader.paths``, ``grader.sandbox``, ``grader.records`` (the report model) and the
libraries grading needs (pytest, numpy, torch). Never ``grader.cli``, ``grader.semester``, ``grader.authoring``.
"""
