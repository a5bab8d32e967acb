"""Simulation runs: the drive protocols, the result a run returns, and how analyses read it.

The ``simulate_fn`` protocol
----------------------------
Every sweep calls ``simulate_fn(**config)`` and reads only what it needs from
the mapping it returns (extra keys are ignored):

* ``result["stats"]["rate_hz"]``: the mean firing rate in Hz, a finite real
  ``>= 0`` (f-I curve, sensitivity, rate map);
* the full-resolution state traces: ``result["raw"]["states"]`` when
  ``result["raw"]["included"]`` is true, else ``result["states"]``, a mapping
  of state name to a 1-D sequence of finite reals (bifurcation sweep; see
  [`full_state_traces`][sc_neurocore.studio.analysis.full_state_traces]);
* ``result["spikes"]`` (step indices, ints in ``[0, n_steps)``),
  ``result["n_steps"]`` (an int ``>= 1``) and ``result["observation"]["dt"]``
  (the step in ms, ``> 0``) (frequency response).

The configuration keys the analyses set are ``current`` (the drive
amplitude), ``params`` (a mapping of model parameter values, copied and
updated per point), and for the frequency response ``bias``, ``protocol``
(``"sine"``) and ``frequency_hz``.

Runs made here (the reference models and the equation runs of
[`precision_compare`][sc_neurocore.studio.analysis.precision_compare]) use the
post-step observation clock: step ``k`` integrates over ``[k dt, (k + 1) dt)``
with drive sample ``I_k`` and is recorded at ``(k + 1) dt``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from sc_neurocore._validation import as_real_array, check_choice, check_int, check_real

from .._checks import index_array
from .exact import linspace, whole_steps

__all__ = ["MAX_STEPS", "SUPPORTED_PROTOCOLS", "OBSERVATION_CLOCK", "SAMPLE_TIME_RULE",
           "DRIVE_INTERVAL_RULE", "TAU", "SimulateFn", "Drive", "read_drive", "drive_samples",
           "drive_values", "step_count", "spike_rate", "run_payload", "full_state_traces",
           "rate_of", "state_traces_of", "spike_train_of"]

SimulateFn = Callable[..., Mapping[str, Any]]
"""A simulator: ``simulate_fn(**config) -> result`` (see the module docstring)."""

MAX_STEPS = 100_000
"""Most steps one run may take (a longer request is refused, never shortened)."""
SUPPORTED_PROTOCOLS: tuple[str, ...] = ("constant", "step", "ramp", "pulse", "sine")
"""The drive protocols of [`drive_samples`][sc_neurocore.studio.analysis.drive_samples]."""
OBSERVATION_CLOCK = "post-step"
"""Runs record the state after each step."""
SAMPLE_TIME_RULE = "(index + 1) * dt"
"""The time (ms) at which step ``index`` is recorded."""
DRIVE_INTERVAL_RULE = "[index * dt, (index + 1) * dt)"
"""The interval (ms) over which step ``index`` applies its drive sample."""
TAU = 6.283185307179586
"""``2 pi`` as a double."""


class Drive:
    """A checked drive request: ``bias + shape_k`` per step (see ``drive_samples``)."""

    __slots__ = ("protocol", "current", "bias", "frequency_hz")

    def __init__(self, protocol: str, current: float, bias: float, frequency_hz: float) -> None:
        self.protocol = protocol
        self.current = current
        self.bias = bias
        self.frequency_hz = frequency_hz


def read_drive(protocol: object, current: object, bias: object, frequency_hz: object) -> Drive:
    """Check the drive arguments of a run (errors name each argument)."""
    return Drive(check_choice(protocol, "protocol", SUPPORTED_PROTOCOLS),
                 check_real(current, "current"), check_real(bias, "bias"),
                 check_real(frequency_hz, "frequency_hz", minimum=0.0))


def drive_samples(protocol: str, current: float, n_steps: int, dt: float,
                  frequency_hz: float = 10.0, bias: float = 0.0) -> list[float]:
    """The drive sample of every step of a run: ``bias + shape_k``.

    ``shape_k`` by protocol (``n = n_steps``):

    * ``"constant"``: ``current``;
    * ``"step"``: ``current`` for ``floor(n * 0.2) <= k < floor(n * 0.8)``, else 0;
    * ``"ramp"``: ``linspace(0.0, current, n)[k]``;
    * ``"pulse"``: ``current`` when ``k mod period < width``, else 0, with
      ``period = max(n // 5, 10)`` and ``width = max(period // 5, 2)``;
    * ``"sine"``: ``current * sin(((TAU * frequency_hz) * (k * dt)) / 1000.0)``
      (time in ms, frequency in Hz; ``sin`` from the math library).

    Parameters
    ----------
    protocol : str
        One of ``SUPPORTED_PROTOCOLS``.
    current : float
        The protocol's amplitude.
    n_steps : int
        Number of steps, ``>= 1``.
    dt : float
        Step (ms), ``> 0``.
    frequency_hz : float
        Sine frequency (Hz), ``>= 0``.
    bias : float
        Offset added to every sample.

    Returns
    -------
    list of float
        ``n_steps`` samples.

    Raises
    ------
    TypeError, ValueError
        An unknown protocol or a non-finite or out-of-range argument (naming it).
    """
    drive = read_drive(protocol, current, bias, frequency_hz)
    n = check_int(n_steps, "n_steps", minimum=1, below=MAX_STEPS + 1)
    step = check_real(dt, "dt", positive=True)
    return drive_values(drive, n, step)


def drive_values(drive: Drive, n: int, dt: float) -> list[float]:
    """The ``n`` samples of a checked drive at step ``dt`` (see ``drive_samples``)."""
    amp, bias = drive.current, drive.bias
    if drive.protocol == "constant":
        shape = [amp] * n
    elif drive.protocol == "step":
        on, off = math.floor(n * 0.2), math.floor(n * 0.8)
        shape = [amp if on <= k < off else 0.0 for k in range(n)]
    elif drive.protocol == "ramp":
        shape = linspace(0.0, amp, n)
    elif drive.protocol == "pulse":
        period = max(n // 5, 10)
        width = max(period // 5, 2)
        shape = [amp if k % period < width else 0.0 for k in range(n)]
    else:
        omega = TAU * drive.frequency_hz
        shape = [amp * math.sin((omega * (k * dt)) / 1000.0) for k in range(n)]
    return [bias + s for s in shape]


def step_count(duration: object, dt: object, max_steps: int = MAX_STEPS) -> tuple[float, float, int]:
    """``(duration, dt, n_steps)`` checked: ``n_steps = floor(duration / dt + 1e-9)``.

    Raises
    ------
    TypeError, ValueError
        A non-finite or non-positive ``dt`` or ``duration`` (naming it), or a
        step count outside ``[1, max_steps]`` (naming ``duration``).
    """
    step = check_real(dt, "dt", positive=True)
    length = check_real(duration, "duration", positive=True)
    ratio = length / step
    if not ratio < max_steps + 1:
        raise ValueError(f"duration must give at most {max_steps} steps of dt = {step!r}, "
                         f"got duration / dt = {ratio!r}; the run is not shortened")
    n = whole_steps(length, step)
    if n < 1:
        raise ValueError(f"duration must hold at least one step of dt = {step!r}, got "
                         f"{length!r}")
    if n > max_steps:
        raise ValueError(f"duration must give at most {max_steps} steps of dt = {step!r}, "
                         f"got {n}")
    return length, step, n


def spike_rate(n_spikes: int, n_steps: int, dt: float) -> float:
    """``n_spikes / ((n_steps * dt) / 1000.0)``: spikes per second of simulated time."""
    return n_spikes / ((n_steps * dt) / 1000.0)


def run_payload(*, dt: float, n_steps: int, states: dict[str, list[float]],
                drive: Sequence[float], spikes: list[int], initial_state: Mapping[str, float],
                final_state: Mapping[str, float]) -> dict[str, Any]:
    """The result of one run made here, in the ``simulate_fn`` protocol.

    Parameters
    ----------
    dt : float
        Step (ms).
    n_steps : int
        Number of steps.
    states : dict of str to list of float
        Every state's value after each step.
    drive : sequence of float
        The drive sample of each step.
    spikes : list of int
        Spike step indices.
    initial_state : mapping of str to float
        The state before step 0.
    final_state : mapping of str to float
        The state after the last step.

    Returns
    -------
    dict
        ``time`` (``(k + 1) * dt``), ``states`` (every step), ``current_trace``
        (the drive samples), ``spikes``, ``spike_count``, ``stats``
        (``rate_hz``), ``dt``, ``n_steps``, ``observation`` (the clock),
        ``initial_state`` and ``final_state``.
    """
    return {"time": [(k + 1) * dt for k in range(n_steps)], "states": states,
            "current_trace": list(drive), "spikes": spikes, "spike_count": len(spikes),
            "stats": {"rate_hz": spike_rate(len(spikes), n_steps, dt)}, "dt": dt,
            "n_steps": n_steps,
            "observation": {"clock": OBSERVATION_CLOCK, "dt": dt, "initial_time_ms": 0.0,
                            "sample_time_ms": SAMPLE_TIME_RULE,
                            "drive_interval_ms": DRIVE_INTERVAL_RULE},
            "initial_state": dict(initial_state), "final_state": dict(final_state)}


# --------------------------------------------------------------------------- reading results

def full_state_traces(result: Mapping[str, Any]) -> dict[str, list[float]]:
    """The full-resolution scalar state traces of a run result.

    ``result["raw"]["states"]`` when ``result["raw"]`` is a mapping whose
    ``included`` is true, else ``result["states"]``, else ``{}``. Analyses
    that compute on a trace must not use a reduced display copy.

    Parameters
    ----------
    result : mapping
        A run result.

    Returns
    -------
    dict of str to list of float
        Each trace as a list (names as ``str``).
    """
    raw = result.get("raw")
    if isinstance(raw, Mapping) and raw.get("included"):
        states = raw.get("states")
        if isinstance(states, Mapping):
            return {str(name): list(values) for name, values in states.items()}
    states = result.get("states")
    if isinstance(states, Mapping):
        return {str(name): list(values) for name, values in states.items()}
    return {}


def _mapping(value: object, label: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{label} must be a mapping, got {type(value).__name__}")
    return value


def _field(result: Mapping[str, Any], key: str, label: str) -> object:
    if key not in result:
        raise ValueError(f"{label} must have the key {key!r}; got keys "
                         f"{sorted(map(str, result))}")
    return result[key]


def rate_of(result: object, name: str = "simulate_fn") -> float:
    """``result["stats"]["rate_hz"]``, checked to be a finite real ``>= 0``.

    Raises
    ------
    TypeError, ValueError
        If the result breaks the protocol (naming ``name``).
    """
    run = _mapping(result, f"{name}()")
    stats = _mapping(_field(run, "stats", f"{name}()"), f"{name}()['stats']")
    return check_real(_field(stats, "rate_hz", f"{name}()['stats']"),
                      f"{name}()['stats']['rate_hz']", minimum=0.0)


def state_traces_of(result: object, name: str = "simulate_fn") -> dict[str, list[float]]:
    """[`full_state_traces`][sc_neurocore.studio.analysis.full_state_traces], each trace
    checked to be 1-D finite reals.

    Raises
    ------
    TypeError, ValueError
        If the result is not a mapping or a trace is not 1-D finite reals
        (naming ``name``).
    """
    traces = full_state_traces(_mapping(result, f"{name}()"))
    return {key: as_real_array(trace, f"{name}() state {key!r}", (1,)).tolist()
            for key, trace in traces.items()}


def spike_train_of(result: object, name: str = "simulate_fn") -> tuple[list[int], int, float]:
    """``(spikes, n_steps, dt)`` of a run result.

    Raises
    ------
    TypeError, ValueError
        If ``spikes``, ``n_steps`` or ``observation.dt`` breaks the protocol
        (naming ``name``).
    """
    run = _mapping(result, f"{name}()")
    n_steps = check_int(_field(run, "n_steps", f"{name}()"), f"{name}()['n_steps']",
                        minimum=1)
    observation = _mapping(_field(run, "observation", f"{name}()"), f"{name}()['observation']")
    dt = check_real(_field(observation, "dt", f"{name}()['observation']"),
                    f"{name}()['observation']['dt']", positive=True)
    spikes = index_array(np.asarray(_field(run, "spikes", f"{name}()")), f"{name}()['spikes']",
                         n_steps)
    return [int(k) for k in spikes.tolist()], n_steps, dt
