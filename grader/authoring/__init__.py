"""Authoring: from the instructor's solutions to what students and the world get.

The marker grammar of solution blocks, the release of ``assignments/`` (stubs, nbgrader notebooks),
the leak check, the student template, the publication of solutions after the late window, and the
mutants (known-wrong solutions built from the reference and graded to show each is caught).

May import: ``grader.paths``, ``grader.grading`` (mutants are graded like submissions) and the
standard library, nbgrader and nbconvert. Never ``grader.cli``, ``grader.semester``, ``grader.records``.
"""
