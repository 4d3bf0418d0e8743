"""Records: the report model and everything that reads reports after grading.

``results`` (the typed model, its serialisation and verification), ``report`` (report files),
``gradebook`` (every line of SQL), ``export`` (CSV), ``lms`` (the Canvas and Moodle import files),
``feedback`` (the page model and its HTML), ``feedback_markdown`` (the same pages as Markdown, for the
students' repositories), ``summary`` (the class summary), ``version`` (what graded a report).

Standard library only: the collect job runs on a bare Python. May import ``grader.paths`` and
nothing else of the grader.
"""
