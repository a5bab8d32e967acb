"""The reference simulators: deterministic neurons that follow the ``simulate_fn`` protocol.

[`lif_neuron`][sc_neurocore.studio.analysis.lif_neuron] and
[`fitzhugh_nagumo`][sc_neurocore.studio.analysis.fitzhugh_nagumo] take the
configuration keys the analyses set (``current``, ``params``, ``bias``,
``protocol``, ``frequency_hz``) plus ``dt`` and ``duration``, integrate with
forward Euler (no noise, no generator) and return a run result
([`run_payload`][sc_neurocore.studio.analysis.run_payload]). Their operations
are specified in order, so the Rust mirror reproduces them bit for bit
(within a tolerance where ``sin`` enters through a sine drive).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sc_neurocore._validation import check_real

from .._checks import config_mapping
from .runs import Drive, SimulateFn, drive_values, read_drive, run_payload, step_count

__all__ = ["LIF_DEFAULTS", "FITZHUGH_NAGUMO_DEFAULTS", "MODELS", "lif_neuron",
           "fitzhugh_nagumo"]

LIF_DEFAULTS: Mapping[str, float] = {"tau_ms": 10.0, "v_rest": -65.0, "v_reset": -65.0,
                                     "v_threshold": -50.0, "resistance": 2.0}
"""The parameters of [`lif_neuron`][sc_neurocore.studio.analysis.lif_neuron] and their
defaults."""
FITZHUGH_NAGUMO_DEFAULTS: Mapping[str, float] = {"a": 0.7, "b": 0.8, "tau": 12.5,
                                                 "v_threshold": 1.0, "v0": -1.2,
                                                 "w0": -0.625}
"""The parameters of [`fitzhugh_nagumo`][sc_neurocore.studio.analysis.fitzhugh_nagumo] and
their defaults."""


def _params(params: object, defaults: Mapping[str, float]) -> dict[str, float]:
    """``defaults`` updated from ``params``: known names only, finite reals."""
    given = config_mapping(params, "params")
    out = dict(defaults)
    for key, value in given.items():
        if key not in defaults:
            raise ValueError(f"params.{key} is not a parameter of this model; expected one "
                             f"of {', '.join(defaults)}")
        out[key] = check_real(value, f"params.{key}")
    return out


def _setup(params: object, defaults: Mapping[str, float], current: object, bias: object,
           protocol: object, frequency_hz: object, dt: object,
           duration: object) -> tuple[dict[str, float], Drive, float, int]:
    p = _params(params, defaults)
    drive = read_drive(protocol, current, bias, frequency_hz)
    _, step, n = step_count(duration, dt)
    return p, drive, step, n


def lif_neuron(*, current: float = 0.0, params: Mapping[str, float] | None = None,
               bias: float = 0.0, protocol: str = "constant", frequency_hz: float = 10.0,
               dt: float = 0.1, duration: float = 200.0) -> dict[str, Any]:
    """Leaky integrate-and-fire neuron, forward Euler: a reference ``simulate_fn``.

    With ``a = dt / tau_ms``, ``v = v_rest`` before step 0 and ``I_k`` the
    drive sample of step ``k``
    ([`drive_samples`][sc_neurocore.studio.analysis.drive_samples]), step
    ``k`` computes, one rounding per operation::

        v = v + a * ((v_rest - v) + resistance * I_k)
        if v >= v_threshold: spike at k; v = v_reset
        trace_v[k] = v

    Parameters
    ----------
    current : float
        Drive amplitude (``resistance * current`` is in mV).
    params : mapping, optional
        Any of ``tau_ms`` (ms, ``> 0``), ``v_rest``, ``v_reset``,
        ``v_threshold`` (mV, ``v_reset < v_threshold``) and ``resistance``
        (``> 0``); the others keep [`LIF_DEFAULTS`][sc_neurocore.studio.analysis.LIF_DEFAULTS].
    bias : float
        Offset of every drive sample.
    protocol : str
        Drive protocol (``"constant"``, ``"step"``, ``"ramp"``, ``"pulse"``, ``"sine"``).
    frequency_hz : float
        Sine frequency (Hz), ``>= 0``.
    dt : float
        Step (ms), ``0 < dt <= tau_ms``.
    duration : float
        Run length (ms); ``floor(duration / dt + 1e-9)`` steps, 1 to ``MAX_STEPS``.

    Returns
    -------
    dict
        A run result ([`run_payload`][sc_neurocore.studio.analysis.run_payload])
        with the one state ``v``.

    Raises
    ------
    TypeError, ValueError
        A bad argument or parameter (naming it, e.g. ``params.resistance``),
        or a potential that overflows (naming ``current``).
    """
    p, drive, step, n = _setup(params, LIF_DEFAULTS, current, bias, protocol, frequency_hz,
                               dt, duration)
    tau = p["tau_ms"]
    if tau <= 0.0:
        raise ValueError(f"params.tau_ms must be > 0, got {tau!r}")
    if p["resistance"] <= 0.0:
        raise ValueError(f"params.resistance must be > 0 (a membrane resistance), got "
                         f"{p['resistance']!r}")
    if step > tau:
        raise ValueError(f"dt must be <= params.tau_ms = {tau!r} (forward Euler), got {step!r}")
    if p["v_reset"] >= p["v_threshold"]:
        raise ValueError(f"params.v_reset must be < params.v_threshold = "
                         f"{p['v_threshold']!r}, got {p['v_reset']!r}")
    samples = drive_values(drive, n, step)
    a = step / tau
    rest, reset, threshold, r = p["v_rest"], p["v_reset"], p["v_threshold"], p["resistance"]
    v = rest
    trace = [0.0] * n
    spikes: list[int] = []
    for k in range(n):
        v = v + a * ((rest - v) + r * samples[k])
        if not math.isfinite(v):
            raise ValueError(f"current is too large: the potential is {v!r} at step {k}")
        if v >= threshold:
            spikes.append(k)
            v = reset
        trace[k] = v
    return run_payload(dt=step, n_steps=n, states={"v": trace}, drive=samples, spikes=spikes,
                       initial_state={"v": rest}, final_state={"v": v})


def fitzhugh_nagumo(*, current: float = 0.5, params: Mapping[str, float] | None = None,
                    bias: float = 0.0, protocol: str = "constant", frequency_hz: float = 10.0,
                    dt: float = 0.1, duration: float = 500.0) -> dict[str, Any]:
    """FitzHugh–Nagumo neuron, forward Euler (time unit 1 ms): a reference ``simulate_fn``.

    ``dv/dt = v - v^3/3 - w + I``, ``dw/dt = (v + a - b w) / tau``. With
    ``(v, w) = (v0, w0)`` before step 0, step ``k`` computes, in this order::

        dv = ((v - (v * v * v) / 3.0) - w) + I_k
        dw = ((v + a) - b * w) / tau
        v' = v + dt * dv
        w  = w + dt * dw
        spike at k if v < v_threshold <= v'     (an upward crossing)
        v = v'; trace_v[k] = v; trace_w[k] = w

    With the defaults the resting state is stable up to a current of about
    0.33 and the model oscillates (a Hopf bifurcation) above it.

    Parameters
    ----------
    current : float
        Drive amplitude.
    params : mapping, optional
        Any of ``a``, ``b``, ``tau`` (``> 0``), ``v_threshold``, ``v0``,
        ``w0``; the others keep
        [`FITZHUGH_NAGUMO_DEFAULTS`][sc_neurocore.studio.analysis.FITZHUGH_NAGUMO_DEFAULTS].
    bias : float
        Offset of every drive sample.
    protocol : str
        Drive protocol.
    frequency_hz : float
        Sine frequency (Hz), ``>= 0``.
    dt : float
        Step, ``> 0``.
    duration : float
        Run length; ``floor(duration / dt + 1e-9)`` steps, 1 to ``MAX_STEPS``.

    Returns
    -------
    dict
        A run result with the states ``v`` and ``w``.

    Raises
    ------
    TypeError, ValueError
        A bad argument or parameter (naming it), or a state that overflows
        (Euler diverged: naming ``dt``).
    """
    p, drive, step, n = _setup(params, FITZHUGH_NAGUMO_DEFAULTS, current, bias, protocol,
                               frequency_hz, dt, duration)
    if p["tau"] <= 0.0:
        raise ValueError(f"params.tau must be > 0, got {p['tau']!r}")
    samples = drive_values(drive, n, step)
    a, b, tau, threshold = p["a"], p["b"], p["tau"], p["v_threshold"]
    v, w = p["v0"], p["w0"]
    trace_v, trace_w = [0.0] * n, [0.0] * n
    spikes: list[int] = []
    for k in range(n):
        dv = ((v - (v * v * v) / 3.0) - w) + samples[k]
        dw = ((v + a) - b * w) / tau
        v_new = v + step * dv
        w = w + step * dw
        if not (math.isfinite(v_new) and math.isfinite(w)):
            raise ValueError(f"dt = {step!r} is too large: the Euler steps diverged at step {k}")
        if v < threshold <= v_new:
            spikes.append(k)
        v = v_new
        trace_v[k] = v
        trace_w[k] = w
    return run_payload(dt=step, n_steps=n, states={"v": trace_v, "w": trace_w},
                       drive=samples, spikes=spikes, initial_state={"v": p["v0"], "w": p["w0"]},
                       final_state={"v": v, "w": w})


MODELS: Mapping[str, SimulateFn] = {"lif": lif_neuron, "fitzhugh_nagumo": fitzhugh_nagumo}
"""The reference simulators by name (the golden file's ``model`` strings)."""
