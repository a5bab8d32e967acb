"""Responses read from spike trains: the spike-triggered average and the frequency response."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sc_neurocore._validation import as_real_array, check_real

from .._checks import callable_arg, config_mapping, index_array
from .contract import MODEL_DEFINED_UNIT, MetricContract, attach_contract, domain_of
from .exact import STEP_TOLERANCE, logspace, sequential_sum
from .runs import TAU, SimulateFn, spike_train_of
from .sweeps import check_count

__all__ = ["FREQUENCY_RESPONSE_DEPTH", "FREQUENCY_RESPONSE_MIN_CYCLES", "DEGREES_PER_RADIAN",
           "HALF_PI", "half_window", "spike_triggered_average", "rate_modulation",
           "frequency_response"]

FREQUENCY_RESPONSE_DEPTH = 0.5
"""Default modulation depth of the frequency-response drive: the current swings between
half and one and a half times the bias."""
FREQUENCY_RESPONSE_MIN_CYCLES = 1
"""Whole drive cycles a frequency needs within the run to be measured."""
DEGREES_PER_RADIAN = 57.29577951308232
"""``180 / pi`` as a double."""
HALF_PI = 1.5707963267948966
"""``pi / 2`` as a double: the phase of the drive's peak."""


def half_window(window_ms: float, dt: float) -> int:
    """Samples on each side of a spike: ``max(1, floor((window_ms / dt) / 2 + STEP_TOLERANCE))``.

    Half the window's samples rounded down, as the reference documents, but
    a ratio within ``STEP_TOLERANCE`` below an integer counts as it (as in
    every step count here): plain truncation would lose a sample whenever
    ``window_ms / dt`` lands just below an even integer (``0.6 / 0.1 =
    5.999999999999999``: 3 samples a side, not 2).

    Parameters
    ----------
    window_ms : float
        Full window (ms), ``> 0``.
    dt : float
        Sample spacing (ms), ``> 0``.

    Returns
    -------
    int
        The half-window in samples, ``>= 1``.

    Raises
    ------
    TypeError, ValueError
        A non-positive or non-finite argument, or a window over ``2**53``
        samples (naming it).
    """
    ratio = (check_real(window_ms, "window_ms", positive=True)
             / check_real(dt, "dt", positive=True)) / 2.0
    if not ratio < 2.0**52:
        raise ValueError(f"window_ms must be under 2**53 samples of dt, got {window_ms!r} / "
                         f"{dt!r}")
    return max(1, math.floor(ratio + STEP_TOLERANCE))


def spike_triggered_average(time: Sequence[float], voltage: Sequence[float],
                            spikes: Sequence[int], dt: float,
                            window_ms: float = 20.0) -> dict[str, Any]:
    """Average of the trace in a window around every spike whose window lies inside it.

    With ``hw = half_window(window_ms, dt)`` samples a side, the snippet of a
    spike at step ``k`` is ``voltage[k - hw : k + hw]`` (``hw`` samples
    before the spike, the spike's own and ``hw - 1`` after); a spike is used
    when ``k >= hw`` and ``k + hw <= len(voltage)``. The used snippets are
    added element by element in the order of ``spikes`` (from 0.0) and
    divided by their count; ``time_ms[j] = (j - hw) * dt``.

    Fewer than two spikes given: empty lists and ``n_spikes = len(spikes)``
    (domain ``"empty"``); no usable window: empty lists and ``n_spikes = 0``.

    Parameters
    ----------
    time : sequence of float
        The sample times (ms) of ``voltage``: empty, or 1-D finite values of
        its length (checked only; windows are counted in samples of ``dt``).
    voltage : sequence of float
        1-D trace of finite reals.
    spikes : sequence of int
        Step indices in ``[0, len(voltage))`` (repeats count twice).
    dt : float
        Sample spacing (ms), ``> 0``.
    window_ms : float
        Full window length (ms), ``> 0``.

    Returns
    -------
    dict
        ``time_ms``, ``average`` (lists of ``2 hw`` floats), ``n_spikes``
        (snippets averaged) and ``contract`` (kind
        ``"spike-triggered-average"``, ``domain_detail`` ``spikes`` and
        ``windows_used``).

    Raises
    ------
    TypeError, ValueError
        Wrong kinds, ranks or lengths, non-finite values, indices out of
        range, ``dt <= 0`` or ``window_ms <= 0`` (each naming the argument).
    """
    v = as_real_array(voltage, "voltage", (1,))
    t = as_real_array(time, "time", (1,))
    if t.size not in (0, v.size):
        raise ValueError(f"time must be empty or have the length of voltage ({v.size}), got "
                         f"{t.size}")
    idx = index_array(spikes, "spikes", v.size).tolist()
    step = check_real(dt, "dt", positive=True)
    window = check_real(window_ms, "window_ms", positive=True)
    if len(idx) < 2:
        return _sta(window, [], [], len(idx), len(idx), 0, "empty")
    if not (window / step) / 2.0 <= v.size:
        return _sta(window, [], [], 0, len(idx), 0, "empty")
    hw = half_window(window, step)
    used = [k for k in idx if k >= hw and k + hw <= v.size]
    if not used:
        return _sta(window, [], [], 0, len(idx), 0, "empty")
    acc = np.zeros(2 * hw, dtype=np.float64)
    for k in used:
        acc += v[k - hw:k + hw]
    average = (acc / float(len(used))).tolist()
    times = [(j - hw) * step for j in range(2 * hw)]
    return _sta(window, times, average, len(used), len(idx), len(used),
                "complete" if len(used) == len(idx) else "partial")


