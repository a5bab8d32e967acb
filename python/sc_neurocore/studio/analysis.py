"""Analysis of single-neuron simulations.

Every sweep here drives a user-supplied simulator through one small protocol,
and every number it returns is specified down to the order of the floating-
point operations, so that the Rust mirror (``rust/mirror/src/safety/
analysis.rs``) reproduces it from the same golden file
(``parity/golden/analysis.txt``): bit for bit where only ``+ - * /``,
``sqrt``, ``floor`` and round-half-even are involved, within ``1e-12``
relative where the math library is (``sin``, ``cos``, ``atan2``, ``pow``).

The simulation protocol
-----------------------
``simulate_fn(**config) -> Mapping`` runs one simulation for the keyword
configuration ``config`` and returns a mapping with at least

* ``"rate_hz"``: the mean firing rate in Hz, a finite real ``>= 0``;
* ``"dt_ms"``: the time step in ms, a finite real ``> 0``;
* ``"n_steps"``: the number of steps, an int ``>= 1``;
* ``"states"``: a mapping of state name (``str``) to its 1-D trace of
  ``n_steps`` finite reals, the value after each step (insertion order
  matters: the first state is the default ``variable`` of
  [`bifurcation_sweep`][sc_neurocore.studio.analysis.bifurcation_sweep]);
* ``"spikes"``: the step indices (ints in ``[0, n_steps)``) at which it spiked.

Extra keys are ignored. [`check_simulation`][sc_neurocore.studio.analysis.check_simulation]
checks a result against these rules (every sweep calls it, naming ``simulate_fn`` in its
errors). The sweeps set one or more configuration keys on top of ``base_config``: ``current``
([`fi_curve_sweep`][sc_neurocore.studio.analysis.fi_curve_sweep]), the swept parameter names,
and for [`frequency_response`][sc_neurocore.studio.analysis.frequency_response] the sinusoidal
drive keys ``current`` (the bias), ``drive_depth`` and ``drive_freq_hz``, meaning the input
``current * (1 + drive_depth * sin(2 pi drive_freq_hz t))``. Errors raised by
``simulate_fn`` propagate unchanged.

Reference simulators
--------------------
[`lif_neuron`][sc_neurocore.studio.analysis.lif_neuron] and
[`fitzhugh_nagumo`][sc_neurocore.studio.analysis.fitzhugh_nagumo] (also in
[`MODELS`][sc_neurocore.studio.analysis.MODELS] by name) follow the protocol, accept the drive
keys, and are deterministic (forward Euler, no noise), so the golden file names them by a
``model`` string; the Rust mirror defines them with the same operations in the same order.
Neither draws random numbers: this module uses no generator (nothing from
[`sc_neurocore.splitmix`][sc_neurocore.splitmix]).

Exact arithmetic shared with the mirror
---------------------------------------
* Grids: ``grid(lo, hi, n)`` is ``[lo]`` for ``n == 1``; otherwise
  ``step = (hi - lo) / (n - 1)``, ``x_k = lo + k * step`` for ``k < n - 1``
  and ``x_(n-1) = hi`` exactly (NumPy's ``linspace`` formula, written out
  here so that no library version can change it).
* Rounding to 2 decimals: ``round2(x) = rint(x * 100.0) / 100.0 + 0.0``:
  NumPy's ``np.round(x, 2)`` (one product, round half to even on that
  product, one quotient) plus ``+ 0.0``, which turns ``-0.0`` into ``0.0``.
  It is *not* Python's ``round(x, 2)``, which rounds the exact decimal value:
  ``0.005 * 100.0`` is exactly ``0.5``, so ``round2(0.005) == 0.0`` while
  ``round(0.005, 2) == 0.01``.
* Sums (means, RMSE, first-harmonic vectors) add left to right in the order
  given, starting from ``0.0`` (never NumPy's pairwise summation).
* Q8.8: see [`precision_compare`][sc_neurocore.studio.analysis.precision_compare].
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict, TypeVar, overload

import numpy as np
import numpy.typing as npt

from sc_neurocore.accel._validation import (as_real_array, check_int, check_real, check_real_dtype,
                                            check_text)

from ._checks import callable_arg, config_mapping, index_array, real_range

__all__ = [
    "SimulateFn", "Field", "Simulation", "FICurve", "BifurcationDiagram", "SensitivityEntry",
    "Heatmap", "SpikeTriggeredAverage", "FrequencyResponse", "Nullclines", "PrecisionReport",
    "MODELS", "MAX_STEPS", "MAX_POINTS", "MAX_GRID", "TAU", "HALF_PI", "Q_SCALE", "Q_CODE_MIN",
    "Q_CODE_MAX", "REASON_ZERO_PARAM", "REASON_ZERO_RATE", "REASON_NO_CHANGE", "check_simulation", "grid", "round2", "sequential_sum", "lif_neuron",
    "fitzhugh_nagumo", "fitzhugh_nagumo_fields", "fi_curve_sweep", "bifurcation_sweep",
    "sensitivity_analysis", "heatmap_2d", "spike_triggered_average", "frequency_response",
    "nullclines_2d", "quantize_q8_8", "precision_compare",
]

SimulateFn = Callable[..., Mapping[str, object]]
"""A simulator following the protocol of the module docstring."""
Field = Callable[[npt.NDArray[np.float64], npt.NDArray[np.float64]], object]
"""A vector-field component of [`nullclines_2d`][sc_neurocore.studio.analysis.nullclines_2d]:
``(X, Y) -> values``.
"""

MAX_STEPS = 1_000_000
"""Most steps a reference simulator runs."""
MAX_POINTS = 1_000_000
"""Most values of one sweep (``i_steps``, ``n_values``, ``x_steps * y_steps``, ``n_freqs``)
and of [`grid`][sc_neurocore.studio.analysis.grid].
"""
MAX_GRID = 1024
"""Largest ``grid_size`` of [`nullclines_2d`][sc_neurocore.studio.analysis.nullclines_2d]."""
TAU = 6.283185307179586
"""``2 pi`` as a double (6.283185307179586)."""
HALF_PI = 1.5707963267948966
"""``pi / 2`` as a double (1.5707963267948966)."""
Q_SCALE = 256.0
"""Q8.8: a value ``v`` is the code ``v * Q_SCALE``."""
Q_CODE_MIN = -32768
"""Smallest signed Q8.8 code (the value ``-128``)."""
Q_CODE_MAX = 32767
"""Largest signed Q8.8 code (the value ``127 + 255/256``)."""

_MIN_LATE_SAMPLES = 10
_MAX_EXTREMA = 20
_PHASE_LIMIT = 2.0**53


# --------------------------------------------------------------------------- protocol

@dataclass(frozen=True)
class Simulation:
    """A checked simulation result (see
    [`check_simulation`][sc_neurocore.studio.analysis.check_simulation]).

    Attributes
    ----------
    rate_hz : float
        Mean firing rate (Hz), finite, ``>= 0``.
    dt_ms : float
        Time step (ms), finite, ``> 0``.
    n_steps : int
        Number of steps, ``>= 1``.
    states : dict of str to ndarray
        Each a 1-D ``float64`` trace of ``n_steps`` finite values, in the
        simulator's order.
    spikes : ndarray
        ``int64`` step indices in ``[0, n_steps)``.
    """

    rate_hz: float
    dt_ms: float
    n_steps: int
    states: dict[str, npt.NDArray[np.float64]]
    spikes: npt.NDArray[np.int64]


def check_simulation(result: Mapping[str, object], name: str = "simulate_fn") -> Simulation:
    """Check one simulator result against the protocol of the module docstring.

    Parameters
    ----------
    result : Mapping
        What ``simulate_fn(**config)`` returned: a mapping with ``rate_hz``,
        ``dt_ms``, ``n_steps``, ``states`` and ``spikes``. Anything else is
        refused with ``TypeError``.
    name : str
        The simulator's name in error messages.

    Returns
    -------
    Simulation
        The checked, normalised result.

    Raises
    ------
    TypeError
        If ``result`` is not a mapping, or a field has the wrong kind.
    ValueError
        If a field is missing or out of range.
    """
    if not isinstance(result, Mapping):
        raise TypeError(f"{name} must return a mapping with rate_hz, dt_ms, n_steps, states "
                        f"and spikes, got {type(result).__name__}")
    for key in ("rate_hz", "dt_ms", "n_steps", "states", "spikes"):
        if key not in result:
            raise ValueError(f"{name} must return a mapping with {key!r}; got keys "
                             f"{sorted(map(str, result))}")
    rate = check_real(result["rate_hz"], f"{name}()['rate_hz']", minimum=0.0)
    dt_ms = check_real(result["dt_ms"], f"{name}()['dt_ms']", positive=True)
    n_steps = check_int(result["n_steps"], f"{name}()['n_steps']", minimum=1)
    raw_states = result["states"]
    if not isinstance(raw_states, Mapping):
        raise TypeError(f"{name}()['states'] must be a mapping of name to 1-D trace, "
                        f"got {type(raw_states).__name__}")
    states: dict[str, npt.NDArray[np.float64]] = {}
    for key, trace in raw_states.items():
        label = f"{name}()['states'][{key!r}]"
        if not isinstance(key, str):
            raise TypeError(f"{name}()['states'] keys must be str, got {key!r}")
        arr = as_real_array(trace, label, (1,))
        if arr.shape != (n_steps,):
            raise ValueError(f"{label} must have n_steps = {n_steps} values, got shape {arr.shape}")
        states[key] = arr
    spikes = index_array(result["spikes"], f"{name}()['spikes']", n_steps)
    return Simulation(rate, dt_ms, n_steps, states, spikes)


def _simulate(simulate_fn: SimulateFn, config: Mapping[str, object]) -> Simulation:
    return check_simulation(simulate_fn(**config), "simulate_fn")


# --------------------------------------------------------------------------- exact helpers

def grid(lo: float, hi: float, n: int) -> npt.NDArray[np.float64]:
    """``n`` evenly spaced values from ``lo`` to ``hi`` (both included), exactly as specified.

    ``[lo]`` when ``n == 1``; otherwise ``step = (hi - lo) / (n - 1)``,
    ``x_k = lo + k * step`` for ``k < n - 1`` and ``x_(n-1) = hi``.

    Parameters
    ----------
    lo, hi : float
        Finite bounds with ``lo <= hi`` and ``hi - lo`` finite.
    n : int
        Number of values, in ``[1, MAX_POINTS]``.

    Returns
    -------
    ndarray
        ``float64`` ``(n,)``.

    Raises
    ------
    TypeError, ValueError
        If the bounds or ``n`` are out of range (naming ``lo``, ``hi`` or ``n``).
    """
    lo, hi = real_range(lo, hi, "lo", "hi")
    n = check_int(n, "n", minimum=1, below=MAX_POINTS + 1)
    return _grid(lo, hi, n)


def _grid(lo: float, hi: float, n: int) -> npt.NDArray[np.float64]:
    if n == 1:
        return np.array([lo], dtype=np.float64)
    step = (hi - lo) / (n - 1)
    values = [lo + k * step for k in range(n - 1)]
    values.append(hi)
    return np.array(values, dtype=np.float64)


def round2(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Round to 2 decimals: ``rint(x * 100.0) / 100.0 + 0.0`` (round half to even).

    The product ``x * 100.0`` is rounded once to a double, then to the nearest
    integer with ties to even, then divided by ``100.0``; ``+ 0.0`` turns
    ``-0.0`` into ``0.0``. So ``0.125 -> 0.12``, ``0.375 -> 0.38``,
    ``0.005 -> 0.0`` (``0.005 * 100.0 == 0.5`` exactly) and ``-0.004 -> 0.0``.

    Parameters
    ----------
    values : array_like
        Real numbers.

    Returns
    -------
    ndarray
        ``float64``, the shape of ``values``.
    """
    arr = np.asarray(values, dtype=np.float64)
    out: npt.NDArray[np.float64] = np.asarray(np.rint(arr * 100.0) / 100.0 + 0.0, dtype=np.float64)
    return out


