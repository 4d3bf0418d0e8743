"""The figures behind the time limits: CPU time of the reference solution's calls and notebook cells.

``python -m grader.benches.time_limits [assignment ...]`` grades ``solutions/<aN>`` (the hidden suite,
then the notebook) and prints, per assignment, the slowest request of each kind with the limit it
stands under: calls under the suite's limit (``grader.grading.suite.CPU_LIMITS``), calls with a limit
of their own (a test's ``timeout=``), imports, notebook cells and the checks' calls
(``grader.grading.notebook.CELL_CPU_LIMITS``), and the whole notebook. A limit should be about 20
times the slowest request under it. CPU time hardly depends on the machine's load; wall time does.
"""

import sys
import time

from grader.grading import notebook, suite
from grader.paths import SOLUTIONS, known_assignments
from grader.sandbox import client


def measure(assignment):
    """``{kind: (slowest CPU seconds, what, its limit)}`` and the notebook's CPU total, from grading the reference."""
    slowest = {}
    original = client.Submission._timed

    def timed(self, message, limit, what):
        try:
            return original(self, message, limit, what)
        finally:
            op = message.get("op")
            if op == "import":
                kind = "import"
            elif op == "run_cell":
                kind = "notebook cell"
                lines = [line for line in message.get("source", "").splitlines() if line.strip()]
                what = "cell: " + (lines[0][:50] if lines else "(empty)")
            elif self.worker.notebook:
                kind = "notebook check call"
            else:
                kind = "call (suite limit)" if limit.cpu == self.cpu_limit else "call (own timeout=)"
            if self.last_cpu >= slowest.get(kind, (-1.0,))[0]:
                slowest[kind] = (self.last_cpu, what, limit.cpu)

    totals = []
    original_close = client.Submission.close

    def close(self):
        if self.worker.notebook:
            totals.append(self.cpu_used)
        original_close(self)

    client.Submission._timed, client.Submission.close = timed, close
    try:
        start = time.perf_counter()
        suite.run_suite(assignment, SOLUTIONS / assignment)
        notebook.grade_notebooks(assignment, SOLUTIONS / assignment)
        wall = time.perf_counter() - start
    finally:
        client.Submission._timed, client.Submission.close = original, original_close
    return slowest, sum(totals), wall


def run(names=None):
    lines = ["## Time limits: the reference's slowest requests (CPU seconds)", "",
             "| assignment | kind | slowest (s CPU) | limit (s CPU) | ratio | request |", "|---|---|---|---|---|---|"]
    for name in names or known_assignments():
        slowest, notebook_cpu, wall = measure(name)
        for kind, (cpu, what, limit) in sorted(slowest.items()):
            ratio = f"{limit / cpu:.0f}x" if cpu > 0 else "-"
            lines.append(f"| {name} | {kind} | {cpu:.2f} | {limit:g} | {ratio} | {what.replace('|', '/')[:70]} |")
        lines.append(f"| {name} | whole notebook | {notebook_cpu:.2f} | {notebook.NOTEBOOK_CPU_LIMIT:g} | "
                     f"{notebook.NOTEBOOK_CPU_LIMIT / max(notebook_cpu, 0.01):.0f}x | (grading took {wall:.0f} s wall) |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run(sys.argv[1:] or None))
