"""``make bench``: timings, never assertions. ``run`` times grading the reference (suite and notebook)
and runs each assignment's bench (``<aN>.py``: its own figures) and the roster's throughput
(``roster.py``). May import anything of the grader but ``grader.cli``.
"""