def sequential_sum(values: npt.ArrayLike) -> float:
    """``((0.0 + x_0) + x_1) + ...`` over ``values`` in C order (no pairwise summation).

    Parameters
    ----------
    values : array_like
        Real numbers (converted to ``float64``).

    Returns
    -------
    float
    """
    total = 0.0
    for x in np.asarray(values, dtype=np.float64).ravel().tolist():
        total += x
    return total


# --------------------------------------------------------------------------- reference models

def _drive(current: float, depth: float, omega: float, dt_ms: float, k: int) -> float:
    """The input of step ``k``: ``current * (1 + depth * sin(omega * t_k))``, ``t_k`` in s.

    Constant (no ``sin`` call) when ``depth == 0`` or ``omega == 0``, which
    gives the same value: ``current * (1.0 + 0.0) == current``.
    """
    if depth == 0.0 or omega == 0.0:
        return current
    t_s = (k * dt_ms) / 1000.0
    return current * (1.0 + depth * math.sin(omega * t_s))


def _drive_args(dt_ms: object, n_steps: object, drive_freq_hz: object,
                drive_depth: object) -> tuple[float, int, float, float]:
    dt = check_real(dt_ms, "dt_ms", positive=True)
    n = check_int(n_steps, "n_steps", minimum=1, below=MAX_STEPS + 1)
    freq = check_real(drive_freq_hz, "drive_freq_hz", minimum=0.0)
    depth = check_real(drive_depth, "drive_depth", minimum=0.0, maximum=1.0)
    return dt, n, TAU * freq, depth


def _simulation_result(spikes: list[int], n_steps: int, dt_ms: float,
                       **traces: list[float]) -> dict[str, object]:
    """A built-in model's result in the ``simulate_fn`` protocol.

    ``rate_hz`` is ``(n_spikes * 1000.0) / (n_steps * dt_ms)``; ``states``
    holds each trace as ``float64``, ``spikes`` the step indices as ``int64``.
    """
    return {"rate_hz": (len(spikes) * 1000.0) / (n_steps * dt_ms), "dt_ms": dt_ms,
            "n_steps": n_steps,
            "states": {name: np.array(trace, dtype=np.float64) for name, trace in traces.items()},
            "spikes": np.array(spikes, dtype=np.int64)}


