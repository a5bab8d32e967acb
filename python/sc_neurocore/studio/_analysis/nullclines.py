"""Nullclines of a two-variable section of an equation system's drift field, with validity masks."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .contract import MODEL_DEFINED_UNIT, DomainStatus, MetricContract, attach_contract
from .equations import INPUT_NAME, NOISE_NAME, build_system, finite_value
from .errors import input_error
from .exact import linspace
from .expressions import EvaluationError, evaluate

__all__ = ["NULLCLINE_SCHEMA_VERSION", "DEFAULT_RANGES", "MAX_GRID", "nullclines_2d"]

NULLCLINE_SCHEMA_VERSION = "studio.nullclines.v2"
"""The ``schema_version`` of a nullcline payload."""
DEFAULT_RANGES: dict[int, tuple[float, float]] = {0: (-80.0, 40.0), 1: (-1.0, 1.0)}
"""The range of the first (``0``) and second (``1``) swept variable when ``ranges`` has none."""
MAX_GRID = 1024
"""Largest ``grid_size``."""


def _range(ranges: Mapping[str, object], name: str, default: tuple[float, float]
           ) -> tuple[float, float]:
    bounds = ranges.get(name, default)
    try:
        items = [] if isinstance(bounds, (str, bytes)) else list(bounds)  # type: ignore[call-overload]
    except TypeError:
        items = []
    if len(items) != 2:
        raise input_error("ranges", f"range of {name!r} must be two finite numbers, got "
                                    f"{bounds!r}")
    lo = finite_value(items[0], "ranges")
    hi = finite_value(items[1], "ranges")
    if not lo < hi:
        raise input_error("ranges", f"range of {name!r} must be increasing, got ({lo!r}, {hi!r})")
    if not math.isfinite(hi - lo):
        raise input_error("ranges", f"range of {name!r} must have a finite width")
    return lo, hi


def nullclines_2d(equations: Sequence[str], params: Mapping[str, float],
                  var_names: Sequence[str], ranges: Mapping[str, tuple[float, float]],
                  grid_size: int = 80, *, current: float = 0.0,
                  held: Mapping[str, float] | None = None) -> dict[str, Any]:
    """Both nullclines of a two-variable section of an equation system's drift field.

    The drift field is the right-hand sides of ``equations`` with the input
    ``I = current``, the noise symbol ``xi = 0`` and every other variable
    held constant. On ``x = linspace(*ranges[x_name], grid_size)`` and
    ``y`` likewise, sample ``(i, j)`` (row ``i`` along ``y``, column ``j``
    along ``x``) evaluates both components at ``(x[j], y[i])``; a sample whose
    evaluation fails (division by zero, a domain error, an overflow) is
    *invalid*, never a zero. Cell ``(i, j)`` carries a contour point of a
    component when its four corners ``(i, j), (i+1, j), (i, j+1), (i+1, j+1)``
    are all valid and the smallest corner value is ``<= 0`` and the largest
    ``>= 0``; the point is the cell's lower-left corner ``[x[j], y[i]]``,
    listed row by row.

    Parameters
    ----------
    equations : sequence of str
        The system's ``"d<var>/dt = <expression>"`` lines (drift only).
    params : mapping of str to float
        Parameter values.
    var_names : sequence of str
        The two swept variables ``(x, y)``, distinct equation variables.
    ranges : mapping of str to (float, float)
        Increasing ``(low, high)`` per swept variable; a missing one is
        ``DEFAULT_RANGES[0]`` for ``x`` and ``DEFAULT_RANGES[1]`` for ``y``.
    grid_size : int
        Samples per axis, in ``[2, MAX_GRID]``.
    current : float
        The input ``I`` the field is evaluated at.
    held : mapping of str to float, optional
        Values of other (not swept) equation variables; an unlisted one is held at 0.

    Returns
    -------
    dict
        ``schema_version``, ``var_names``, ``nullcline_0`` / ``nullcline_1``
        (``variable``, ``points``, ``cells``), ``grid`` (``x``, ``y``,
        ``size``), ``validity_0`` / ``validity_1`` (rows of 1 valid / 0
        invalid, row ``i`` along ``y``), ``held`` (every held variable's
        value), ``current``, ``domain`` (``status``, ``invalid_fraction``) and
        ``contract`` (kind ``"nullclines"``: ``"complete"`` when every sample
        is valid, ``"empty"`` when a component has no valid sample).

    Raises
    ------
    ModelInputError
        Naming the field: fewer or more than two swept variables, the same
        one twice, one that is not an equation variable, a held name that is
        not an equation variable or is swept, a bad range or ``grid_size``,
        an equation that does not parse or reads an unknown symbol.
    """
    if isinstance(var_names, str) or not isinstance(var_names, Sequence) or len(var_names) != 2:
        raise input_error("var_names", "nullclines need exactly two swept variables")
    v0, v1 = var_names[0], var_names[1]
    if not isinstance(v0, str) or not isinstance(v1, str):
        raise input_error("var_names", "the swept variables must be str")
    if v0 == v1:
        raise input_error("var_names", "the two swept variables must differ")
    if isinstance(grid_size, bool) or not isinstance(grid_size, int):
        raise input_error("grid_size", f"must be an int, got {type(grid_size).__name__}")
    if not 2 <= grid_size <= MAX_GRID:
        raise input_error("grid_size", f"must be in [2, {MAX_GRID}], got {grid_size}")
    system = build_system(equations, params=params, allow_noise=True)
    for name in (v0, v1):
        if name not in system.variables:
            raise input_error("var_names", f"{name!r} is not an equation variable")
    held_values: dict[str, float] = {}
    if held is not None:
        if not isinstance(held, Mapping):
            raise input_error("held", f"must be a mapping, got {type(held).__name__}")
        for name, value in held.items():
            if name not in system.variables:
                raise input_error("held", f"{name!r} is not an equation variable")
            if name in (v0, v1):
                raise input_error("held", f"{name!r} is swept and cannot be held")
            held_values[name] = finite_value(value, f"held.{name}")
    level = finite_value(current, "current")
    if not isinstance(ranges, Mapping):
        raise input_error("ranges", f"must be a mapping, got {type(ranges).__name__}")
    x = linspace(*_range(ranges, v0, DEFAULT_RANGES[0]), grid_size)
    y = linspace(*_range(ranges, v1, DEFAULT_RANGES[1]), grid_size)
    effective = {name: held_values.get(name, 0.0) for name in system.variables
                 if name not in (v0, v1)}
    base = {**system.params, **effective, INPUT_NAME: level, NOISE_NAME: 0.0}
    fields = [system.derivatives[system.variables.index(v)] for v in (v0, v1)]
    values: list[list[list[float | None]]] = [[], []]
    for yi in y:
        rows: list[list[float | None]] = [[], []]
        for xj in x:
            env = {**base, v0: xj, v1: yi}
            for c in range(2):
                try:
                    rows[c].append(evaluate(fields[c], env))
                except EvaluationError:
                    rows[c].append(None)
        values[0].append(rows[0])
        values[1].append(rows[1])
    contours = [_contour(values[c], x, y) for c in range(2)]
    total = grid_size * grid_size
    valid = [sum(v is not None for row in values[c] for v in row) for c in range(2)]
    domain: DomainStatus
    if valid[0] == total and valid[1] == total:
        domain = "complete"
    elif valid[0] == 0 or valid[1] == 0:
        domain = "empty"
    else:
        domain = "partial"
    invalid = [1.0 - valid[c] / total for c in range(2)]
    contract = MetricContract(
        kind="nullclines",
        definition=("sign change of one drift-field component across the four corners of a grid "
                    "cell whose corners are all valid samples; the reported point is the cell's "
                    "lower-left corner"),
        units={v0: MODEL_DEFINED_UNIT, v1: MODEL_DEFINED_UNIT, "field": MODEL_DEFINED_UNIT},
        applicability=("two-variable section of the system with every other variable held "
                       "constant", f"input current held at I = {level!r}",
                       "drift field only: the diffusion-noise symbol xi is evaluated at 0"),
        limitations=(f"grid resolution {grid_size} samples per axis, no root refinement",
                     "a sample where a component fails or is non-finite is invalid, not zero",
                     "a cell with any invalid corner carries no contour"),
        domain=domain,
        domain_detail={"cells_total": total, "cells_valid": {v0: valid[0], v1: valid[1]},
                       "invalid_fraction": {v0: invalid[0], v1: invalid[1]},
                       "contour_cells": {v0: len(contours[0]), v1: len(contours[1])}})
    payload: dict[str, Any] = {
        "schema_version": NULLCLINE_SCHEMA_VERSION, "var_names": [v0, v1],
        "nullcline_0": {"variable": v0, "points": contours[0], "cells": len(contours[0])},
        "nullcline_1": {"variable": v1, "points": contours[1], "cells": len(contours[1])},
        "grid": {"x": x, "y": y, "size": grid_size},
        "validity_0": [[int(v is not None) for v in row] for row in values[0]],
        "validity_1": [[int(v is not None) for v in row] for row in values[1]],
        "held": effective, "current": level,
        "domain": {"status": domain, "invalid_fraction": {v0: invalid[0], v1: invalid[1]}}}
    return attach_contract(payload, contract)


def _contour(z: list[list[float | None]], x: list[float], y: list[float]) -> list[list[float]]:
    points: list[list[float]] = []
    n = len(x)
    for i in range(n - 1):
        for j in range(n - 1):
            corners = (z[i][j], z[i + 1][j], z[i][j + 1], z[i + 1][j + 1])
            if any(c is None for c in corners):
                continue
            known = [c for c in corners if c is not None]
            if min(known) <= 0.0 <= max(known):
                points.append([x[j], y[i]])
    return points
