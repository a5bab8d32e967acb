"""Parameter sweeps over ``simulate_fn`` runs: f-I curve, extrema sweep, elasticities, rate map.

Each sweep copies ``base_config`` per point and sets ``current`` (the f-I
curve) or entries of its ``params`` mapping (the others), calls
``simulate_fn(**config)`` and returns plain lists with a metric contract
(``contract``). Grids are ``linspace`` of :mod:`.exact`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sc_neurocore._validation import check_int, check_real, check_text

from .._checks import callable_arg, config_mapping, finite_span
from .contract import MODEL_DEFINED_UNIT, MetricContract, attach_contract, domain_of
from .exact import linspace, round_decimals, sequential_sum
from .runs import SimulateFn, rate_of, state_traces_of

__all__ = ["MAX_POINTS", "SENSITIVITY_PERTURBATION", "ATTRACTOR_MIN_SAMPLES",
           "ATTRACTOR_EXTREMA_KEPT", "ATTRACTOR_DECIMALS", "SENSITIVITY_DECIMALS",
           "RATE_DEFINITION", "REASON_ZERO_PARAMETER", "REASON_ZERO_RATE", "REASON_NO_CHANGE",
           "check_count", "fi_curve_sweep", "attractor_sample", "bifurcation_sweep",
           "sensitivity_analysis", "heatmap_2d"]

MAX_POINTS = 1_000_000
"""Most points of one sweep (``i_steps``, ``n_values``, ``x_steps * y_steps``, ``n_freqs``)."""
SENSITIVITY_PERTURBATION = 0.1
"""Default relative perturbation of
[`sensitivity_analysis`][sc_neurocore.studio.analysis.sensitivity_analysis]."""
ATTRACTOR_MIN_SAMPLES = 10
"""Fewest late samples (second half of a trace) a bifurcation point needs."""
ATTRACTOR_EXTREMA_KEPT = 20
"""The last this many maxima and this many minima of a late trace are kept."""
ATTRACTOR_DECIMALS = 2
"""Decimals the attractor values are rounded to (Python's ``round``)."""
SENSITIVITY_DECIMALS = 4
"""Decimals an elasticity is rounded to (Python's ``round``)."""
RATE_DEFINITION = (
    "spike count divided by the simulated duration (Hz, time step in ms); the "
    "transient from the initial state is included, no settling window is discarded"
)
"""How every rate of these sweeps is defined (the run's ``stats.rate_hz``)."""
REASON_ZERO_PARAMETER = "relative perturbation of a zero parameter is no perturbation"
"""Why an elasticity is undefined when the parameter is 0."""
REASON_ZERO_RATE = "no spikes at the base configuration; the elasticity is undefined"
"""Why an elasticity is undefined when the base rate is 0."""
REASON_NO_CHANGE = ("the perturbation is below the parameter's floating-point resolution; "
                    "the elasticity is undefined")
"""Why an elasticity is undefined when ``p + delta`` or ``p - delta`` rounds back to ``p``."""


def check_count(value: object, name: str) -> int:
    """``value`` as an int in ``[1, MAX_POINTS]`` (naming ``name``)."""
    return check_int(value, name, minimum=1, below=MAX_POINTS + 1)


def _rate_units() -> dict[str, str]:
    return {"rates": "Hz", "currents": MODEL_DEFINED_UNIT, "current": MODEL_DEFINED_UNIT}


def _with_params(config: Mapping[str, object], **values: float) -> dict[str, object]:
    """A copy of ``config`` whose ``params`` is a copy updated with ``values``."""
    cfg = dict(config)
    params = config_mapping(cfg.get("params"), "base_config['params']")
    params.update(values)
    cfg["params"] = params
    return cfg


def _drive_fields(config: Mapping[str, object]) -> dict[str, object]:
    """``protocol`` (default ``"constant"``) and, for a sine, its ``frequency_hz`` (default 10)."""
    protocol = config.get("protocol", "constant")
    if not isinstance(protocol, str):
        raise TypeError(f"base_config['protocol'] must be a str, got {type(protocol).__name__}")
    fields: dict[str, object] = {"protocol": protocol}
    if protocol == "sine":
        fields["frequency_hz"] = check_real(config.get("frequency_hz", 10.0),
                                            "base_config['frequency_hz']")
    return fields


def fi_curve_sweep(simulate_fn: SimulateFn, i_min: float, i_max: float, i_steps: int, *,
                   base_config: Mapping[str, object] | None = None) -> dict[str, Any]:
    """Sweep a constant current and report the firing rate at each level.

    Runs ``simulate_fn(**{**base_config, "current": c})`` for each ``c`` of
    ``linspace(i_min, i_max, i_steps)`` and reads ``stats.rate_hz``.

    Parameters
    ----------
    simulate_fn : callable
        A simulator accepting ``current=`` (see the ``simulate_fn`` protocol).
    i_min : float
        First current.
    i_max : float
        Last current (inclusive; ``i_max < i_min`` sweeps downwards).
    i_steps : int
        Number of levels, in ``[1, MAX_POINTS]``.
    base_config : mapping, optional
        Other configuration keys passed on every call (an extension; default none).

    Returns
    -------
    dict
        ``currents``, ``rates`` (lists of float) and ``contract``
        (kind ``"fi-curve"``).

    Raises
    ------
    TypeError, ValueError
        Bad arguments (naming them), or a result without a valid
        ``stats.rate_hz`` (naming ``simulate_fn``).
    """
    callable_arg(simulate_fn, "simulate_fn")
    lo, hi = finite_span(i_min, i_max, "i_min", "i_max")
    n = check_count(i_steps, "i_steps")
    config = config_mapping(base_config)
    currents = linspace(lo, hi, n)
    rates = [rate_of(simulate_fn(**{**config, "current": c})) for c in currents]
    contract = MetricContract(
        kind="fi-curve", definition=RATE_DEFINITION, units=_rate_units(),
        applicability=("constant-current protocol; each level starts from the same initial "
                       "state",),
        limitations=("rate resolution is one spike per simulated duration",
                     "a rate of 0 is a measured absence of spikes within the duration, not a "
                     "statement about the rheobase"))
    return attach_contract({"currents": currents, "rates": rates}, contract)


def _extrema(late: Sequence[float]) -> tuple[list[float], list[float]]:
    """Local maxima and minima of ``late`` in time order; a plateau counts once.

    Runs of equal samples are one sample; a maximum is a sample whose last
    different neighbour before it and first different one after it are both
    lower (a minimum: both higher). A flat step inside a monotonic run is no
    extremum.
    """
    maxima: list[float] = []
    minima: list[float] = []
    previous = 0  # sign of the last non-zero difference
    for i in range(len(late) - 1):
        d = late[i + 1] - late[i]
        sign = 1 if d > 0.0 else (-1 if d < 0.0 else 0)
        if sign == 0:
            continue
        if previous > 0 > sign:
            maxima.append(late[i])
        elif previous < 0 < sign:
            minima.append(late[i])
        previous = sign
    return maxima, minima


def attractor_sample(trace: Sequence[float]) -> tuple[list[float], str]:
    """The attractor sample of one state trace and its kind (see ``bifurcation_sweep``).

    Parameters
    ----------
    trace : sequence of float
        One full-resolution state trace.

    Returns
    -------
    (list of float, str)
        The sorted distinct rounded extrema and ``"extrema"``; the rounded
        mean of the late half and ``"fixed_point"`` when it has no extremum;
        ``[]`` and ``"insufficient_samples"`` when the late half is shorter
        than ``ATTRACTOR_MIN_SAMPLES``.
    """
    late = list(trace[len(trace) // 2:])
    if len(late) < ATTRACTOR_MIN_SAMPLES:
        return [], "insufficient_samples"
    maxima, minima = _extrema(late)
    rounded = [round_decimals(x, ATTRACTOR_DECIMALS)
               for x in (*maxima[-ATTRACTOR_EXTREMA_KEPT:], *minima[-ATTRACTOR_EXTREMA_KEPT:])]
    distinct: list[float] = []
    for x in rounded:
        if x not in distinct:
            distinct.append(x)
    if distinct:
        return sorted(distinct), "extrema"
    return [round_decimals(sequential_sum(late) / len(late), ATTRACTOR_DECIMALS)], "fixed_point"


def bifurcation_sweep(simulate_fn: SimulateFn, base_config: Mapping[str, object],
                      param_name: str, param_min: float, param_max: float,
                      n_values: int = 30, *, variable: str | None = None) -> dict[str, Any]:
    """Sweep one parameter and record the late-run extrema of one state trace.

    A numerical extrema sweep under the configured drive, not a bifurcation
    continuation: no branch is followed and no stability computed. For each
    ``p`` of ``linspace(param_min, param_max, n_values)`` the run gets
    ``params[param_name] = p``; of the analysed trace's second half
    (``trace[len(trace) // 2:]``):

    1. fewer than ``ATTRACTOR_MIN_SAMPLES`` samples: ``[]``, kind
       ``"insufficient_samples"``;
    2. else its local maxima and minima (a plateau counts once, a flat step
       inside a monotonic run not at all), the last ``ATTRACTOR_EXTREMA_KEPT``
       of each, rounded to ``ATTRACTOR_DECIMALS`` (Python's ``round``), sorted
       without duplicates: kind ``"extrema"``;
    3. no extremum: ``[round(mean, ATTRACTOR_DECIMALS)]`` (the mean summed
       left to right): kind ``"fixed_point"``.

    Parameters
    ----------
    simulate_fn : callable
        A simulator accepting ``params=`` and the other base-config keys,
        returning state traces.
    base_config : mapping
        Configuration of every point (its ``params`` is copied and updated;
        its ``protocol`` is reported).
    param_name : str
        The swept key of ``params``.
    param_min : float
        First value.
    param_max : float
        Last value (inclusive).
    n_values : int
        Number of values, in ``[1, MAX_POINTS]``.
    variable : str, optional
        The state analysed; the first trace of the first run when ``None``.

    Returns
    -------
    dict
        ``param_name``, ``param_values``, ``attractors`` (one list per value),
        ``attractor_kinds``, ``variable``, ``protocol`` (and ``frequency_hz``
        for a sine) and ``contract`` (kind ``"numerical-extrema-sweep"``;
        domain ``"partial"`` or ``"empty"`` when points had insufficient samples).

    Raises
    ------
    TypeError, ValueError
        Bad arguments (naming them); ``variable`` not a state trace of the
        run; a run without traces or with non-finite ones (naming ``simulate_fn``).
    """
    callable_arg(simulate_fn, "simulate_fn")
    config = config_mapping(base_config)
    name = check_text(param_name, "param_name")
    lo, hi = finite_span(param_min, param_max, "param_min", "param_max")
    n = check_count(n_values, "n_values")
    analysed = None if variable is None else check_text(variable, "variable")
    drive = _drive_fields(config)
    values = linspace(lo, hi, n)
    attractors: list[list[float]] = []
    kinds: list[str] = []
    for value in values:
        traces = state_traces_of(simulate_fn(**_with_params(config, **{name: value})))
        if analysed is None:
            if not traces:
                raise ValueError("simulate_fn() must return at least one state trace")
            analysed = next(iter(traces))
        if analysed not in traces:
            raise ValueError(f"variable {analysed!r} is not a state trace of the run; the run "
                             f"has {list(traces)}")
        sample, kind = attractor_sample(traces[analysed])
        attractors.append(sample)
        kinds.append(kind)
    short = kinds.count("insufficient_samples")
    payload: dict[str, Any] = {"param_name": name, "param_values": values,
                               "attractors": attractors, "attractor_kinds": kinds,
                               "variable": analysed, **drive}
    contract = MetricContract(
        kind="numerical-extrema-sweep",
        definition=("local maxima and minima of the analysed state trace over the second half "
                    f"of each run (last {ATTRACTOR_EXTREMA_KEPT} of each, rounded to "
                    f"{ATTRACTOR_DECIMALS} decimals); a trace without extrema reports its mean"),
        units={"param_values": MODEL_DEFINED_UNIT, "attractors": MODEL_DEFINED_UNIT},
        applicability=(f"drive protocol {payload['protocol']!r}; the extrema reflect the driven "
                       "response, not an autonomous attractor",
                       "each run restarts from the same initial state"),
        limitations=("not a bifurcation continuation: no branch following, no stability, no "
                     "detection of bifurcation points",
                     "the transient is assumed to end within the first half of the run"),
        domain=domain_of(n - short, n),
        domain_detail={"insufficient_samples": short, "total": n})
    return attach_contract(payload, contract)


def _param_names(value: object, params: Mapping[str, object]) -> list[str]:
    if isinstance(value, str) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"param_names must be a sequence of str, got {type(value).__name__}")
    names = value.tolist() if isinstance(value, np.ndarray) else list(value)
    for item in names:
        if not isinstance(item, str):
            raise TypeError(f"param_names must hold str, got {item!r}")
        if item not in params:
            raise ValueError(f"param_names must be keys of base_config['params'], got {item!r}; "
                             f"params has {list(params)}")
    if len(set(names)) != len(names):
        raise ValueError(f"param_names must not repeat a name, got {names}")
    return names


def sensitivity_analysis(simulate_fn: SimulateFn, base_config: Mapping[str, object],
                         param_names: Sequence[str],
                         perturbation: float = SENSITIVITY_PERTURBATION) -> dict[str, Any]:
    """Rate elasticity of each parameter under a symmetric relative perturbation.

    ``r0`` is the rate at ``base_config``; for a parameter of value ``p``
    (``base_config["params"][name]``) and ``delta = perturbation * |p|``, the
    rates ``r-``, ``r+`` at ``p - delta`` and ``p + delta`` give the
    elasticity ``round(((|d| * |p|) / r0), SENSITIVITY_DECIMALS)`` with
    ``d = (r+ - r-) / (2.0 * delta)``. It is undefined (``None``, with a
    ``reason``) when ``p == 0`` (no perturbation at all), when ``p + delta``
    or ``p - delta`` rounds back to ``p``, or when ``r0 == 0`` (the two
    perturbed runs are still reported).

    Parameters
    ----------
    simulate_fn : callable
        A simulator accepting ``params=``, returning ``stats.rate_hz``.
    base_config : mapping
        The base configuration; ``params`` holds the base values.
    param_names : sequence of str
        Distinct keys of ``params`` whose values are finite reals.
    perturbation : float
        Relative perturbation, in ``(0, 1)``.

    Returns
    -------
    dict
        ``base_rate``, ``sensitivities`` and ``contract`` (kind
        ``"rate-elasticity"``, domain by the share of defined rows). Each row
        has ``param``, ``sensitivity`` (float or ``None``) and ``base_rate``;
        ``rate_minus``/``rate_plus`` when the perturbed runs were made;
        ``reason`` when undefined. Rows are sorted by elasticity, largest
        first, undefined ones last (ties keep ``param_names`` order).

    Raises
    ------
    TypeError, ValueError
        Bad arguments (naming them), a parameter value that is not a finite
        real (naming ``base_config['params'][name]``) or a result without a
        valid ``stats.rate_hz`` (naming ``simulate_fn``).
    """
    callable_arg(simulate_fn, "simulate_fn")
    config = config_mapping(base_config)
    params = config_mapping(config.get("params"), "base_config['params']")
    names = _param_names(param_names, params)
    rel = check_real(perturbation, "perturbation")
    if not 0.0 < rel < 1.0:
        raise ValueError(f"perturbation must be in (0, 1), got {rel!r}")
    values = [check_real(params[name], f"base_config['params'][{name!r}]") for name in names]
    base_rate = rate_of(simulate_fn(**config))
    rows: list[dict[str, Any]] = []
    for name, p in zip(names, values):
        delta = abs(p) * rel
        if p == 0.0 or p + delta == p or p - delta == p:
            rows.append({"param": name, "sensitivity": None, "base_rate": base_rate,
                         "reason": REASON_ZERO_PARAMETER if p == 0.0 else REASON_NO_CHANGE})
            continue
        r_minus = rate_of(simulate_fn(**_with_params(config, **{name: p - delta})))
        r_plus = rate_of(simulate_fn(**_with_params(config, **{name: p + delta})))
        row: dict[str, Any] = {"param": name, "base_rate": base_rate, "rate_minus": r_minus,
                               "rate_plus": r_plus}
        if base_rate <= 0.0:
            row["sensitivity"] = None
            row["reason"] = REASON_ZERO_RATE
        else:
            derivative = (r_plus - r_minus) / (2.0 * delta)
            row["sensitivity"] = round_decimals(abs(derivative) * abs(p) / base_rate,
                                                SENSITIVITY_DECIMALS)
        rows.append(row)
    rows.sort(key=lambda r: (r["sensitivity"] is None, -(r["sensitivity"] or 0.0)))
    undefined = sum(r["sensitivity"] is None for r in rows)
    contract = MetricContract(
        kind="rate-elasticity",
        definition=("|rate(p+δ) − rate(p−δ)| / (2δ) · |p| / rate(p) with δ = "
                    f"{rel} · |p| (dimensionless central-difference elasticity of the firing "
                    "rate)"),
        units={"sensitivity": "dimensionless", "base_rate": "Hz", "rate_minus": "Hz",
               "rate_plus": "Hz"},
        applicability=("base configuration with a non-zero firing rate and non-zero parameter "
                       "values", "rates follow the f-I definition (transient included)"),
        limitations=("a finite-difference estimate at one perturbation size; a rate that is "
                     "piecewise constant in the parameter yields 0 or a jump, not a derivative",),
        domain=domain_of(len(rows) - undefined, len(rows)),
        domain_detail={"undefined": undefined, "total": len(rows)})
    return attach_contract({"base_rate": base_rate, "sensitivities": rows}, contract)


def heatmap_2d(simulate_fn: SimulateFn, base_config: Mapping[str, object], param_x: str,
               x_min: float, x_max: float, x_steps: int, param_y: str, y_min: float,
               y_max: float, y_steps: int) -> dict[str, Any]:
    """Sweep two parameters and map the firing rate; any failed point fails the whole map.

    ``rates[j][i]`` is the rate with ``params[param_x] = x_values[i]`` and
    ``params[param_y] = y_values[j]`` (both ``linspace`` grids). Every point
    is attempted; when any raises (or returns no valid ``stats.rate_hz``) a
    ``ValueError("heatmap sweep failed for F/T points", detail)`` lists them
    all (``detail``: ``failed_points``, ``total_points``, ``failure_rate``,
    ``failures`` with ``grid_index`` ``[j, i]``, both values, ``error_type``,
    ``error_message``), so a partial map is never returned with silent zeros.

    Parameters
    ----------
    simulate_fn : callable
        A simulator accepting ``params=``, returning ``stats.rate_hz``.
    base_config : mapping
        The configuration every point starts from.
    param_x : str
        The ``params`` key swept along x.
    x_min : float
        First x value.
    x_max : float
        Last x value (inclusive).
    x_steps : int
        Points along x, ``>= 1``, with ``x_steps * y_steps <= MAX_POINTS``.
    param_y : str
        The ``params`` key swept along y, not ``param_x``.
    y_min : float
        First y value.
    y_max : float
        Last y value (inclusive).
    y_steps : int
        Points along y, ``>= 1``.

    Returns
    -------
    dict
        ``param_x``, ``x_values``, ``param_y``, ``y_values``, ``rates``
        (``y_steps`` lists of ``x_steps`` floats), ``rate_min``, ``rate_max``,
        ``failed_points`` (0), ``total_points``, ``failure_rate`` (0.0),
        ``protocol`` (and ``frequency_hz`` for a sine) and ``contract`` (kind
        ``"rate-map"``).

    Raises
    ------
    TypeError, ValueError
        Bad arguments (naming them), or any failed point (see above).
    """
    callable_arg(simulate_fn, "simulate_fn")
    config = config_mapping(base_config)
    px = check_text(param_x, "param_x")
    xlo, xhi = finite_span(x_min, x_max, "x_min", "x_max")
    nx = check_count(x_steps, "x_steps")
    py = check_text(param_y, "param_y")
    ylo, yhi = finite_span(y_min, y_max, "y_min", "y_max")
    ny = check_count(y_steps, "y_steps")
    if px == py:
        raise ValueError(f"param_y must differ from param_x, got {py!r} twice")
    if nx * ny > MAX_POINTS:
        raise ValueError(f"y_steps must keep x_steps * y_steps <= {MAX_POINTS}, got "
                         f"{nx} * {ny}")
    drive = _drive_fields(config)
    config_mapping(config.get("params"), "base_config['params']")
    xs, ys = linspace(xlo, xhi, nx), linspace(ylo, yhi, ny)
    rates = [[0.0] * nx for _ in range(ny)]
    failures: list[dict[str, Any]] = []
    for j, y in enumerate(ys):
        for i, x in enumerate(xs):
            try:
                rates[j][i] = rate_of(simulate_fn(**_with_params(config, **{px: x, py: y})))
            except Exception as exc:  # noqa: BLE001 - every failed point is reported
                failures.append({"grid_index": [j, i], "param_x_value": x, "param_y_value": y,
                                 "error_type": type(exc).__name__, "error_message": str(exc)})
    total = nx * ny
    if failures:
        raise ValueError(f"heatmap sweep failed for {len(failures)}/{total} points",
                         {"failed_points": len(failures), "total_points": total,
                          "failure_rate": len(failures) / total, "failures": failures})
    flat = [r for row in rates for r in row]
    payload: dict[str, Any] = {"param_x": px, "x_values": xs, "param_y": py, "y_values": ys,
                               "rates": rates, "rate_min": min(flat), "rate_max": max(flat),
                               "failed_points": 0, "total_points": total, "failure_rate": 0.0,
                               **drive}
    contract = MetricContract(
        kind="rate-map", definition=RATE_DEFINITION,
        units={"rates": "Hz", "x_values": MODEL_DEFINED_UNIT, "y_values": MODEL_DEFINED_UNIT},
        applicability=(f"drive protocol {payload['protocol']!r}; each grid point restarts from "
                       "the same initial state",),
        limitations=("rate resolution is one spike per simulated duration",))
    return attach_contract(payload, contract)
