"""The helper-thread work sharing behind the compiled kernels (``_workshare``)."""

from __future__ import annotations

import multiprocessing
import os
import threading

import pytest
from sc_neurocore.accel import _workshare as ws
from sc_neurocore.accel._threads import usable_cpus


def make_work(n_chunks: int):
    """Shared chunk bookkeeping and (helper, caller) callables that fill ``hits``."""
    lock = threading.Lock()
    next_chunk = [0]
    hits = [0] * n_chunks
    done = [False] * n_chunks
    runners: list[str] = []

    def run(chunk: int) -> None:
        with lock:
            hits[chunk] += 1
            runners.append(threading.current_thread().name)
            done[chunk] = True

    def claim() -> int:
        with lock:
            chunk = next_chunk[0]
            next_chunk[0] += 1
            return chunk

    def helper() -> None:
        while (c := claim()) < n_chunks:
            run(c)

    def caller() -> None:
        helper()
        for c in range(n_chunks):
            if not done[c]:
                run(c)

    return hits, runners, helper, caller


@pytest.mark.parametrize("threads", [0, 1, 2, 3, 7])
@pytest.mark.parametrize("n_chunks", [1, 2, 5, 64])
def test_every_chunk_runs_and_the_result_is_complete_on_return(threads, n_chunks):
    hits, _, helper, caller = make_work(n_chunks)
    ws.run_shared(helper, caller, threads)
    assert all(h >= 1 for h in hits)


def test_caller_does_not_wait_for_a_stalled_helper():
    # The helper claims the first chunk and then stalls until released; the
    # caller must finish (taking the stalled chunk over) without it.
    release = threading.Event()
    claimed = threading.Event()
    lock = threading.Lock()
    state = {"next": 0, "done": [False, False, False]}
    ran_by_caller = []

    def helper() -> None:
        with lock:
            chunk = state["next"]
            state["next"] += 1
        if chunk < 3:
            claimed.set()
            release.wait(timeout=30)

    def caller() -> None:
        assert claimed.wait(timeout=30)
        for c in range(3):
            if not state["done"][c]:
                ran_by_caller.append(c)
                state["done"][c] = True

    ws.run_shared(helper, caller, 2)
    assert ran_by_caller == [0, 1, 2]
    release.set()


def test_errors_reach_the_caller():
    def boom() -> None:
        raise RuntimeError("caller failed")

    with pytest.raises(RuntimeError, match="caller failed"):
        ws.run_shared(lambda: None, boom, 2)

    helper_ran = threading.Event()

    def failing_helper() -> None:
        helper_ran.set()
        raise ValueError("helper failed")

    with pytest.raises(ValueError, match="helper failed"):
        ws.run_shared(failing_helper, lambda: helper_ran.wait(timeout=30), 2)


def test_on_abort_runs_when_the_caller_raises_and_only_then():
    aborted = []
    for raised in (KeyboardInterrupt, RuntimeError):
        def interrupted() -> None:
            raise raised("stop")

        with pytest.raises(raised):
            ws.run_shared(lambda: None, interrupted, 2, on_abort=lambda: aborted.append(raised))
    hits, _, helper, caller = make_work(8)
    ws.run_shared(helper, caller, 2, on_abort=lambda: aborted.append("finished"))
    assert aborted == [KeyboardInterrupt, RuntimeError] and all(h >= 1 for h in hits)


def test_concurrent_callers_each_get_a_complete_result():
    results = []

    def one_call() -> None:
        hits, _, helper, caller = make_work(40)
        ws.run_shared(helper, caller, 3)
        results.append(all(h >= 1 for h in hits))

    threads = [threading.Thread(target=one_call) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == [True] * 6


def _child_runs_shared(queue) -> None:
    hits, _, helper, caller = make_work(16)
    ws.run_shared(helper, caller, 2)
    queue.put(all(h >= 1 for h in hits))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
@pytest.mark.filterwarnings("ignore:os.fork:RuntimeWarning")
def test_works_in_a_forked_child_after_the_parent_started_helpers():
    hits, _, helper, caller = make_work(16)
    ws.run_shared(helper, caller, 2)  # the parent's pool now has a helper thread
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_runs_shared, args=(queue,))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0 and queue.get(timeout=10) is True


def test_usable_cpus_follows_the_affinity_mask():
    n = usable_cpus()  # what the Numba kernels cap their threads by
    assert n >= 1
    if hasattr(os, "sched_getaffinity"):
        assert n == len(os.sched_getaffinity(0))
