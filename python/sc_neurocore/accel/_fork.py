"""What ``fork()`` waits for: imports that another thread has half done.

The package imports its backends lazily (the first call that asks for one
imports its module and, for the Rust backend, the compiled engine). Python's
import system guards each module being imported with a lock of its own, and a
child made by ``fork()`` inherits every such lock held by a thread of the
parent at that moment, but not the thread that would release it: the child's
first import of that module then blocks for ever. The reproducer is a thread
making its first Rust call while the main thread forks.

A before-fork handler closes that window: the forking thread waits (the GIL
released) until no other thread holds an import lock, for at most
`FORK_IMPORT_WAIT_S`, then forks.
It reads the import system's table of module locks; where that table does not
look as expected (another Python version), that wait does nothing.

Numba's compiler has the same hazard: a thread compiling a kernel (a first
Numba call) holds Numba's global compiler lock, and a child forked meanwhile
would wait for it for ever on its own first compile. Once Numba is imported,
the handler also takes that lock before the fork (waiting for a compile in
progress to finish) and releases it on both sides after it.
"""

from __future__ import annotations

import importlib._bootstrap as _bootstrap
import os
import sys
import threading
import time
from typing import Any

__all__ = ["FORK_IMPORT_WAIT_S", "imports_in_progress", "wait_for_imports"]

FORK_IMPORT_WAIT_S = 10.0
"""Longest wait (seconds) of a ``fork()`` for other threads' imports to finish."""

_POLL_S = 0.0005


def imports_in_progress() -> list[str]:
    """Modules another thread is importing now (it holds their import lock).

    Returns
    -------
    list of str
        The module names, in no particular order; empty when the import
        system's lock table cannot be read.
    """
    table = getattr(_bootstrap, "_module_locks", None)
    if not isinstance(table, dict):
        return []
    me = threading.get_ident()
    busy = []
    for name, ref in list(table.items()):
        lock = ref() if callable(ref) else None
        owner = getattr(lock, "owner", None)
        if owner is not None and owner != me:
            busy.append(name)
    return busy


def wait_for_imports(timeout_s: float = FORK_IMPORT_WAIT_S) -> bool:
    """Wait until no other thread is importing a module, for at most ``timeout_s``.

    Parameters
    ----------
    timeout_s : float
        The longest wait, in seconds.

    Returns
    -------
    bool
        True when no import was in progress at the end of the wait.
    """
    deadline = time.monotonic() + timeout_s
    while imports_in_progress():
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_S)
    return True


# Locks the forking thread took in `_before_fork`, released after the fork.
_HELD: list[Any] = []


def _numba_compiler_lock() -> Any:
    """Numba's global compiler lock, once Numba is imported (else None)."""
    module = sys.modules.get("numba.core.compiler_lock")
    lock = getattr(module, "global_compiler_lock", None)
    if callable(getattr(lock, "acquire", None)) and callable(getattr(lock, "release", None)):
        return lock
    return None


def _before_fork() -> None:
    wait_for_imports()
    lock = _numba_compiler_lock()
    if lock is not None:
        lock.acquire()  # waits for another thread's compile to finish
        _HELD.append(lock)


def _after_fork() -> None:
    # In the child the forking thread is the one thread left, and it owns the
    # lock (a re-entrant lock keeps its owner across fork()), so it may release.
    while _HELD:
        _HELD.pop().release()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork,
                        after_in_child=_after_fork)
