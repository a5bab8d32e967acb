"""Kinetics of a compiled circuit: an effective model of each gate's SC function.

Model (every step one IEEE-754 double operation, in the order written):

* Arrhenius factor ``f = exp(-(15000 / 1.987) * (1 / T - 1 / 310.15))``,
  ``T = temperature_c + 273.15`` (15 kcal/mol, the reference's activation energy); it is
  exactly 1 at 37 °C.
* Gate rate, from toehold binding followed by branch migration (two steps in series):
  ``k_on = ((f * rate_hybridization) * c_gate) * 1e-9`` with ``c_gate`` the concentration
  (nM) of the gate's first ``"translator"`` strand (200 nM if it has none), ``k_bm = f *
  rate_displacement`` and ``k_g = (k_on * k_bm) / (k_on + k_bm)``.
* Signals: primary inputs stay at their given concentrations; each gate output ``y``
  (starting at 0 nM) obeys ``dy/dt = k_g (200 A(p) - y) + leak (200 - y)``, where
  ``p_i = min(max(x_i, 0), 200) / 200`` are its inputs as probabilities and ``A`` is the
  gate's SC function (``gate_function``), so it relaxes to the SC value of its inputs; the
  leak (the gate's ``leak_rate``) pulls it toward 200 nM. All outputs advance together from
  one state.
* Steps: ``n = ceil(duration_s / dt)`` steps, ``n - 1`` of ``dt`` and a last one to
  ``duration_s``. **Stability guard**: each step of length ``h`` is split into ``m =
  max(1, ceil(K h))`` equal sub-steps of ``h / m``, ``K = max_g (k_g + leak_g)``, so every
  sub-step has ``K h_sub <= 1`` (inside the stability interval of both integrators; Euler
  never overshoots). A run that would need more than ``MAX_SUBSTEPS`` sub-steps is refused
  with a ``ValueError`` naming ``dt`` and the bound ``1 / K``.
* Euler: ``y' = y + h d(y)``; RK4: ``d1 = d(y)``, ``d2 = d(y + (0.5 h) d1)``,
  ``d3 = d(y + (0.5 h) d2)``, ``d4 = d(y + h d3)``,
  ``y' = y + (h / 6) (((d1 + 2 d2) + 2 d3) + d4)``. No clamping.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from sc_neurocore._validation import InputTypeError, check_choice, check_real

from ._checks import check_temperature
from .constants import GAS_CONSTANT, MAX_CONCENTRATION_NM, T37_K
from .specs import check_feed_forward
from .types import DNACircuitDesign, DNAGate, GateType, check_design

__all__ = ["KineticSimulator", "gate_function", "AMPLIFIER_GAIN", "ACTIVATION_ENERGY",
           "INTEGRATORS", "MAX_STEPS", "MAX_SUBSTEPS", "MAX_RATE", "DEFAULT_GATE_NM",
           "gate_concentration", "external_inputs"]

AMPLIFIER_GAIN = 5.0
"""Gain of an AMPLIFIER gate: ``A(p) = min(1, 5 p)`` (the reference's catalytic turnover)."""
ACTIVATION_ENERGY = 15000.0
"""Apparent activation energy of toehold binding and branch migration (cal/mol)."""
INTEGRATORS: tuple[str, ...] = ("euler", "rk4")
"""The integrators."""
MAX_STEPS = 1_000_000
"""Most output samples (steps) one simulation may take."""
MAX_SUBSTEPS = 1_000_000
"""Most integration sub-steps one simulation may take (the stability guard's budget)."""
MAX_RATE = 1e15
"""Largest accepted ``rate_hybridization`` (1/(M s)) and ``rate_displacement`` (1/s)."""
DEFAULT_GATE_NM = 200.0
"""Gate concentration (nM) used for a gate without a translator strand."""


def gate_function(gate_type: GateType, p: Sequence[float], threshold: float) -> float:
    """The SC function ``A(p)`` of a gate on input probabilities in [0, 1].

    AND ``p0 p1``; OR ``1 - (1 - p0)(1 - p1)``; NAND ``1 - p0 p1``; XOR
    ``p0 (1 - p1) + p1 (1 - p0)``; NOT ``1 - p0``; MUX(s, a, b) ``s a + (1 - s) b``;
    THRESHOLD ``max(p0 - threshold, 0)`` (the excess over the absorber); AMPLIFIER
    ``min(1, 5 p0)``; BUFFER ``p0``.

    Raises
    ------
    ValueError
        For a CATALYTIC gate (no compiler makes one; it has no kinetic model).
    """
    if gate_type is GateType.AND:
        return p[0] * p[1]
    if gate_type is GateType.OR:
        return 1.0 - (1.0 - p[0]) * (1.0 - p[1])
    if gate_type is GateType.NAND:
        return 1.0 - p[0] * p[1]
    if gate_type is GateType.XOR:
        return p[0] * (1.0 - p[1]) + p[1] * (1.0 - p[0])
    if gate_type is GateType.NOT:
        return 1.0 - p[0]
    if gate_type is GateType.MUX:
        return p[0] * p[1] + (1.0 - p[0]) * p[2]
    if gate_type is GateType.THRESHOLD:
        excess = p[0] - threshold
        return excess if excess > 0.0 else 0.0
    if gate_type is GateType.AMPLIFIER:
        gained = AMPLIFIER_GAIN * p[0]
        return gained if gained < 1.0 else 1.0
    if gate_type is GateType.BUFFER:
        return p[0]
    raise ValueError(f"a {gate_type.name} gate has no kinetic model")


def _probability(x: float) -> float:
    if not x > 0.0:
        return 0.0
    return (x if x < MAX_CONCENTRATION_NM else MAX_CONCENTRATION_NM) / MAX_CONCENTRATION_NM


def gate_concentration(gate: DNAGate) -> float:
    """``c_gate`` (nM): the gate's first translator strand's concentration, else 200."""
    for strand in gate.strands:
        if strand.role == "translator":
            return strand.concentration_nM
    return DEFAULT_GATE_NM


def external_inputs(gates: Sequence[DNAGate]) -> list[str]:
    """Gate inputs that no gate drives, in order of first use."""
    driven = {g.output_name for g in gates}
    out: list[str] = []
    for gate in gates:
        for signal in gate.input_names:
            if signal not in driven and signal not in out:
                out.append(signal)
    return out


class KineticSimulator:
    """Effective kinetics of a compiled DNA circuit (see the module docstring of
    ``sc_neurocore.bridges._dna.kinetics`` for the model and the stability guard).

    Parameters
    ----------
    rate_hybridization : float, optional
        Toehold binding rate constant (1/(M s)), finite, ``> 0``, at most 1e15 (default
        3e5).
    rate_displacement : float, optional
        Branch-migration rate (1/s), finite, ``> 0``, at most 1e15 (default 1).
    temperature_c : float, optional
        Temperature (°C) in [0, 100] (default 37).
    integrator : str, optional
        ``"euler"`` (default) or ``"rk4"``.

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or out of range.
    """

    def __init__(self, rate_hybridization: float = 3e5, rate_displacement: float = 1.0,
                 temperature_c: float = 37.0,
                 integrator: str = "euler") -> None:
        self._k_hyb = check_real(rate_hybridization, "rate_hybridization", positive=True,
                                 maximum=MAX_RATE)
        self._k_disp = check_real(rate_displacement, "rate_displacement", positive=True,
                                  maximum=MAX_RATE)
        self._temperature_c = check_temperature(temperature_c)
        self._integrator = check_choice(integrator, "integrator", INTEGRATORS)

    @property
    def integrator(self) -> str:
        """The integration method."""
        return self._integrator

    @property
    def temperature_factor(self) -> float:
        """The Arrhenius factor ``f`` (exactly 1 at 37 °C)."""
        t = self._temperature_c + 273.15
        return math.exp(-(ACTIVATION_ENERGY / GAS_CONSTANT) * (1.0 / t - 1.0 / T37_K))

    def gate_rate(self, gate: DNAGate) -> float:
        """The gate's rate ``k_g`` (1/s), without the leak.

        Parameters
        ----------
        gate : DNAGate
            The gate (its translator concentration sets ``k_on``).

        Returns
        -------
        float
            ``k_on k_bm / (k_on + k_bm)``, both scaled by ``temperature_factor``.

        Raises
        ------
        TypeError
            If ``gate`` is not a ``DNAGate``.
        """
        if not isinstance(gate, DNAGate):
            raise InputTypeError(f"gate must be a DNAGate, got {type(gate).__name__}")
        f = self.temperature_factor
        k_on = f * self._k_hyb * gate_concentration(gate) * 1e-9
        k_bm = f * self._k_disp
        return k_on * k_bm / (k_on + k_bm)

    def stability_bound(self, design: DNACircuitDesign) -> float:
        """The largest stable sub-step ``1 / K`` (s), ``K = max_g (k_g + leak_g)``
        (``inf`` when every gate is at rest).

        Parameters
        ----------
        design : DNACircuitDesign
            The design whose gates set ``K``.

        Returns
        -------
        float
            ``1 / K`` in seconds.

        Raises
        ------
        TypeError
            If ``design`` is not a ``DNACircuitDesign``.
        """
        check_design(design)
        k = max((self.gate_rate(g) + g.leak_rate for g in design.gates), default=0.0)
        return 1.0 / k if k > 0.0 else math.inf

    def _inputs(self, design: DNACircuitDesign, given: object) -> dict[str, float]:
        if not isinstance(given, Mapping):
            raise InputTypeError("input_concentrations must be a mapping of signal name -> "
                                 f"nM, got {type(given).__name__}")
        required = external_inputs(design.gates)
        allowed = set(required) | set(design.input_names)
        values = {}
        for key, value in given.items():
            if not isinstance(key, str):
                raise InputTypeError(f"input_concentrations keys must be str, got "
                                     f"{type(key).__name__}")
            if key not in allowed:
                raise ValueError(f"input_concentrations names {key!r}, which is not a primary "
                                 "input of the design")
            values[key] = check_real(value, f"input_concentrations[{key!r}]", minimum=0.0)
        missing = [s for s in required if s not in values]
        if missing:
            raise ValueError(f"input_concentrations lacks the inputs {missing}")
        return values

    def simulate(self, design: DNACircuitDesign, input_concentrations: Mapping[str, float],
                 duration_s: float = 3600.0, dt: float = 1.0) -> dict[str, npt.NDArray[Any]]:
        """Integrate every gate output from 0 nM.

        Parameters
        ----------
        design : DNACircuitDesign
            A feed-forward design with at least one gate.
        input_concentrations : mapping of str to float
            Concentration (nM, finite, ``>= 0``; above 200 reads as probability 1) of every
            gate input no gate drives; other primary inputs of the design may be given.
        duration_s : float, optional
            End time (s), finite, ``>= 0`` (default 3600).
        dt : float, optional
            Output step (s), finite, ``> 0`` (default 1); at most 1e6 steps.

        Returns
        -------
        dict of str to ndarray
            ``"time"``: the sample times (s), ``k dt`` then ``duration_s``, shape
            ``(n + 1,)``; each gate's output name: its concentration (nM) at those times.

        Raises
        ------
        TypeError, ValueError
            For a bad argument, missing or unknown inputs, a design with no gate, a
            feedback loop or a CATALYTIC gate, or a run the stability guard cannot fit in
            ``MAX_SUBSTEPS`` sub-steps (naming ``dt`` and the bound).
        """
        check_design(design)
        gates = design.gates
        if not gates:
            raise ValueError("design has no gates to simulate")
        for k, gate in enumerate(gates):
            if gate.gate_type is GateType.CATALYTIC:
                raise ValueError(f"gates[{k}] is CATALYTIC, which has no kinetic model")
            if gate.output_name == "time":
                raise ValueError(f"gates[{k}] drives a signal named 'time', the result's key "
                                 "for the time axis")
        check_feed_forward(gates)
        inputs = self._inputs(design, input_concentrations)
        duration = check_real(duration_s, "duration_s", minimum=0.0)
        step = check_real(dt, "dt", positive=True)
        ratio = duration / step
        if not ratio <= MAX_STEPS:
            raise ValueError(f"dt {step!r} makes duration_s / dt = {ratio!r} steps, more than "
                             f"{MAX_STEPS}")
        n_steps = math.ceil(ratio)
        rates = [self.gate_rate(g) for g in gates]
        leaks = [g.leak_rate for g in gates]
        k_max = 0.0
        for rate, leak in zip(rates, leaks):
            total = rate + leak
            if not math.isfinite(total):
                raise ValueError("a gate rate is not finite (rate_hybridization times the "
                                 "gate concentration overflows)")
            k_max = total if total > k_max else k_max
        lengths = []
        for k in range(n_steps):
            if k < n_steps - 1:
                lengths.append(step)
            else:
                rest = duration - float(n_steps - 1) * step
                lengths.append(rest if rest > 0.0 else 0.0)
        subs = [max(1, math.ceil(k_max * h)) for h in lengths]
        total_subs = sum(subs)
        if total_subs > MAX_SUBSTEPS:
            bound = 1.0 / k_max
            raise ValueError(f"dt = {step!r} s exceeds the stability bound 1/k_max = {bound!r} s "
                             f"of the {self._integrator} integrator (k_max = {k_max!r} /s): "
                             f"the guard would need {total_subs} sub-steps, more than "
                             f"{MAX_SUBSTEPS}; shorten duration_s or slow the rates")
        signals = list(inputs)
        index = {s: k for k, s in enumerate(signals)}
        for gate in gates:
            index[gate.output_name] = len(signals)
            signals.append(gate.output_name)
        wires = [[index[s] for s in g.input_names] for g in gates]
        outs = [index[g.output_name] for g in gates]
        types = [g.gate_type for g in gates]
        thresholds = [g.threshold for g in gates]
        state = [inputs[s] for s in inputs] + [0.0] * len(gates)

        def deriv(st: list[float]) -> list[float]:
            d = []
            for j in range(len(gates)):
                p = [_probability(st[i]) for i in wires[j]]
                target = MAX_CONCENTRATION_NM * gate_function(types[j], p, thresholds[j])
                y = st[outs[j]]
                d.append(rates[j] * (target - y) + leaks[j] * (MAX_CONCENTRATION_NM - y))
            return d

        def moved(st: list[float], h: float, d: list[float]) -> list[float]:
            new = list(st)
            for j, o in enumerate(outs):
                new[o] = st[o] + h * d[j]
            return new

        rows = [[state[o] for o in outs]]
        times = [0.0]
        for k, (h, m) in enumerate(zip(lengths, subs)):
            hs = h / m
            for _ in range(m):
                d1 = deriv(state)
                if self._integrator == "euler":
                    state = moved(state, hs, d1)
                else:
                    d2 = deriv(moved(state, 0.5 * hs, d1))
                    d3 = deriv(moved(state, 0.5 * hs, d2))
                    d4 = deriv(moved(state, hs, d3))
                    combined = [((a + 2.0 * b) + 2.0 * c) + e
                                for a, b, c, e in zip(d1, d2, d3, d4)]
                    state = moved(state, hs / 6.0, combined)
            rows.append([state[o] for o in outs])
            times.append(float(k + 1) * step if k < n_steps - 1 else duration)
        table = np.array(rows, dtype=np.float64).reshape(len(rows), len(gates))
        result: dict[str, npt.NDArray[Any]] = {"time": np.array(times, dtype=np.float64)}
        for j, gate in enumerate(gates):
            result[gate.output_name] = table[:, j].copy()
        return result