def lif_neuron(*, current: float = 0.0, tau_ms: float = 10.0, v_rest: float = -65.0,
               v_reset: float = -65.0, v_threshold: float = -50.0, resistance: float = 2.0,
               dt_ms: float = 0.1, n_steps: int = 2000, drive_freq_hz: float = 0.0,
               drive_depth: float = 0.0) -> dict[str, object]:
    """Leaky integrate-and-fire neuron, forward Euler: a reference ``simulate_fn``.

    With ``a = dt_ms / tau_ms`` and ``v = v_rest`` before step 0, step
    ``k = 0 .. n_steps-1`` computes, in this order and with one rounding per
    operation::

        i_k = current * (1.0 + drive_depth * sin((TAU * drive_freq_hz) * ((k * dt_ms) / 1000.0)))
        v   = v + a * ((v_rest - v) + resistance * i_k)
        if v >= v_threshold: spike at k; v = v_reset
        trace[k] = v

    (``i_k = current`` without a ``sin`` call when ``drive_depth`` or
    ``drive_freq_hz`` is 0.) ``rate_hz = (n_spikes * 1000.0) / (n_steps *
    dt_ms)``. ``current * resistance`` is in mV.

    Parameters
    ----------
    current : float
        Input current (the drive's bias).
    tau_ms : float
        Membrane time constant (ms), ``> 0``.
    v_rest, v_reset, v_threshold : float
        Resting, reset and threshold potentials (mV), ``v_reset < v_threshold``.
    resistance : float
        Membrane resistance.
    dt_ms : float
        Time step (ms), ``0 < dt_ms <= tau_ms``.
    n_steps : int
        Number of steps, in ``[1, MAX_STEPS]``.
    drive_freq_hz : float
        Sinusoidal drive frequency (Hz), ``>= 0``.
    drive_depth : float
        Sinusoidal modulation depth, in ``[0, 1]``.

    Returns
    -------
    dict
        ``rate_hz``, ``dt_ms``, ``n_steps``, ``states`` (``{"v": trace}``) and
        ``spikes`` (``int64``), as the protocol asks.

    Raises
    ------
    TypeError
        A non-real parameter or a non-int ``n_steps``; an unknown keyword.
    ValueError
        Non-finite or out-of-range parameters, or a potential that overflows
        (naming ``current``).
    """
    dt, n, omega, depth = _drive_args(dt_ms, n_steps, drive_freq_hz, drive_depth)
    i0 = check_real(current, "current")
    tau = check_real(tau_ms, "tau_ms", positive=True)
    rest = check_real(v_rest, "v_rest")
    reset = check_real(v_reset, "v_reset")
    threshold = check_real(v_threshold, "v_threshold")
    r = check_real(resistance, "resistance")
    if dt > tau:
        raise ValueError(f"dt_ms must be <= tau_ms = {tau!r}, got {dt!r}")
    if reset >= threshold:
        raise ValueError(f"v_reset must be < v_threshold = {threshold!r}, got {reset!r}")
    a = dt / tau
    v = rest
    trace = [0.0] * n
    spikes: list[int] = []
    for k in range(n):
        i_k = _drive(i0, depth, omega, dt, k)
        v = v + a * ((rest - v) + r * i_k)
        if not math.isfinite(v):
            raise ValueError(f"current * resistance overflows: the potential is {v!r} "
                             f"at step {k}")
        if v >= threshold:
            spikes.append(k)
            v = reset
        trace[k] = v
    return _simulation_result(spikes, n, dt, v=trace)


_T = TypeVar("_T", float, npt.NDArray[np.float64])


def _fhn_dv(v: _T, w: _T, current: float) -> _T:
    """``((v - (v * v * v) / 3.0) - w) + current``."""
    return ((v - (v * v * v) / 3.0) - w) + current


def _fhn_dw(v: _T, w: _T, a: float, b: float, tau: float) -> _T:
    """``((v + a) - b * w) / tau``."""
    return ((v + a) - b * w) / tau


def _fhn_params(a: object, b: object, tau: object) -> tuple[float, float, float]:
    return check_real(a, "a"), check_real(b, "b"), check_real(tau, "tau", positive=True)


def fitzhugh_nagumo(*, current: float = 0.5, a: float = 0.7, b: float = 0.8,
                    tau: float = 12.5, v_threshold: float = 1.0, v0: float = -1.2,
                    w0: float = -0.625, dt_ms: float = 0.1, n_steps: int = 5000,
                    drive_freq_hz: float = 0.0, drive_depth: float = 0.0) -> dict[str, object]:
    """FitzHugh–Nagumo neuron, forward Euler (time unit: 1 ms): a reference ``simulate_fn``.

    ``dv/dt = v - v^3/3 - w + I``, ``dw/dt = (v + a - b w) / tau``. With
    ``(v, w) = (v0, w0)`` before step 0, step ``k`` computes, in this order::

        i_k = current * (1.0 + drive_depth * sin(...))        # as in lif_neuron
        dv  = ((v - (v * v * v) / 3.0) - w) + i_k
        dw  = ((v + a) - b * w) / tau
        v'  = v + dt_ms * dv
        w   = w + dt_ms * dw
        spike at k if v < v_threshold <= v'   (an upward crossing)
        v = v'; trace_v[k] = v; trace_w[k] = w

    ``rate_hz = (n_spikes * 1000.0) / (n_steps * dt_ms)``. With the defaults
    the resting state is stable up to ``current`` of about 0.33 and the model
    oscillates (a Hopf bifurcation) above it.

    Parameters
    ----------
    current : float
        Input current (the drive's bias).
    a, b : float
        Recovery parameters.
    tau : float
        Recovery time constant, ``> 0``.
    v_threshold : float
        Spike detection level for ``v``.
    v0, w0 : float
        Initial state.
    dt_ms : float
        Time step, ``> 0``.
    n_steps : int
        Number of steps, in ``[1, MAX_STEPS]``.
    drive_freq_hz, drive_depth : float
        Sinusoidal drive, as in [`lif_neuron`][sc_neurocore.studio.analysis.lif_neuron].

    Returns
    -------
    dict
        ``rate_hz``, ``dt_ms``, ``n_steps``, ``states`` (``{"v": ..., "w": ...}``)
        and ``spikes``.

    Raises
    ------
    TypeError
        A non-real parameter or a non-int ``n_steps``; an unknown keyword.
    ValueError
        Non-finite or out-of-range parameters, or a state that overflows
        (Euler diverged: naming ``dt_ms``).
    """
    dt, n, omega, depth = _drive_args(dt_ms, n_steps, drive_freq_hz, drive_depth)
    i0 = check_real(current, "current")
    pa, pb, ptau = _fhn_params(a, b, tau)
    threshold = check_real(v_threshold, "v_threshold")
    v = check_real(v0, "v0")
    w = check_real(w0, "w0")
    trace_v = [0.0] * n
    trace_w = [0.0] * n
    spikes: list[int] = []
    for k in range(n):
        i_k = _drive(i0, depth, omega, dt, k)
        dv = _fhn_dv(v, w, i_k)
        dw = _fhn_dw(v, w, pa, pb, ptau)
        v_new = v + dt * dv
        w = w + dt * dw
        if not (math.isfinite(v_new) and math.isfinite(w)):
            raise ValueError(f"dt_ms = {dt!r} is too large: the Euler steps diverged at step {k}")
        if v < threshold <= v_new:
            spikes.append(k)
        v = v_new
        trace_v[k] = v
        trace_w[k] = w
    return _simulation_result(spikes, n, dt, v=trace_v, w=trace_w)


