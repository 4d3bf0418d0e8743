"""A busy machine on demand: CPU burners for the benches and for the tests that must hold under load."""

import contextlib
import os
import subprocess
import sys


@contextlib.contextmanager
def cpu_burners(count=None):
    """Processes that spin on the CPU while the block runs (default: two per core).

    Each runs in a session of its own: the scheduler shares CPUs between sessions first, and every
    sandboxed worker has its own session, so burners in the caller's session would hardly slow a worker.
    """
    count = count or 2 * (os.cpu_count() or 1)
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
               for _ in range(count)]
    try:
        yield burners
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
