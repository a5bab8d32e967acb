"""A busy machine on demand: CPU-bound processes for the study's contended rows.

``cpu_hogs`` starts one busy-looping Python process per usable CPU (the
CPU affinity mask, ``usable_cpus``) and
stops them when the ``with`` block ends.  A kernel timed inside the block
competes with as many runnable processes as there are cores, as on a shared
node, under MPI with more ranks x threads than cores, or beside a build.

Each hog also watches its parent and its own deadline, so none outlives a
study that was killed before it could stop them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from sc_neurocore._validation import check_int, check_real

from .._threads import usable_cpus

__all__ = ["cpu_hogs", "HOG_LIFETIME_S"]

# A hog ends itself after this many seconds even if nobody stops it.
HOG_LIFETIME_S = 900.0

# argv: parent pid, lifetime in seconds.  Prints one byte once running, then
# spins; every ~1e5 iterations it checks that its parent is still alive and
# that its lifetime has not run out.
_HOG_CODE = """\
import os, sys, time
parent, end = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
sys.stdout.write("r"); sys.stdout.flush()
x = 0
while True:
    for _ in range(100000):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
    if os.getppid() != parent or time.monotonic() > end:
        break
"""


@contextmanager
def cpu_hogs(count: int | None = None, lifetime_s: float = HOG_LIFETIME_S
             ) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Keep ``count`` CPU-bound processes running for the duration of the block.

    Parameters
    ----------
    count : int, optional
        Number of processes; default one per usable CPU.  0 starts none.
    lifetime_s : float, default 900
        Each process ends itself after this long even if not stopped.

    Yields
    ------
    list of subprocess.Popen
        The processes running (each has started spinning when the block
        begins; one that failed to start is left out).

    Raises
    ------
    ValueError
        If ``count`` is negative or ``lifetime_s`` is not positive.
    """
    count = usable_cpus() if count is None else check_int(count, "count", minimum=0)
    lifetime_s = check_real(lifetime_s, "lifetime_s", positive=True)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(count):
            procs.append(subprocess.Popen(
                [sys.executable, "-c", _HOG_CODE, str(os.getpid()), str(lifetime_s)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL))
        running = []
        for proc in procs:
            assert proc.stdout is not None
            if len(proc.stdout.read(1)) == 1:  # EOF (b"") if it died on start
                running.append(proc)
        yield running
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