def _sta(window_ms: float, times: list[float], average: list[float], n_spikes: int,
         given: int, used: int, domain: str) -> dict[str, Any]:
    contract = MetricContract(
        kind="spike-triggered-average",
        definition=(f"mean of the trace over a ±{window_ms / 2} ms window around each spike "
                    "whose window lies inside the trace"),
        units={"time_ms": "ms", "average": MODEL_DEFINED_UNIT},
        applicability=("at least two spikes, with complete windows",),
        limitations=("spikes near the trace edges are excluded, not padded",),
        domain=domain,  # type: ignore[arg-type]  # one of the three verdicts
        domain_detail={"spikes": given, "windows_used": used})
    return attach_contract({"time_ms": times, "average": average, "n_spikes": n_spikes},
                           contract)


def rate_modulation(spikes: Sequence[int], dt: float, n_steps: int,
                    freq_hz: float) -> dict[str, float | int | None]:
    """One frequency's response, from the spike steps of one run.

    With ``period = 1000.0 / freq_hz`` (ms), the window is the
    ``C = floor((n_steps * dt) / period + 1e-9)`` whole drive cycles
    (``C < FREQUENCY_RESPONSE_MIN_CYCLES``: everything ``None``), of length
    ``W = C * period``. Spike ``k`` is at ``t_k = (k + 1) * dt`` (post-step
    clock) and counts when ``t_k <= W``. With ``u_k = (freq_hz * t_k) /
    1000.0`` cycles, ``theta_k = TAU * (u_k - floor(u_k))``, ``re = sum
    cos(theta_k)``, ``im = sum sin(theta_k)`` (left to right) and ``|Z| =
    sqrt(re * re + im * im)`` (``Z = sum exp(-i theta_k) = re - i im``):

    * ``rate_hz = (1000.0 * N) / W``;
    * ``modulation_hz = (2000.0 * |Z|) / W``: the rate's first harmonic;
    * ``phase_lag_deg``: ``(atan2(im, re) - HALF_PI) * DEGREES_PER_RADIAN``
      (``-arg Z - pi/2``: how far the rate's peak lags the drive's), wrapped
      as ``((x + 180) mod 360) - 180`` into ``[-180, 180)``;
    * ``vector_strength = |Z| / N``.

    ``N == 0``: rate and modulation 0, lag and vector strength ``None``.

    Parameters
    ----------
    spikes : sequence of int
        Spike step indices of the run.
    dt : float
        Step (ms), ``> 0``.
    n_steps : int
        Steps of the run.
    freq_hz : float
        Drive frequency (Hz), ``> 0``.

    Returns
    -------
    dict
        ``cycles``, ``rate_hz``, ``modulation_hz``, ``phase_lag_deg``, ``vector_strength``.
    """
    period = 1000.0 / freq_hz
    cycles = math.floor((n_steps * dt) / period + STEP_TOLERANCE)
    if cycles < FREQUENCY_RESPONSE_MIN_CYCLES:
        return {"cycles": cycles, "rate_hz": None, "modulation_hz": None,
                "phase_lag_deg": None, "vector_strength": None}
    window = cycles * period
    times = [t for t in ((k + 1) * dt for k in spikes) if t <= window]
    rate = (1000.0 * len(times)) / window
    if not times:
        return {"cycles": cycles, "rate_hz": rate, "modulation_hz": 0.0, "phase_lag_deg": None,
                "vector_strength": None}
    thetas = [TAU * (u - math.floor(u)) for u in ((freq_hz * t) / 1000.0 for t in times)]
    re = sequential_sum(math.cos(x) for x in thetas)
    im = sequential_sum(math.sin(x) for x in thetas)
    size = math.sqrt(re * re + im * im)
    lag = (math.atan2(im, re) - HALF_PI) * DEGREES_PER_RADIAN
    return {"cycles": cycles, "rate_hz": rate, "modulation_hz": (2000.0 * size) / window,
            "phase_lag_deg": (lag + 180.0) % 360.0 - 180.0,
            "vector_strength": size / len(times)}


