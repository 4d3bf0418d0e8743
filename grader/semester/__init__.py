"""A semester: the course file, the roster, when each commit was submitted and which one is graded.

``course`` (course.toml and extensions), ``roster`` (the roster file and where each submission is),
``history`` (git), ``pushes`` (GitHub's push timeline), ``lateness`` (which submission, what penalty),
``grade_roster`` (every student's due assignments, nobody lost), ``plan`` and ``github`` (the workflow's
matrix, clones and timelines), ``deliver`` (feedback pages and solutions pushed to each student's repository),
``similarity`` and ``similarity_report`` (every pair of submissions compared with copydetect; HTML and CSV),
``manual`` (written answers: an nbgrader course folder for formgrader, its hand grades read back) and
``manual_sheet`` (the same round trip through a CSV sheet).

May import: ``grader.paths``, ``grader.records`` and, to grade, ``grader.grading``. Everything but
``grade_roster``, ``similarity`` (copydetect, numpy) and ``manual`` (nbgrader, imported where it builds or
reads the course folder) uses the standard library only (the workflow's plan job has nothing installed).
Never ``grader.cli`` or ``grader.authoring``.
"""
