"""The course's autograder: release, grade, collect, export. Never shipped to students.

The pipeline, one package per stage (each package's docstring says what it owns and may import;
tests/test_layout.py checks the imports):

    authoring/   solutions -> release (stubs, notebooks), leak check, student template, mutants, publish
    grading/     one submission -> Report: hidden suite and notebook, through
    sandbox/     the workers student code runs in (bubblewrap, the wire codec, bounded copies)
    semester/    course.toml, roster, git history and push times, lateness, grading a class, the GitHub plan
    records/     the report model, gradebook, export, feedback, summary (standard library only)
    benches/     make bench

Content, never code of the pipeline: suites/<aN>/ (hidden tests), mutants/<aN>/ (known-wrong solutions),
student_template/ (the student repository's own files), docs/. At the top: cli.py (``python -m grader``,
thin commands over the stages), paths.py, runner.py (what official grading demands of the machine).
"""