def fitzhugh_nagumo_fields(current: float = 0.5, a: float = 0.7, b: float = 0.8,
                           tau: float = 12.5) -> tuple[Field, Field]:
    """The FitzHugh–Nagumo vector field as the ``(f, g)`` pair of
    [`nullclines_2d`][sc_neurocore.studio.analysis.nullclines_2d].

    ``f(v, w) = ((v - (v * v * v) / 3.0) - w) + current`` and
    ``g(v, w) = ((v + a) - b * w) / tau``, element-wise, the same expressions
    as [`fitzhugh_nagumo`][sc_neurocore.studio.analysis.fitzhugh_nagumo]'s Euler step.

    Parameters
    ----------
    current : float
        Input current.
    a : float
        Recovery parameter ``a``.
    b : float
        Recovery parameter ``b``.
    tau : float
        Recovery time constant, ``> 0``.

    Returns
    -------
    tuple of callable
        ``(f, g)``, each taking arrays ``(V, W)`` of the same shape.

    Raises
    ------
    TypeError, ValueError
        Non-real or non-finite parameters, ``tau <= 0``.
    """
    i0 = check_real(current, "current")
    pa, pb, ptau = _fhn_params(a, b, tau)

    def f(v: npt.NDArray[np.float64], w: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return _fhn_dv(v, w, i0)

    def g(v: npt.NDArray[np.float64], w: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return _fhn_dw(v, w, pa, pb, ptau)

    return f, g


MODELS: Mapping[str, SimulateFn] = {"lif": lif_neuron, "fitzhugh_nagumo": fitzhugh_nagumo}
"""The reference simulators by name (the golden file's ``model`` strings)."""


# --------------------------------------------------------------------------- sweeps

class FICurve(TypedDict):
    """Result of [`fi_curve_sweep`][sc_neurocore.studio.analysis.fi_curve_sweep]."""

    currents: npt.NDArray[np.float64]
    rates: npt.NDArray[np.float64]


def _count(value: object, name: str) -> int:
    return check_int(value, name, minimum=1, below=MAX_POINTS + 1)


def fi_curve_sweep(simulate_fn: SimulateFn, i_min: float, i_max: float, i_steps: int, *,
                   base_config: Mapping[str, object] | None = None) -> FICurve:
    """Firing rate against input current (an f-I curve).

    Runs ``simulate_fn(**{**base_config, "current": c})`` for each ``c`` of
    ``grid(i_min, i_max, i_steps)``.

    Parameters
    ----------
    simulate_fn : callable
        A simulator (see the module docstring).
    i_min, i_max : float
        Current range, finite, ``i_min <= i_max``.
    i_steps : int
        Number of currents, in ``[1, MAX_POINTS]``.
    base_config : mapping, optional
        Other configuration keys passed on every call (an extension of the
        reference signature; default none).

    Returns
    -------
    dict
        ``currents`` and ``rates`` (Hz), ``float64`` ``(i_steps,)``.

    Raises
    ------
    TypeError, ValueError
        Bad arguments (naming them), or a result that breaks the protocol
        (naming ``simulate_fn``).
    """
    callable_arg(simulate_fn, "simulate_fn")
    lo, hi = real_range(i_min, i_max, "i_min", "i_max")
    n = _count(i_steps, "i_steps")
    config = config_mapping(base_config)
    currents = _grid(lo, hi, n)
    rates = [_simulate(simulate_fn, {**config, "current": c}).rate_hz for c in currents.tolist()]
    return {"currents": currents, "rates": np.array(rates, dtype=np.float64)}


class BifurcationDiagram(TypedDict):
    """Result of [`bifurcation_sweep`][sc_neurocore.studio.analysis.bifurcation_sweep]."""

    param_values: npt.NDArray[np.float64]
    extrema: list[npt.NDArray[np.float64]]
    points: npt.NDArray[np.float64]


def _late_extrema(trace: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The rounded, sorted, distinct late-half extrema of one trace (see bifurcation_sweep)."""
    late = trace[len(trace) // 2:]
    if len(late) < _MIN_LATE_SAMPLES:
        return np.zeros(0, dtype=np.float64)
    d = late[1:] - late[:-1]
    before, after = d[:-1], d[1:]
    centre = late[1:-1]
    maxima = centre[(before > 0.0) & (after < 0.0)][-_MAX_EXTREMA:]
    minima = centre[(before < 0.0) & (after > 0.0)][-_MAX_EXTREMA:]
    if maxima.size + minima.size == 0:
        return round2(np.array([sequential_sum(late) / len(late)]))
    out: npt.NDArray[np.float64] = np.unique(round2(np.concatenate([maxima, minima])))
    return out


def bifurcation_sweep(simulate_fn: SimulateFn, base_config: Mapping[str, object] | None,
                      param_name: str, param_min: float, param_max: float,
                      n_values: int = 30, *, variable: str | None = None) -> BifurcationDiagram:
    """Bifurcation diagram: the late-time extrema of one state against a parameter.

    For each ``p`` of ``grid(param_min, param_max, n_values)`` it runs
    ``simulate_fn(**{**base_config, param_name: p})`` and takes the trace of
    ``variable`` (default: the simulation's first state). Of that trace:

    1. ``late = trace[len(trace) // 2:]``; fewer than 10 samples -> no values
       for this ``p`` (an empty array);
    2. ``d[i] = late[i+1] - late[i]``; strict local maxima are the
       ``late[i]`` with ``d[i-1] > 0`` and ``d[i] < 0``, strict minima those
       with ``d[i-1] < 0`` and ``d[i] > 0`` (a flat step, ``d == 0``, is never
       a sign change);
    3. the last 20 maxima and the last 20 minima (in time order), each rounded
       with [`round2`][sc_neurocore.studio.analysis.round2], sorted ascending without duplicates;
    4. no extremum at all -> the single value ``round2(sequential_sum(late) /
       len(late))`` (the rounded mean: a fixed point).

    Parameters
    ----------
    simulate_fn : callable
        A simulator (see the module docstring).
    base_config : mapping or None
        The configuration the sweep starts from.
    param_name : str
        The configuration key to sweep.
    param_min, param_max : float
        Finite range, ``param_min <= param_max``.
    n_values : int
        Number of parameter values, in ``[1, MAX_POINTS]``.
    variable : str, optional
        The state to analyse (default: the first of ``states``).

    Returns
    -------
    dict
        ``param_values`` (``(n_values,)``), ``extrema`` (a list of
        ``n_values`` 1-D arrays, one per value) and ``points``, the ``(m, 2)``
        array of ``(param, value)`` pairs in that order (for a scatter plot).

    Raises
    ------
    TypeError, ValueError
        Bad arguments (naming them); ``variable`` not a state of the
        simulation; a result that breaks the protocol (naming ``simulate_fn``).
    """
    callable_arg(simulate_fn, "simulate_fn")
    config = config_mapping(base_config)
    name = check_text(param_name, "param_name")
    lo, hi = real_range(param_min, param_max, "param_min", "param_max")
    n = _count(n_values, "n_values")
    if variable is not None:
        check_text(variable, "variable")
    values = _grid(lo, hi, n)
    extrema: list[npt.NDArray[np.float64]] = []
    for p in values.tolist():
        sim = _simulate(simulate_fn, {**config, name: p})
        state = variable if variable is not None else next(iter(sim.states), None)
        if state is None or state not in sim.states:
            raise ValueError(f"variable must name a state of the simulation, one of "
                             f"{list(sim.states)}, got {state!r}")
        extrema.append(_late_extrema(sim.states[state]))
    pairs = [(p, x) for p, ex in zip(values.tolist(), extrema) for x in ex.tolist()]
    points = np.array(pairs, dtype=np.float64).reshape(len(pairs), 2)
    return {"param_values": values, "extrema": extrema, "points": points}


class SensitivityEntry(TypedDict):
    """One parameter's entry of
    [`sensitivity_analysis`][sc_neurocore.studio.analysis.sensitivity_analysis].
    """

    param: str
    value: float
    sensitivity: float | None
    reason: str | None
    base_rate: float
    rate_minus: float | None
    rate_plus: float | None


REASON_ZERO_PARAM = "parameter value is 0"
"""The reason [`sensitivity_analysis`][sc_neurocore.studio.analysis.sensitivity_analysis] gives
for an undefined sensitivity when ``p = 0``.
"""
REASON_ZERO_RATE = "base rate_hz is 0"
"""The reason [`sensitivity_analysis`][sc_neurocore.studio.analysis.sensitivity_analysis] gives
when the base rate ``r0`` is ``<= 0``.
"""
REASON_NO_CHANGE = "perturbation does not change the parameter"
"""The reason [`sensitivity_analysis`][sc_neurocore.studio.analysis.sensitivity_analysis] gives
when ``p + delta`` or ``p - delta`` is ``p``.
"""


def _param_names(value: object, config: Mapping[str, object]) -> list[str]:
    if isinstance(value, str) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"param_names must be a sequence of str, got {type(value).__name__}")
    names = value.tolist() if isinstance(value, np.ndarray) else list(value)
    if not names:
        raise ValueError("param_names must name at least one parameter")
    for item in names:
        if not isinstance(item, str):
            raise TypeError(f"param_names must hold str, got {item!r}")
        if item not in config:
            raise ValueError(f"param_names must be keys of base_config, got {item!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"param_names must not repeat a name, got {names}")
    return names


def sensitivity_analysis(simulate_fn: SimulateFn, base_config: Mapping[str, object],
                         param_names: Sequence[str], perturbation: float = 0.1
                         ) -> list[SensitivityEntry]:
    """Normalised sensitivity of the firing rate to each parameter (central difference).

    ``r0`` is the rate at ``base_config``. For each parameter with value ``p``
    (a finite real of ``base_config``), in this order of checks:

    * ``p == 0`` -> ``None``, reason ``"parameter value is 0"``;
    * ``r0 <= 0`` -> ``None``, reason ``"base rate_hz is 0"``;
    * ``delta = perturbation * |p|``; ``p + delta == p`` or ``p - delta == p``
      -> ``None``, reason ``"perturbation does not change the parameter"``;
    * otherwise ``r+``, ``r-`` are the rates at ``p + delta`` and ``p - delta``
      (other keys unchanged) and the sensitivity is
      ``((|r+ - r-| / (2 * delta)) * |p|) / r0``, evaluated in that order.

    Parameters
    ----------
    simulate_fn : callable
        A simulator (see the module docstring).
    base_config : mapping
        The configuration; it holds every named parameter.
    param_names : sequence of str
        Distinct keys of ``base_config``, at least one.
    perturbation : float
        Relative step, in ``(0, 1)``.

    Returns
    -------
    list of dict
        One entry per parameter (``param``, ``value``, ``sensitivity``,
        ``reason``, ``base_rate``, ``rate_minus``, ``rate_plus``; the last two
        ``None`` when not simulated), sorted by sensitivity descending (ties
        keep ``param_names`` order), the ``None`` ones last in ``param_names``
        order.

    Raises
    ------
    TypeError, ValueError
        Bad arguments (naming them); a parameter value that is not a finite
        real (naming ``base_config[name]``); a result that breaks the
        protocol (naming ``simulate_fn``).
    """
    callable_arg(simulate_fn, "simulate_fn")
    config = config_mapping(base_config)
    names = _param_names(param_names, config)
    rel = check_real(perturbation, "perturbation")
    if not 0.0 < rel < 1.0:
        raise ValueError(f"perturbation must be in (0, 1), got {rel!r}")
    values = [check_real(config[name], f"base_config[{name!r}]") for name in names]
    r0 = _simulate(simulate_fn, config).rate_hz
    defined: list[SensitivityEntry] = []
    undefined: list[SensitivityEntry] = []
    for name, p in zip(names, values):
        entry: SensitivityEntry = {"param": name, "value": p, "sensitivity": None,
                                   "reason": None, "base_rate": r0, "rate_minus": None,
                                   "rate_plus": None}
        delta = rel * abs(p)
        if p == 0.0:
            entry["reason"] = REASON_ZERO_PARAM
        elif r0 <= 0.0:
            entry["reason"] = REASON_ZERO_RATE
        elif p + delta == p or p - delta == p:
            entry["reason"] = REASON_NO_CHANGE
        if entry["reason"] is not None:
            undefined.append(entry)
            continue
        r_plus = _simulate(simulate_fn, {**config, name: p + delta}).rate_hz
        r_minus = _simulate(simulate_fn, {**config, name: p - delta}).rate_hz
        entry["rate_plus"], entry["rate_minus"] = r_plus, r_minus
        entry["sensitivity"] = ((abs(r_plus - r_minus) / (2.0 * delta)) * abs(p)) / r0
        defined.append(entry)
    defined.sort(key=lambda e: -(e["sensitivity"] or 0.0))
    return defined + undefined


class Heatmap(TypedDict):
    """Result of [`heatmap_2d`][sc_neurocore.studio.analysis.heatmap_2d]."""

    x_values: npt.NDArray[np.float64]
    y_values: npt.NDArray[np.float64]
    rates: npt.NDArray[np.float64]


def heatmap_2d(simulate_fn: SimulateFn, base_config: Mapping[str, object] | None,
               param_x: str, x_min: float, x_max: float, x_steps: int,
               param_y: str, y_min: float, y_max: float, y_steps: int) -> Heatmap:
    """Firing rate over a 2-D parameter grid.

    ``rates[j][i]`` is the rate of ``simulate_fn(**{**base_config, param_x:
    x_values[i], param_y: y_values[j]})`` with ``x_values = grid(x_min, x_max,
    x_steps)`` and ``y_values = grid(y_min, y_max, y_steps)``.

    Parameters
    ----------
    simulate_fn : callable
        A simulator (see the module docstring).
    base_config : mapping or None
        The configuration the grid starts from.
    param_x : str
        The configuration key swept along x.
    x_min : float
        Finite start of the x range.
    x_max : float
        Finite end of the x range, ``>= x_min``.
    x_steps : int
        Grid size along x, ``>= 1``, with ``x_steps * y_steps <= MAX_POINTS``.
    param_y : str
        The configuration key swept along y, different from ``param_x``.
    y_min : float
        Finite start of the y range.
    y_max : float
        Finite end of the y range, ``>= y_min``.
    y_steps : int
        Grid size along y, ``>= 1``.

    Returns
    -------
    dict
        ``x_values`` ``(x_steps,)``, ``y_values`` ``(y_steps,)`` and ``rates``
        ``(y_steps, x_steps)``, all ``float64``.

    Raises
    ------
    TypeError, ValueError
        Bad arguments (naming them), or a result that breaks the protocol.
    """
    callable_arg(simulate_fn, "simulate_fn")
    config = config_mapping(base_config)
    px = check_text(param_x, "param_x")
    xlo, xhi = real_range(x_min, x_max, "x_min", "x_max")
    nx = _count(x_steps, "x_steps")
    py = check_text(param_y, "param_y")
    ylo, yhi = real_range(y_min, y_max, "y_min", "y_max")
    ny = _count(y_steps, "y_steps")
    if px == py:
        raise ValueError(f"param_y must differ from param_x, got {py!r} twice")
    if nx * ny > MAX_POINTS:
        raise ValueError(f"y_steps must keep x_steps * y_steps <= {MAX_POINTS}, got "
                         f"{nx} * {ny}")
    xs, ys = _grid(xlo, xhi, nx), _grid(ylo, yhi, ny)
    rates = np.zeros((ny, nx), dtype=np.float64)
    for j, y in enumerate(ys.tolist()):
        for i, x in enumerate(xs.tolist()):
            rates[j, i] = _simulate(simulate_fn, {**config, px: x, py: y}).rate_hz
    return {"x_values": xs, "y_values": ys, "rates": rates}


# --------------------------------------------------------------------------- trace analyses

class SpikeTriggeredAverage(TypedDict):
    """Result of
    [`spike_triggered_average`][sc_neurocore.studio.analysis.spike_triggered_average].
    """

    time_ms: npt.NDArray[np.float64]
    sta: npt.NDArray[np.float64]
    n_spikes: int


def spike_triggered_average(time: npt.ArrayLike, voltage: npt.ArrayLike,
                            spikes: npt.ArrayLike, dt: float,
                            window_ms: float = 20.0) -> SpikeTriggeredAverage:
    """Average of the voltage snippets around spikes.

    ``h = (window_ms / dt) / 2``; ``hw = max(1, int(h))`` (``int`` truncates).
    A spike at step ``k`` is used when its whole window ``voltage[k - hw : k +
    hw]`` lies inside the trace (``k >= hw`` and ``k + hw <= len(voltage)``);
    when ``h > len(voltage)`` none is. The used snippets are added element by
    element in the order of ``spikes`` (starting from 0.0) and the sums divided
    by their count. ``time_ms[j] = (j - hw) * dt`` for ``j < 2 hw``.

    Example: ``voltage = 0..9``, spikes at 3 and 6, ``dt = 1``, ``window_ms =
    4`` -> ``hw = 2``, snippets ``[1, 2, 3, 4]`` and ``[4, 5, 6, 7]``, ``sta =
    [2.5, 3.5, 4.5, 5.5]``, ``time_ms = [-2, -1, 0, 1]``.

    Parameters
    ----------
    time : array_like
        The sample times (ms) of ``voltage``: 1-D, finite, the same length
        (checked only; windows are counted in samples of ``dt``).
    voltage : array_like
        1-D trace of finite reals.
    spikes : array_like
        1-D integer step indices in ``[0, len(voltage))`` (repeats count twice).
    dt : float
        Sample spacing (ms), ``> 0``.
    window_ms : float
        Full window length (ms), ``> 0``.

    Returns
    -------
    dict
        ``time_ms`` and ``sta`` (``float64`` ``(2 hw,)``) and ``n_spikes``,
        the number of snippets averaged. Fewer than two usable spikes give an
        empty result: both arrays empty and ``n_spikes == 0``.

    Raises
    ------
    TypeError, ValueError
        Wrong kinds, ranks or lengths, non-finite values, indices out of
        range, ``dt <= 0`` or ``window_ms <= 0`` (each naming the argument).
    """
    v = as_real_array(voltage, "voltage", (1,))
    t = as_real_array(time, "time", (1,))
    if t.shape != v.shape:
        raise ValueError(f"time must have the shape of voltage {v.shape}, got {t.shape}")
    idx = index_array(spikes, "spikes", len(v))
    step = check_real(dt, "dt", positive=True)
    window = check_real(window_ms, "window_ms", positive=True)
    empty: SpikeTriggeredAverage = {"time_ms": np.zeros(0, dtype=np.float64),
                                    "sta": np.zeros(0, dtype=np.float64), "n_spikes": 0}
    h = (window / step) / 2.0
    if h > len(v):
        return empty
    hw = max(1, int(h))
    used = [k for k in idx.tolist() if k >= hw and k + hw <= len(v)]
    if len(used) < 2:
        return empty
    acc = np.zeros(2 * hw, dtype=np.float64)
    for k in used:
        acc += v[k - hw:k + hw]
    sta: npt.NDArray[np.float64] = acc / float(len(used))
    time_ms: npt.NDArray[np.float64] = np.arange(-hw, hw, dtype=np.int64).astype(np.float64) * step
    return {"time_ms": time_ms, "sta": sta, "n_spikes": len(used)}


class FrequencyResponse(TypedDict):
    """Result of [`frequency_response`][sc_neurocore.studio.analysis.frequency_response]."""

    frequencies: npt.NDArray[np.float64]
    gain: npt.NDArray[np.float64]
    phase_lag: npt.NDArray[np.float64]
    vector_strength: npt.NDArray[np.float64]
    n_spikes: npt.NDArray[np.int64]
    n_cycles: npt.NDArray[np.int64]
    rates: npt.NDArray[np.float64]


def _log_frequencies(fmin: float, fmax: float, n: int) -> npt.NDArray[np.float64]:
    if n == 1:
        return np.array([fmin], dtype=np.float64)
    ratio = fmax / fmin
    if not math.isfinite(ratio):
        raise ValueError(f"freq_max / freq_min must be finite, got {fmax!r} / {fmin!r}")
    values = [fmin * math.pow(ratio, k / (n - 1)) for k in range(n - 1)]
    values.append(fmax)
    return np.array(values, dtype=np.float64)


def frequency_response(simulate_fn: SimulateFn, base_config: Mapping[str, object] | None,
                       freq_min: float = 1.0, freq_max: float = 100.0, n_freqs: int = 20,
                       bias: float = 10.0, depth: float = 0.5) -> FrequencyResponse:
    """Response of the firing to a sinusoidally modulated input, per frequency.

    Frequencies: ``[freq_min]`` for ``n_freqs == 1``, else ``f_k = freq_min *
    pow(freq_max / freq_min, k / (n_freqs - 1))`` for ``k < n_freqs - 1`` and
    ``f_(n-1) = freq_max`` (log-spaced; ``pow`` from the math library). Each
    runs ``simulate_fn(**{**base_config, "current": bias, "drive_depth": depth,
    "drive_freq_hz": f})``, i.e. the input ``bias * (1 + depth * sin(2 pi f
    t))``. With ``T = (n_steps * dt_ms) / 1000.0`` (s), the analysis uses the
    ``C = floor(f * T)`` whole cycles: spike ``k`` (time ``t_k = (k * dt_ms) /
    1000.0``, ``u_k = f * t_k`` cycles) counts when ``u_k < C``. With
    ``theta_k = TAU * (u_k - floor(u_k))`` and sums left to right over the
    ``N`` counted spikes in spike order:

    * ``Z = sum exp(-i theta_k) = re - i im`` with ``re = sum cos(theta_k)``,
      ``im = sum sin(theta_k)`` (the first-harmonic vector
      ``sum exp(-2 pi i f t_k)``), ``|Z| = sqrt(re * re + im * im)``;
    * ``vector_strength = |Z| / N``;
    * ``gain = ((2.0 * |Z|) / (C / f)) / (bias * depth)``: the amplitude (Hz)
      of the firing rate's first harmonic over the whole cycles, per unit of
      input modulation amplitude;
    * ``phase_lag = atan2(im, re) - HALF_PI`` (the spikes' mean phase minus
      the drive's peak phase pi/2, in rad), plus ``TAU`` when ``<= -pi``: in
      ``(-pi, pi]``; positive means the firing lags the drive's peak.

    ``C == 0`` (no whole cycle) makes gain, phase lag and vector strength NaN;
    ``N == 0`` with ``C > 0`` gives gain 0 and NaN for the other two.

    Parameters
    ----------
    simulate_fn : callable
        A simulator that accepts the drive keys (see the module docstring).
    base_config : mapping or None
        Other configuration keys.
    freq_min, freq_max : float
        Frequency range (Hz), ``0 < freq_min <= freq_max``, finite ratio.
    n_freqs : int
        Number of frequencies, in ``[1, MAX_POINTS]``.
    bias : float
        Mean input (the ``current`` key), ``> 0``.
    depth : float
        Relative modulation depth, in ``(0, 1]``.

    Returns
    -------
    dict
        Per frequency (``(n_freqs,)`` each): ``frequencies``, ``gain``,
        ``phase_lag``, ``vector_strength`` (``float64``), ``n_spikes`` and
        ``n_cycles`` (``N`` and ``C``, ``int64``) and ``rates`` (the
        simulator's ``rate_hz``).

    Raises
    ------
    TypeError, ValueError
        Bad arguments (naming them); a result that breaks the protocol
        (naming ``simulate_fn``); a simulation of ``2**53`` cycles or more at
        some frequency, too many to count exactly (naming ``freq_max``).
    """
    callable_arg(simulate_fn, "simulate_fn")
    config = config_mapping(base_config)
    fmin = check_real(freq_min, "freq_min", positive=True)
    fmin, fmax = real_range(fmin, freq_max, "freq_min", "freq_max")
    n = _count(n_freqs, "n_freqs")
    amp = check_real(bias, "bias", positive=True)
    mod = check_real(depth, "depth", positive=True)
    if mod > 1.0:
        raise ValueError(f"depth must be in (0, 1], got {mod!r}")
    freqs = _log_frequencies(fmin, fmax, n)
    nan = math.nan
    gain, lag, strength, counts, cycles, rates = [], [], [], [], [], []
    for f in freqs.tolist():
        sim = _simulate(simulate_fn, {**config, "current": amp, "drive_depth": mod,
                                      "drive_freq_hz": f})
        total = f * ((sim.n_steps * sim.dt_ms) / 1000.0)
        if total >= _PHASE_LIMIT:
            raise ValueError(f"freq_max is too high for the simulated duration: "
                             f"freq * n_steps * dt_ms / 1000 = {total!r} cycles, over 2**53")
        c = float(math.floor(total))
        re = im = 0.0
        count = 0
        for k in sim.spikes.tolist():
            u = f * ((k * sim.dt_ms) / 1000.0)
            if u < c:
                theta = TAU * (u - math.floor(u))
                re += math.cos(theta)
                im += math.sin(theta)
                count += 1
        abs_z = math.sqrt(re * re + im * im)
        if c == 0.0:
            gain.append(nan)
            lag.append(nan)
            strength.append(nan)
        elif count == 0:
            gain.append(0.0)
            lag.append(nan)
            strength.append(nan)
        else:
            gain.append(((2.0 * abs_z) / (c / f)) / (amp * mod))
            phase = math.atan2(im, re) - HALF_PI
            lag.append(phase + TAU if phase <= -math.pi else phase)
            strength.append(abs_z / count)
        counts.append(count)
        cycles.append(int(c))
        rates.append(sim.rate_hz)
    return {"frequencies": freqs, "gain": np.array(gain, dtype=np.float64),
            "phase_lag": np.array(lag, dtype=np.float64),
            "vector_strength": np.array(strength, dtype=np.float64),
            "n_spikes": np.array(counts, dtype=np.int64),
            "n_cycles": np.array(cycles, dtype=np.int64),
            "rates": np.array(rates, dtype=np.float64)}


# --------------------------------------------------------------------------- phase plane

class Nullclines(TypedDict):
    """Result of [`nullclines_2d`][sc_neurocore.studio.analysis.nullclines_2d]."""

    x_grid: npt.NDArray[np.float64]
    y_grid: npt.NDArray[np.float64]
    f_points: npt.NDArray[np.float64]
    g_points: npt.NDArray[np.float64]


def _range_pair(value: object, name: str) -> tuple[float, float]:
    arr = np.asarray(value)
    check_real_dtype(arr.dtype, name, "a (min, max) pair of real numbers")
    if arr.shape != (2,):
        raise ValueError(f"{name} must be a (min, max) pair, got shape {arr.shape}")
    lo, hi = real_range(float(arr[0]), float(arr[1]), f"{name}[0]", name)
    if lo == hi:
        raise ValueError(f"{name} must have min < max, got ({lo!r}, {hi!r})")
    return lo, hi


def _field_values(field: Field, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], name: str) -> npt.NDArray[np.float64]:
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        values = np.asarray(field(x, y))  # non-finite values are refused below
    check_real_dtype(values.dtype, f"{name}(x, y)")
    try:
        values = np.broadcast_to(values, x.shape)
    except ValueError:
        raise ValueError(f"{name} must return values of the grid's shape {x.shape}, "
                         f"got shape {values.shape}") from None
    out = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(out)
    if not finite.all():
        j, i = (int(k) for k in np.argwhere(~finite)[0])
        raise ValueError(f"{name} must be finite on the grid, got {out[j, i]!r} at "
                         f"(x, y) = ({x[j, i]!r}, {y[j, i]!r})")
    return out


def _sign_change_points(values: npt.NDArray[np.float64], cx: npt.NDArray[np.float64], cy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    corners = (values[:-1, :-1], values[:-1, 1:], values[1:, :-1], values[1:, 1:])
    low = np.minimum(np.minimum(corners[0], corners[1]), np.minimum(corners[2], corners[3]))
    high = np.maximum(np.maximum(corners[0], corners[1]), np.maximum(corners[2], corners[3]))
    rows, cols = np.nonzero((low <= 0.0) & (high >= 0.0))
    return np.stack([cx[cols], cy[rows]], axis=1).astype(np.float64).reshape(len(rows), 2)


def nullclines_2d(f: Field, g: Field, x_range: npt.ArrayLike, y_range: npt.ArrayLike,
                  grid_size: int = 80) -> Nullclines:
    """The cells of a grid where each component of a planar vector field changes sign.

    ``x_grid = grid(x_range[0], x_range[1], grid_size)`` and likewise
    ``y_grid``; ``f`` and ``g`` are called once each with the meshgrid arrays
    ``X[j, i] = x_grid[i]``, ``Y[j, i] = y_grid[j]`` (shape ``(grid_size,
    grid_size)``; a result that broadcasts to it, such as a constant, is
    accepted). Cell ``(j, i)`` has the corners ``(i, j)``, ``(i+1, j)``,
    ``(i, j+1)``, ``(i+1, j+1)``; a field changes sign in it when the minimum
    of its four corner values is ``<= 0`` and the maximum ``>= 0`` (a zero on a
    corner counts for every cell around it). The cell's point is its centre,
    ``x_grid[i] + (x_grid[i+1] - x_grid[i]) / 2.0`` and likewise in ``y``;
    points are listed row by row (``j`` outer, ``i`` inner).

    Parameters
    ----------
    f, g : callable
        ``(X, Y) -> values``: the ``dx/dt`` and ``dy/dt`` components.
    x_range, y_range : pair of float
        ``(min, max)``, finite, ``min < max``, finite width.
    grid_size : int
        Grid points per axis, in ``[2, MAX_GRID]``.

    Returns
    -------
    dict
        ``x_grid``, ``y_grid`` (``(grid_size,)``) and ``f_points``,
        ``g_points`` (``(m, 2)`` arrays of ``(x, y)`` cell centres).

    Raises
    ------
    TypeError, ValueError
        Non-callable fields, bad ranges or ``grid_size`` (naming them), or a
        field returning non-real, wrongly shaped or non-finite values (naming
        ``f`` or ``g``).
    """
    callable_arg(f, "f")
    callable_arg(g, "g")
    xlo, xhi = _range_pair(x_range, "x_range")
    ylo, yhi = _range_pair(y_range, "y_range")
    n = check_int(grid_size, "grid_size", minimum=2, below=MAX_GRID + 1)
    xs, ys = _grid(xlo, xhi, n), _grid(ylo, yhi, n)
    x, y = np.meshgrid(xs, ys, indexing="xy")
    fv = _field_values(f, x, y, "f")
    gv = _field_values(g, x, y, "g")
    cx = xs[:-1] + (xs[1:] - xs[:-1]) / 2.0
    cy = ys[:-1] + (ys[1:] - ys[:-1]) / 2.0
    return {"x_grid": xs, "y_grid": ys, "f_points": _sign_change_points(fv, cx, cy),
            "g_points": _sign_change_points(gv, cx, cy)}


# --------------------------------------------------------------------------- fixed point

class PrecisionReport(TypedDict):
    """Result of [`precision_compare`][sc_neurocore.studio.analysis.precision_compare] for one
    array.
    """

    quantized: npt.NDArray[np.float64]
    codes: npt.NDArray[np.int64]
    max_abs_error: float
    rmse: float
    n_saturated: int
    n_values: int


def quantize_q8_8(values: npt.ArrayLike, name: str = "values") -> tuple[npt.NDArray[np.int64], int]:
    """Signed Q8.8 codes of ``values`` and how many saturated.

    ``code = rint(v * 256.0)`` (round half to even on the product, which is
    exact unless it overflows to infinity), then clipped to ``[-32768,
    32767]``; a value saturates when the rounded code lies outside that range.
    The quantized value is ``code / 256.0``, in ``[-128, 127 + 255/256]``.

    Parameters
    ----------
    values : array_like
        Finite reals, any shape, at least one.
    name : str
        Argument name in error messages.

    Returns
    -------
    (ndarray, int)
        The ``int64`` codes (shape of ``values``) and the saturation count.

    Raises
    ------
    TypeError, ValueError
        Non-real, non-finite or empty ``values``.
    """
    arr = as_real_array(values, name)
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one value, got shape {arr.shape}")
    with np.errstate(over="ignore"):
        scaled = np.rint(arr * Q_SCALE)
    saturated = int(np.count_nonzero((scaled < Q_CODE_MIN) | (scaled > Q_CODE_MAX)))
    codes = np.asarray(np.clip(scaled, Q_CODE_MIN, Q_CODE_MAX), dtype=np.int64)
    return codes, saturated


def _precision_report(values: object, name: str) -> PrecisionReport:
    arr = as_real_array(values, name)
    codes, saturated = quantize_q8_8(arr, name)
    quantized: npt.NDArray[np.float64] = np.asarray(codes.astype(np.float64) / Q_SCALE)
    error = quantized - arr
    with np.errstate(over="ignore"):
        squares = error * error
    return {"quantized": quantized, "codes": codes,
            "max_abs_error": float(np.max(np.abs(error))),
            "rmse": math.sqrt(sequential_sum(squares) / arr.size),
            "n_saturated": saturated, "n_values": int(arr.size)}


@overload
def precision_compare(values: Mapping[str, npt.ArrayLike]) -> dict[str, PrecisionReport]: ...


@overload
def precision_compare(values: npt.ArrayLike) -> PrecisionReport: ...


def precision_compare(values: Mapping[str, npt.ArrayLike] | npt.ArrayLike
                      ) -> PrecisionReport | dict[str, PrecisionReport]:
    """Signed Q8.8 fixed point against float64: the error of storing values in 16 bits.

    Each value ``v`` becomes ``q = clip(rint(v * 256.0), -32768, 32767) /
    256.0`` ([`quantize_q8_8`][sc_neurocore.studio.analysis.quantize_q8_8]); with ``e = q - v``
    (one subtraction per value, in C order):

    * ``max_abs_error = max |e|``;
    * ``rmse = sqrt(sequential_sum(e * e) / n)`` (a left-to-right sum; ``sqrt``
      is correctly rounded, so the result is exact to the bit);
    * ``n_saturated``: values whose rounded code was outside ``[-32768,
      32767]`` (``v >= 127.998046875 + 1/512`` or ``v < -128 - 1/512``, the
      half-way points rounding to even).

    Parameters
    ----------
    values : array_like or mapping of str to array_like
        A trace or parameter array (finite reals, any shape, at least one
        value), or a mapping of names to such arrays or scalars (e.g. a
        simulation's ``states`` or a model configuration).

    Returns
    -------
    dict
        ``quantized`` (``float64``), ``codes`` (``int64``), ``max_abs_error``,
        ``rmse``, ``n_saturated`` and ``n_values``; for a mapping, one such
        dict per name.

    Raises
    ------
    TypeError, ValueError
        Non-real, non-finite or empty values (naming ``values`` or
        ``values[name]``).
    """
    if isinstance(values, Mapping):
        out: dict[str, PrecisionReport] = {}
        for key, item in values.items():
            if not isinstance(key, str):
                raise TypeError(f"values keys must be str, got {key!r}")
            out[key] = _precision_report(item, f"values[{key!r}]")
        return out
    return _precision_report(values, "values")
