"""``ConcentrationOptimizer``: the input working level that best meets a truth table.

The search is Nelder-Mead on one variable, the factor ``s`` every input concentration of
every truth-table entry is multiplied by, kept in ``[0.5, 2.0]`` by clipping each trial
point. Vertices start at ``1.0`` and ``0.5 + 1.5 u`` (``u`` one uniform of the optimizer's
SplitMix64, kept across calls). Coefficients: reflection 1, expansion 2, contraction 0.5,
shrink 0.5; in one dimension the centroid is the best vertex. It stops after
``n_evaluations`` evaluations of the score or when the vertices are within 1e-9.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sc_neurocore._validation import InputTypeError, check_int, check_real
from sc_neurocore.splitmix import U64_LIMIT, SplitMix64

from .kinetics import KineticSimulator
from .types import DNACircuitDesign, check_design

__all__ = ["ConcentrationOptimizer", "LEVELS_NM", "SCALE_RANGE", "VERTEX_TOLERANCE",
           "nelder_mead_1d"]

LEVELS_NM = {"high": 150.0, "low": 20.0}
"""Target concentration (nM) of an expected ``"high"`` / ``"low"`` output."""
SCALE_RANGE = (0.5, 2.0)
"""The input scale factors searched."""
VERTEX_TOLERANCE = 1e-9
"""The search stops when its two vertices are this close."""


def _clip(x: float) -> float:
    low, high = SCALE_RANGE
    return low if x < low else (high if x > high else x)


class _Exhausted(Exception):
    """The evaluation budget is spent."""


def nelder_mead_1d(score: Callable[[float], float], x0: float, x1: float,
                   budget: int) -> tuple[float, float, float, int]:
    """Minimise ``score`` from the vertices ``x0`` and ``x1`` within ``budget`` evaluations.

    Returns ``(best_x, best_score, score(x0), evaluations)``; the best point is the lowest
    score seen, the first one in evaluation order on a tie. One iteration (``a`` the better
    vertex, ``b`` the worse, swapped when ``f(b) < f(a)``; stop when ``|b - a| <= 1e-9``):
    reflect ``r = clip(a + (a - b))``; if ``f(r) < f(a)`` expand ``e = clip(a + 2 (r - a))``
    and keep the better of ``e`` and ``r`` (``e`` only if strictly better) as ``b``; else if
    ``f(r) < f(b)`` contract outside ``c = clip(a + 0.5 (r - a))``, kept if
    ``f(c) <= f(r)``, else shrink ``b = a + 0.5 (b - a)``; else contract inside ``b = a +
    0.5 (b - a)`` (in one dimension the shrink lands on the same point).
    """
    seen: list[tuple[float, float]] = []

    def f(x: float) -> float:
        if len(seen) >= budget:
            raise _Exhausted
        value = score(x)
        seen.append((x, value))
        return value

    try:
        a, fa = x0, f(x0)
        b, fb = x1, f(x1)
        while True:
            if fb < fa:
                a, b, fa, fb = b, a, fb, fa
            if abs(b - a) <= VERTEX_TOLERANCE:
                break
            xr = _clip(a + (a - b))
            fr = f(xr)
            if fr < fa:
                xe = _clip(a + 2.0 * (xr - a))
                fe = f(xe)
                b, fb = (xe, fe) if fe < fr else (xr, fr)
            elif fr < fb:
                xc = _clip(a + 0.5 * (xr - a))
                fc = f(xc)
                if fc <= fr:
                    b, fb = xc, fc
                else:
                    b = a + 0.5 * (b - a)
                    fb = f(b)
            else:
                b = a + 0.5 * (b - a)
                fb = f(b)
    except _Exhausted:
        pass
    best_x, best_f = seen[0]
    for x, value in seen[1:]:
        if value < best_f:
            best_x, best_f = x, value
    return best_x, best_f, seen[0][1], len(seen)


def _truth_table(design: DNACircuitDesign, table: object) -> list[tuple[dict[str, float],
                                                                         list[tuple[str, float]]]]:
    if isinstance(table, (str, bytes, Mapping)) or not isinstance(table, Sequence):
        raise InputTypeError(f"truth_table must be a list of dicts, got {type(table).__name__}")
    if not table:
        raise ValueError("truth_table must have at least one entry")
    outputs = {g.output_name for g in design.gates}
    rows = []
    for k, entry in enumerate(table):
        where = f"truth_table[{k}]"
        if not isinstance(entry, Mapping) or set(entry) != {"inputs", "expected"}:
            raise ValueError(f"{where} must be a dict with exactly the keys inputs, expected")
        inputs = entry["inputs"]
        expected = entry["expected"]
        if not isinstance(inputs, Mapping) or not isinstance(expected, Mapping) or not expected:
            raise ValueError(f"{where}: inputs must be a dict and expected a non-empty dict")
        targets = []
        for name, level in expected.items():
            if name not in outputs:
                raise ValueError(f"{where}['expected'] names {name!r}, which no gate drives")
            if isinstance(level, str):
                if level not in LEVELS_NM:
                    raise ValueError(f"{where}['expected'][{name!r}] must be 'high', 'low' or "
                                     f"a concentration in nM, got {level!r}")
                targets.append((name, LEVELS_NM[level]))
            else:
                targets.append((name, check_real(level, f"{where}['expected'][{name!r}]",
                                                 minimum=0.0)))
        rows.append((dict(inputs), targets))
    return rows


class ConcentrationOptimizer:
    """Derivative-free search of the input working level against a truth table.

    The score of a factor ``s`` is ``sum over entries and expected outputs of
    (final - target)^2`` (nM^2, in table order), each entry simulated by
    ``KineticSimulator()`` with its inputs times ``s``; targets are 150 nM for ``"high"``,
    20 nM for ``"low"``, or a number of nM.

    Parameters
    ----------
    n_evaluations : int, optional
        Most score evaluations per ``optimize``, in ``[1, 100000]`` (default 200).
    seed : int, optional
        Seed of the SplitMix64 that places the second starting vertex (default 42).

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or out of range.
    """

    def __init__(self, n_evaluations: int = 200, seed: int = 42) -> None:
        self._max_eval = check_int(n_evaluations, "n_evaluations", minimum=1, below=100_001)
        self._rng = SplitMix64(check_int(seed, "seed", minimum=0, below=U64_LIMIT))

    def optimize(self, design: DNACircuitDesign, truth_table: list[dict[str, Any]],
                 duration_s: float = 1800.0) -> dict[str, Any]:
        """Find the input scale factor that best meets ``truth_table``.

        Parameters
        ----------
        design : DNACircuitDesign
        truth_table : list of dict
            Entries ``{"inputs": {name: nM}, "expected": {output: "high" | "low" | nM}}``.
        duration_s : float, optional
            Simulated time per evaluation (s, default 1800).

        Returns
        -------
        dict
            ``best_score``, ``initial_score`` (at ``s = 1``), ``improvement_pct``
            (``max(0, (1 - best / max(initial, 1e-12)) * 100)``), ``n_evaluations`` (used),
            ``best_scale`` and ``best_concentrations`` (each entry's inputs times it).

        Raises
        ------
        TypeError, ValueError
            For a bad design, table or duration (checked before the draw).
        RuntimeError
            If the kinetic simulator (a subclass or replacement of
            ``KineticSimulator.simulate``) returns no trace for an expected output.
        """
        check_design(design)
        rows = _truth_table(design, truth_table)
        sim = KineticSimulator()
        check_real(duration_s, "duration_s", minimum=0.0)
        for inputs, _ in rows:
            sim.simulate(design, inputs, duration_s=0.0)

        def score(scale: float) -> float:
            total = 0.0
            for inputs, targets in rows:
                scaled = {k: float(v) * scale for k, v in inputs.items()}
                result = sim.simulate(design, scaled, duration_s=duration_s)
                for name, target in targets:
                    if name not in result:
                        raise RuntimeError(f"kinetic simulator omitted expected output: {name}")
                    miss = float(result[name][-1]) - target
                    total += miss * miss
            return total

        x1 = SCALE_RANGE[0] + (SCALE_RANGE[1] - SCALE_RANGE[0]) * self._rng.uniform()
        best_x, best_f, initial, used = nelder_mead_1d(score, 1.0, x1, self._max_eval)
        improvement = (1.0 - best_f / max(initial, 1e-12)) * 100.0
        return {"best_score": best_f, "initial_score": initial,
                "improvement_pct": max(0.0, improvement), "n_evaluations": used,
                "best_scale": best_x,
                "best_concentrations": [{k: float(v) * best_x for k, v in inputs.items()}
                                        for inputs, _ in rows]}
