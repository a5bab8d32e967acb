"""LGSSM rows of the study: ``backend="rust"`` against ``backend="python"``.

[`sc_neurocore.world_model.predictive_model`][sc_neurocore.world_model.predictive_model]
runs its Kalman filter and EM either in NumPy (the written-down order of
operations) or in the Rust safety mirror through the engine; the two are
bit-identical, so each row also states that the outputs matched. Rows: the
filter and EM (a fixed number of iterations, ``tol = 0``, so both backends do
the same work) on ``T = 1000`` steps of a random model with ``n = 3`` and
``n = 20`` states (as many observations, one control).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .timing import extra_row, median_of

__all__ = ["bench_extras", "LGSSM_STEPS", "LGSSM_STATE_DIMS", "LGSSM_EM_ITERATIONS"]

LGSSM_STEPS = 1000
"""``T`` of the filter and EM rows."""
LGSSM_STATE_DIMS = (3, 20)
"""The state dimensions ``n`` (``p = n`` observations, one control)."""
LGSSM_EM_ITERATIONS = 5
"""EM iterations per timed fit (``tol = 0``: exactly this many; 3 in quick mode)."""


def _problem(n: int, steps: int) -> tuple[Any, np.ndarray, np.ndarray, Any]:
    from sc_neurocore.world_model.predictive_model import LinearGaussianSSM

    truth = LinearGaussianSSM.random(n, n, 1, seed=1000 + n)
    u = np.sin(np.arange(steps, dtype=np.float64) * 0.05)[:, None]
    _, y = truth.sample(steps, u, seed=2000 + n)
    start = LinearGaussianSSM.random(n, n, 1, seed=3000 + n)
    return truth, y, u, start


def bench_extras(quick: bool, progress: Callable[[str], None], *, smoke: bool = False
                 ) -> list[dict[str, Any]]:
    """LGSSM rows of the study (module docstring).

    Parameters
    ----------
    quick : bool
        Fewer repeats (one EM fit per backend) and three EM iterations.
    progress : callable
        Called with a short status line before each measurement.
    smoke : bool, default False
        Tiny shapes, one repeat, two EM iterations: checks the harness, the
        figures mean nothing.

    Returns
    -------
    list of dict
        Keys ``name``, ``median_s``, ``baseline_name``, ``baseline_median_s``,
        ``ratio`` (Python time / Rust time; above 1 means Rust is faster) and
        ``note``. Without the engine's LGSSM bindings: one row whose note says why
        nothing ran.
    """
    from sc_neurocore.world_model import _lgssm_backends

    if not _lgssm_backends.rust_available():
        return [extra_row("lgssm extras", None, None, None,
                          f"skipped: {_lgssm_backends._WHY_NOT}")]
    repeats = 1 if smoke else 3 if quick else 7
    em_repeats = 1 if smoke or quick else 3
    steps = 50 if smoke else LGSSM_STEPS
    dims = (3, 5) if smoke else LGSSM_STATE_DIMS
    iterations = 2 if smoke else 3 if quick else LGSSM_EM_ITERATIONS
    rows = []
    for n in dims:
        rows += _dimension_rows(n, steps, repeats, em_repeats, iterations, progress)
    return rows


def _dimension_rows(n: int, steps: int, repeats: int, em_repeats: int, iterations: int,
                    progress: Callable[[str], None]) -> list[dict[str, Any]]:
    """The filter and EM rows of one state dimension ``n``."""
    from sc_neurocore.world_model.predictive_model import EMLearner, KalmanFilter

    rows = []
    truth, y, u, start = _problem(n, steps)
    kf = KalmanFilter(truth)
    shape = f"T {steps}, n {n}, p {n}, m 1"
    last: dict[str, Any] = {}

    def run_filter(backend: str) -> None:
        last[backend] = kf.filter(y, u, backend=backend)

    progress(f"lgssm filter rust vs python, {shape} ({repeats} repeats)")
    fast = median_of(lambda: run_filter("rust"), repeats, warmup=True)
    base = median_of(lambda: run_filter("python"), repeats, warmup=True)
    a, b = last["rust"], last["python"]
    same = all(np.array_equal(getattr(a, k), getattr(b, k))
               for k in ("means", "covariances", "pred_means", "pred_covariances"))
    same = same and a.log_likelihood == b.log_likelihood
    rows.append(extra_row(f"lgssm KalmanFilter.filter rust ({shape})", fast,
                          "KalmanFilter.filter python (NumPy, ordered sums)", base,
                          "the safety mirror through the engine, single thread; "
                          f"{'bit-identical' if same else 'MISMATCH'} with python"))

    def run_fit(backend: str) -> None:
        learner = EMLearner(max_iter=iterations, tol=0.0)
        last[backend] = (learner.fit(y, start, u, backend=backend),
                         learner.log_likelihood_history)

    progress(f"lgssm EM ({iterations} iterations) rust vs python, {shape} "
             f"({em_repeats} repeats)")
    fast = median_of(lambda: run_fit("rust"), em_repeats)
    base = median_of(lambda: run_fit("python"), em_repeats)
    same = last["rust"] == last["python"]
    rows.append(extra_row(f"lgssm EMLearner.fit rust ({iterations} iterations, {shape})",
                          fast, "EMLearner.fit python", base,
                          "filter, smoother and M-step in the mirror; "
                          f"{'bit-identical models and histories' if same else 'MISMATCH'}"
                          " with python"))
    return rows
