"""Sharing one call's work among threads without ever waiting for a descheduled one.

The compiled kernels that use this
([`sc_neurocore.accel.jit_kernels`][sc_neurocore.accel.jit_kernels]) split their work into many
small chunks and claim them one at a time from a shared counter, so whichever thread is running
takes the next chunk.  A call runs as a *region*:

* the calling thread starts on the chunks at once;
* helper threads (a small pool, started on first use) join as soon as the
  operating system runs them; they wait for work passively, on a queue, so an
  idle helper never takes a core that another process needs;
* a helper that has not started by the time the caller runs out of chunks
  never joins;
* when the caller runs out of chunks to claim it computes again, itself,
  every chunk not yet marked finished, including chunks a helper
  claimed and may still be working on (the kernels write each output word
  once, from registers, so both copies write the same values), and returns
  without waiting for any helper.

So a helper that is descheduled, because every core is busy with other
processes, costs at most one chunk of duplicated work, never a wait.  A helper
still running after the call has returned writes only into the call's own
scratch arrays, which it keeps alive and nobody reads any more.  The pool is
re-created in a child process after ``fork()`` (threads do not survive it,
and neither may a lock one of them held: the child never touches the
parent's pool), and calls made from several threads at once each get their
own region.

When the caller's work raises (a Ctrl-C's ``KeyboardInterrupt`` between two
of its compiled slices), ``on_abort`` tells the helpers to take no further
chunk, so none stays busy with a call nobody waits for.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable

__all__ = ["run_shared"]


class _Region:
    """One call's shared work, offered to helpers until the caller closes it."""

    __slots__ = ("work", "lock", "open", "error")

    def __init__(self, work: Callable[[], None]) -> None:
        self.work = work
        self.lock = threading.Lock()
        self.open = True
        self.error: BaseException | None = None

    def help(self) -> None:
        """Run on a helper thread: join the region if it is still open."""
        with self.lock:
            if not self.open:
                return
        try:
            self.work()
        except BaseException as exc:  # the caller re-raises it if it is still there
            with self.lock:
                if self.error is None:
                    self.error = exc

    def close(self) -> BaseException | None:
        """Let no further helper in; the first error a helper raised so far, if any."""
        with self.lock:
            self.open = False
            return self.error


class _Pool:
    """Daemon helper threads that take regions from one queue."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.jobs: queue.SimpleQueue[_Region] = queue.SimpleQueue()
        self.threads: list[threading.Thread] = []

    def _serve(self) -> None:
        while True:
            self.jobs.get().help()

    def offer(self, region: _Region, helpers: int) -> None:
        """Start helper threads up to ``helpers`` and offer ``region`` to that many."""
        with self.lock:
            while len(self.threads) < helpers:
                thread = threading.Thread(target=self._serve, daemon=True,
                                          name=f"sc-neurocore-helper-{len(self.threads)}")
                thread.start()
                self.threads.append(thread)
        for _ in range(helpers):
            self.jobs.put(region)


_POOL = _Pool()


def _reset_after_fork() -> None:
    global _POOL
    _POOL = _Pool()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def run_shared(helper_work: Callable[[], None], caller_work: Callable[[], None],
               threads: int, on_abort: Callable[[], None] | None = None) -> None:
    """Run ``caller_work`` here while up to ``threads - 1`` helpers run ``helper_work``.

    Parameters
    ----------
    helper_work : callable
        Takes no argument; claims chunks from a counter it shares with
        ``caller_work``, runs each and marks it finished, until no chunk is
        left to claim.  It must release the GIL while it computes for helpers
        to run in parallel with the caller, and must not raise (kernels with
        checked arguments do not).
    caller_work : callable
        Takes no argument; claims chunks like ``helper_work``, then runs every
        chunk not yet marked finished, so that the whole result is complete
        when it returns (whatever the helpers did or did not do).
    threads : int
        Threads to use, the caller included; 1 or less runs ``caller_work`` only.
    on_abort : callable, optional
        Takes no argument; called on the calling thread when ``caller_work``
        raises, before the exception propagates: it should make the helpers
        stop claiming work (the kernels' ``stop`` flag).

    Raises
    ------
    BaseException
        Whatever ``caller_work`` raised, or a helper raised before the caller
        finished.
    """
    if threads <= 1:
        caller_work()
        return
    region = _Region(helper_work)
    _POOL.offer(region, threads - 1)
    try:
        caller_work()
    except BaseException:
        if on_abort is not None:
            on_abort()
        raise
    finally:
        error = region.close()
    if error is not None:
        raise error