def frequency_response(simulate_fn: SimulateFn, base_config: Mapping[str, object],
                       freq_min: float = 1.0, freq_max: float = 100.0, n_freqs: int = 20,
                       bias: float = 10.0,
                       depth: float = FREQUENCY_RESPONSE_DEPTH) -> dict[str, Any]:
    """How the firing follows a sinusoidally modulated current, per frequency.

    The drive is ``I(t) = bias * (1 + depth * sin(2 pi f t))``: each
    frequency ``f`` of ``logspace(freq_min, freq_max, n_freqs)`` runs
    ``simulate_fn(**{**base_config, "current": depth * bias, "bias": bias,
    "protocol": "sine", "frequency_hz": f})`` and is measured from the run's
    ``spikes``, ``n_steps`` and ``observation.dt``
    ([`rate_modulation`][sc_neurocore.studio.analysis.rate_modulation]). The
    gain is ``modulation_hz / amplitude`` with ``amplitude = depth * |bias|``.
    A frequency without a whole cycle in the run is reported as not measured
    (``None``), never estimated from a fraction of a cycle.

    Parameters
    ----------
    simulate_fn : callable
        A simulator of the ``sine`` protocol with a ``bias``.
    base_config : mapping
        Other configuration keys of every run.
    freq_min : float
        Lowest frequency (Hz), ``> 0``.
    freq_max : float
        Highest frequency (Hz), ``>= freq_min``.
    n_freqs : int
        Number of frequencies, in ``[1, MAX_POINTS]``.
    bias : float
        Mean current, finite and non-zero.
    depth : float
        Relative modulation depth, in ``(0, 1)``.

    Returns
    -------
    dict
        ``frequencies_hz``, ``rates``, ``modulation_hz``, ``gain``,
        ``phase_lag_deg``, ``vector_strength``, ``cycles`` (one entry per
        frequency, ``None`` where not measured), ``bias``, ``depth``,
        ``amplitude`` and ``contract`` (kind ``"frequency-response"``).

    Raises
    ------
    TypeError, ValueError
        Bad arguments (naming them), or a run without valid ``spikes``,
        ``n_steps`` or ``observation.dt`` (naming ``simulate_fn``).
    """
    callable_arg(simulate_fn, "simulate_fn")
    config = config_mapping(base_config)
    fmin = check_real(freq_min, "freq_min", positive=True)
    fmax = check_real(freq_max, "freq_max", positive=True)
    if fmax < fmin:
        raise ValueError(f"freq_max must be >= freq_min = {fmin!r}, got {fmax!r}")
    n = check_count(n_freqs, "n_freqs")
    level = check_real(bias, "bias")
    if level == 0.0:
        raise ValueError("bias must be a non-zero, finite current, got 0.0")
    mod = check_real(depth, "depth")
    if not 0.0 < mod < 1.0:
        raise ValueError(f"depth must lie in (0, 1), got {mod!r}")
    amplitude = mod * abs(level)
    freqs = logspace(fmin, fmax, n)
    points = []
    for f in freqs:
        result = simulate_fn(**{**config, "current": mod * level, "bias": level,
                                "protocol": "sine", "frequency_hz": f})
        spikes, n_steps, dt = spike_train_of(result)
        points.append(rate_modulation(spikes, dt, n_steps, f))

    def column(key: str) -> list[Any]:
        return [point[key] for point in points]

    modulation = column("modulation_hz")
    measured = sum(point["rate_hz"] is not None for point in points)
    payload: dict[str, Any] = {
        "frequencies_hz": freqs, "rates": column("rate_hz"), "modulation_hz": modulation,
        "gain": [None if m is None else m / amplitude for m in modulation],
        "phase_lag_deg": column("phase_lag_deg"), "vector_strength": column("vector_strength"),
        "cycles": column("cycles"), "bias": level, "depth": mod, "amplitude": amplitude}
    contract = MetricContract(
        kind="frequency-response",
        definition=("drive I(t) = bias · (1 + depth · sin(2π f t)) from phase 0; over the "
                    "largest whole number of drive cycles in the run, rate = spikes / window, "
                    "modulation = 2|Σ exp(−2πi f t_k)| / window (first harmonic of the rate), "
                    "gain = modulation / (depth · |bias|), phase lag = −arg Σ exp(−2πi f t_k) − "
                    "90°, vector strength = |Σ exp(−2πi f t_k)| / spikes"),
        units={"frequencies_hz": "Hz", "rates": "Hz", "modulation_hz": "Hz",
               "gain": f"Hz per {MODEL_DEFINED_UNIT}", "phase_lag_deg": "degrees",
               "vector_strength": "dimensionless", "bias": MODEL_DEFINED_UNIT,
               "amplitude": MODEL_DEFINED_UNIT},
        applicability=("a frequency is measured only when at least one whole drive cycle fits "
                       "the run",
                       "the window starts at the run's first step and so includes the onset "
                       "transient"),
        limitations=("first harmonic only: a response far from sinusoidal has more than the "
                     "gain says",
                     "phase and vector strength are undefined for a frequency without spikes"),
        domain=domain_of(measured, len(points)),
        domain_detail={"frequencies": len(points), "measured": measured})
    return attach_contract(payload, contract)

