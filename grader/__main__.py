"""``python -m grader``: refuse an interpreter that is too old with one line, then run the command line."""

import sys

from grader.runner import python_problem


def start():
    problem = python_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    from grader.cli import main

    return main()


if __name__ == "__main__":
    sys.exit(start())
