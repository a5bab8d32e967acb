"""Numba-specific rows of the study, each against a baseline measured in the same run.

* ``jit_vec_mac`` (hardware popcount, its rows shared out in small chunks to
  the calling thread and helper Python threads) against a serial per-word
  loop with a SWAR popcount, also compiled by Numba, in two forms: the
  shift-and-add fold, which stays SWAR in the machine code, and the multiply
  fold, which LLVM recognises as a popcount idiom and turns back into the
  hardware instruction (so that row measures only the threads and loop shape).
* ``NumbaBackend.sc_forward`` against ``sc_forward_numpy`` on W1.

The SWAR loops are baselines for these rows only; they are compiled on first
use, never when the backend is imported.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from .timing import extra_row, median_of

__all__ = ["bench_extras"]

_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)


def _byte_sums(x: Any) -> Any:
    """The first SWAR steps of a popcount of the uint64 ``x``: each byte holds its bit count."""
    x = x - ((x >> np.uint64(1)) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    return (x + (x >> np.uint64(4))) & _M4


def _shift_add_fold(x: Any) -> Any:
    """The byte sums of ``x`` added up by shifts and adds (Hacker's Delight "pop")."""
    x = x + (x >> np.uint64(8))
    x = x + (x >> np.uint64(16))
    x = x + (x >> np.uint64(32))
    return x & np.uint64(0x7F)


def _multiply_fold(x: Any) -> Any:
    """The byte sums of ``x`` added up by one multiplication."""
    return (x * _H01) >> np.uint64(56)


def _swar_loop(numba: Any, fold: Callable[[Any], Any]) -> Any:
    """Serial per-word AND + SWAR popcount, the byte sums added up by ``fold``, compiled.

    The helpers are inlined into the loop when Numba compiles it (the machine
    code is that of the loop written out by hand).
    """
    byte_sums = numba.njit(inline="always")(_byte_sums)
    fold_bytes = numba.njit(inline="always")(fold)

    def loop(weights: np.ndarray, inputs: np.ndarray, out: np.ndarray) -> None:
        n_out, n_in, n_words = weights.shape
        for o in range(n_out):
            total = np.uint64(0)
            for i in range(n_in):
                for w in range(n_words):
                    total += fold_bytes(byte_sums(weights[o, i, w] & inputs[i, w]))
            out[o] = total

    return numba.njit(cache=True)(loop)


def bench_extras(quick: bool, progress: Callable[[str], None], *, smoke: bool = False
                 ) -> list[dict[str, Any]]:
    """Numba rows of the study (module docstring).

    Parameters
    ----------
    quick : bool
        Fewer repeats (5 per row instead of 21).
    progress : callable
        Called with a short status line before each measurement.
    smoke : bool, default False
        Tiny shapes, one repeat: checks the harness, the figures mean nothing.

    Returns
    -------
    list of dict
        Keys ``name``, ``median_s``, ``baseline_name``, ``baseline_median_s``,
        ``ratio`` (baseline / median; above 1 means faster than the baseline)
        and ``note``.  Without Numba: one row whose note says why nothing ran.
    """
    from .._backends import on_numba as numba_backend
    from .._backends.on_numba import scheduling

    if not numba_backend.HAS_NUMBA:
        return [extra_row("numba extras", None, None, None,
                          f"skipped: numba is not installed ({numba_backend.NUMBA_IMPORT_ERROR})")]
    numba: Any = importlib.import_module("numba")

    from ..sc_inference import sc_forward_numpy

    repeats = 1 if smoke else 5 if quick else 21
    rng = np.random.default_rng(2024)
    n_out, n_in, length = (8, 16, 128) if smoke else (128, 784, 1024)
    n_words = length // 64
    weights = rng.integers(0, 2**64, size=(n_out, n_in, n_words), dtype=np.uint64)
    inputs = rng.integers(0, 2**64, size=(n_in, n_words), dtype=np.uint64)
    out_fast = np.empty(n_out, dtype=np.int64)
    out_swar = np.empty(n_out, dtype=np.uint64)
    shape = "W1" if not smoke else "smoke"
    rows = []

    progress(f"numba jit_vec_mac vs SWAR loops, {shape} {n_out}x{n_in}x{n_words} words "
             f"({repeats} repeats, compiling first)")
    fast = median_of(lambda: numba_backend.mac(weights, inputs, out_fast), repeats, warmup=True)
    # The kernels' own thread count (Numba's setting capped by the affinity
    # mask); they share chunks on Python threads, not Numba's threading layer.
    threads = f"up to {scheduling.num_threads()} threads (chunked work sharing, caller + helpers)"
    baselines: tuple[tuple[Any, str, str], ...] = (
        (_swar_loop(numba, _shift_add_fold),
         "numba serial per-word SWAR popcount loop (shift-add fold)",
         "the baseline stays SWAR (vectorised shifts/adds)"),
        (_swar_loop(numba, _multiply_fold),
         "numba serial per-word SWAR popcount loop (multiply fold)",
         "LLVM rewrites this baseline's SWAR into the popcount instruction, so it "
         "measures only the threads and loop shape"),
    )
    for kernel, base_name, caveat in baselines:
        base = median_of(functools.partial(kernel, weights, inputs, out_swar), repeats,
                         warmup=True)
        same = np.array_equal(out_fast, out_swar.astype(np.int64))
        rows.append(extra_row(f"numba jit_vec_mac {shape} ({n_out}x{n_in}x{n_words} words)", fast,
                              base_name, base,
                              f"hardware popcount on {threads}; {caveat}; "
                              f"{'identical' if same else 'MISMATCH with'} baseline counts"))

    probs = rng.random(n_in)
    backend = numba_backend.NumbaBackend()
    progress(f"numba sc_forward vs numpy sc_forward, {shape} ({repeats} repeats)")
    fast = median_of(lambda: backend.sc_forward(weights, probs, length=length), repeats,
                     warmup=True)
    base = median_of(lambda: sc_forward_numpy(weights, probs, length=length), repeats,
                     warmup=True)
    same = np.array_equal(backend.sc_forward(weights, probs, length=length),
                          sc_forward_numpy(weights, probs, length=length))
    rows.append(extra_row(f"numba sc_forward {shape} (n_out {n_out}, n_in {n_in}, length {length})",
                          fast, "numpy sc_forward_numpy", base,
                          f"fused encode + AND + popcount on {threads}; "
                          f"{'bit-identical' if same else 'MISMATCH'} with numpy"))
    return rows
