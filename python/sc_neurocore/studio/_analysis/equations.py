"""Equation systems: ``d<var>/dt = <expr>`` lines, a threshold and resets, run by forward Euler.

A system is built from

* ``equations``: one ``"d<name>/dt = <expression>"`` per state variable (the
  order is the state order); the expressions may read the state variables,
  the parameters, the input current ``I`` and ``pi``;
* ``threshold``: an optional condition, checked after every step;
* ``reset``: optional ``"<var> = <expression>"`` assignments separated by
  ``;``, applied when the threshold holds (every right-hand side is
  evaluated before any variable is assigned);
* ``params`` and ``init``: names to finite reals (a state variable missing
  from ``init`` starts at 0).

Step ``k`` (drive sample ``I_k``) evaluates every derivative on the state at
the step's start, then sets ``x = x + d_x * dt`` for each variable in order;
then, on the new state, the threshold and the resets; the trace records the
state after the step (post-step clock). Expressions follow
:mod:`.expressions`. Every refusal is a
[`ModelInputError`][sc_neurocore.studio.analysis.ModelInputError] naming the
request field (``equations``, ``threshold``, ``reset``, ``params.<name>``,
``init.<name>``); a run that leaves the finite doubles is a
[`ModelSimulationFailure`][sc_neurocore.studio.analysis.ModelSimulationFailure].
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sc_neurocore._validation import real_scalar

from .errors import ODE_MODEL_NAME, ModelSimulationFailure, input_error
from .expressions import (
    FUNCTIONS,
    EvaluationError,
    ExpressionError,
    Node,
    evaluate,
    holds,
    names_of,
    parse_condition,
    parse_expression,
)
from .runs import MAX_STEPS, drive_values, read_drive, run_payload, step_count

__all__ = ["INPUT_NAME", "NOISE_NAME", "EquationSystem", "build_system", "finite_value",
           "run_system", "experiment", "simulate_equations"]

INPUT_NAME = "I"
"""The name of the input current in expressions."""
NOISE_NAME = "xi"
"""The diffusion-noise symbol: evaluated as 0 in drift fields (nullclines), refused in runs."""
_RESERVED = (INPUT_NAME, NOISE_NAME, "pi", "and", "or", "not", *FUNCTIONS)


@dataclass(frozen=True)
class EquationSystem:
    """A checked equation system (see the module docstring).

    Attributes
    ----------
    variables : tuple of str
        State variables in equation order.
    derivatives : tuple of Node
        Their right-hand sides.
    threshold : Node or None
        The spike condition.
    resets : tuple of (str, Node)
        Reset assignments in the order written.
    params : dict of str to float
        Parameter values.
    init : dict of str to float
        Initial value of every state variable.
    texts : dict of str to str
        The source text of each derivative, by variable.
    """

    variables: tuple[str, ...]
    derivatives: tuple[Node, ...]
    threshold: Node | None
    resets: tuple[tuple[str, Node], ...]
    params: dict[str, float]
    init: dict[str, float]
    texts: dict[str, str]


def finite_value(value: object, field: str) -> float:
    """``value`` as a finite float (``ModelInputError`` naming ``field`` otherwise)."""
    try:
        x = real_scalar(value, field, "a finite number")
    except ValueError as exc:
        raise input_error(field, str(exc)) from None
    if not math.isfinite(x):
        raise input_error(field, f"must be a finite number, got {x!r}")
    return x


def _named_values(value: object, field: str) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise input_error(field, f"must be a mapping of names to numbers, got "
                                 f"{type(value).__name__}")
    out: dict[str, float] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise input_error(field, f"names must be non-empty str, got {key!r}")
        out[key] = finite_value(item, f"{field}.{key}")
    return out


def _equation(text: object) -> tuple[str, Node, str]:
    if not isinstance(text, str):
        raise input_error("equations", f"each equation must be a str, got {type(text).__name__}")
    head, sep, rhs = text.partition("=")
    lhs = "".join(head.split())
    if not sep or not (lhs.startswith("d") and lhs.endswith("/dt")) or rhs.startswith("="):
        raise input_error("equations", f"{text!r} is not of the form 'd<var>/dt = <expression>'")
    name = lhs[1:-3]
    if not (name.isascii() and name.isidentifier()):
        raise input_error("equations", f"{text!r} does not name a variable as d<var>/dt")
    try:
        return name, parse_expression(rhs), rhs.strip()
    except ExpressionError as exc:
        raise input_error("equations", f"{text!r} could not be parsed: {exc}") from None


def _resets(text: object, variables: Sequence[str]) -> tuple[tuple[str, Node], ...]:
    if text is None or text == "":
        return ()
    if not isinstance(text, str):
        raise input_error("reset", f"must be a str of 'var = expression' parts, got "
                                   f"{type(text).__name__}")
    out: list[tuple[str, Node]] = []
    for part in text.split(";"):
        if not part.strip():
            continue
        head, sep, rhs = part.partition("=")
        name = head.strip()
        if not sep or rhs.startswith("="):
            raise input_error("reset", f"{part.strip()!r} is not of the form 'var = expression'")
        if name not in variables:
            raise input_error("reset", f"{name!r} is not a state variable; the variables are "
                                       f"{list(variables)}")
        try:
            out.append((name, parse_expression(rhs)))
        except ExpressionError as exc:
            raise input_error("reset", f"{part.strip()!r} could not be parsed: {exc}") from None
    return tuple(out)


def build_system(equations: object, threshold: object = None, reset: object = None,
                 params: object = None, init: object = None, *,
                 allow_noise: bool = False) -> EquationSystem:
    """A checked :class:`EquationSystem` from the request fields.

    Raises
    ------
    ModelInputError
        Naming the field at fault (see the module docstring).
    """
    if isinstance(equations, str) or not isinstance(equations, Sequence) or not equations:
        raise input_error("equations", "must be a non-empty list of 'd<var>/dt = ...' strings")
    variables: list[str] = []
    derivatives: list[Node] = []
    texts: dict[str, str] = {}
    for text in equations:
        name, node, rhs = _equation(text)
        if name in variables:
            raise input_error("equations", f"variable {name!r} has two equations")
        if name in _RESERVED:
            raise input_error("equations", f"{name!r} is reserved and cannot be a variable")
        variables.append(name)
        derivatives.append(node)
        texts[name] = rhs
    values = _named_values(params, "params")
    for name in values:
        if name in variables or name in _RESERVED:
            raise input_error(f"params.{name}", "the name is a state variable or reserved")
    start = _named_values(init, "init")
    for name in start:
        if name not in variables:
            raise input_error(f"init.{name}", f"is not a state variable; the variables are "
                                              f"{variables}")
    condition = None
    if threshold is not None and threshold != "":
        try:
            condition = parse_condition(threshold)
        except ExpressionError as exc:
            raise input_error("threshold", f"could not be parsed: {exc}") from None
    resets = _resets(reset, variables)
    known = {*variables, *values, INPUT_NAME, *((NOISE_NAME,) if allow_noise else ())}
    sources: list[tuple[str, Node]] = [("equations", d) for d in derivatives]
    sources += [("threshold", condition)] if condition is not None else []
    sources += [("reset", node) for _, node in resets]
    for field, node in sources:
        for name in names_of(node):
            if name not in known:
                reason = ("the diffusion-noise symbol xi is not supported in a run"
                          if name == NOISE_NAME else f"unknown symbol {name!r}")
                raise input_error(field, f"references {reason}")
    return EquationSystem(tuple(variables), tuple(derivatives), condition, resets, values,
                          {name: start.get(name, 0.0) for name in variables}, texts)


def run_system(system: EquationSystem, drive: Sequence[float], dt: float
               ) -> tuple[dict[str, list[float]], list[int], dict[str, float]]:
    """Forward-Euler run of ``system`` over the drive samples: ``(traces, spikes, final state)``.

    Raises
    ------
    ModelSimulationFailure
        When an evaluation fails or a state leaves the finite doubles (the
        step and its start time are given).
    """
    state = dict(system.init)
    traces: dict[str, list[float]] = {name: [0.0] * len(drive) for name in system.variables}
    spikes: list[int] = []
    for k, current in enumerate(drive):
        try:
            env: dict[str, float] = {**system.params, **state, INPUT_NAME: current}
            rates = [evaluate(d, env) for d in system.derivatives]
            for name, rate in zip(system.variables, rates):
                state[name] = state[name] + rate * dt
                if not math.isfinite(state[name]):
                    raise EvaluationError(f"state {name!r} is not finite")
            if system.threshold is not None:
                env = {**system.params, **state, INPUT_NAME: current}
                if holds(system.threshold, env):
                    spikes.append(k)
                    values = [(name, evaluate(node, env)) for name, node in system.resets]
                    for name, value in values:
                        state[name] = value
        except EvaluationError as exc:
            raise ModelSimulationFailure(model=ODE_MODEL_NAME, backend="python", step=k,
                                         time_ms=k * dt, diagnostic=str(exc)) from None
        for name in system.variables:
            traces[name][k] = state[name]
    return traces, spikes, state


def simulate_equations(equations: Sequence[str], threshold: str | None = None,
                       reset: str | None = None, params: Mapping[str, float] | None = None,
                       init: Mapping[str, float] | None = None, dt: float = 0.1,
                       duration: float = 100.0, current: float = 0.0,
                       protocol: str = "constant", frequency_hz: float = 10.0,
                       bias: float = 0.0, max_steps: int = MAX_STEPS) -> dict[str, Any]:
    """Run an equation system by forward Euler: a ``simulate_fn`` for the sweeps.

    Parameters
    ----------
    equations : sequence of str
        ``"d<var>/dt = <expression>"`` lines.
    threshold : str, optional
        Spike condition, checked after each step.
    reset : str, optional
        ``"var = expression"`` assignments (``;``-separated) applied on a spike.
    params : mapping, optional
        Parameter values.
    init : mapping, optional
        Initial state (missing variables start at 0).
    dt : float
        Step (ms), ``> 0``.
    duration : float
        Run length (ms); ``floor(duration / dt + 1e-9)`` steps, 1 to ``max_steps``
        (a longer run is refused, never shortened).
    current : float
        Drive amplitude.
    protocol : str
        Drive protocol ([`drive_samples`][sc_neurocore.studio.analysis.drive_samples]).
    frequency_hz : float
        Sine frequency (Hz).
    bias : float
        Offset of every drive sample.
    max_steps : int
        Step ceiling, ``>= 1``.

    Returns
    -------
    dict
        A run result ([`run_payload`][sc_neurocore.studio.analysis.run_payload]),
        one state trace per variable.

    Raises
    ------
    ModelInputError
        A refused request field (naming it).
    ModelSimulationFailure
        A step that leaves the finite doubles.
    """
    system = build_system(equations, threshold, reset, params, init)
    n_steps, step, drive = experiment(dt, duration, current, protocol, frequency_hz, bias,
                                      max_steps)
    traces, spikes, final = run_system(system, drive, step)
    return run_payload(dt=step, n_steps=n_steps, states=traces, drive=drive, spikes=spikes,
                       initial_state=system.init, final_state=final)


def experiment(dt: object, duration: object, current: object, protocol: object,
               frequency_hz: object, bias: object, max_steps: object
               ) -> tuple[int, float, list[float]]:
    """``(n_steps, dt, drive samples)`` of an equation run (``ModelInputError`` naming the field)."""
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise input_error("max_steps", f"must be a positive int, got {max_steps!r}")
    for field, value in (("dt", dt), ("duration", duration)):
        if finite_value(value, field) <= 0.0:
            raise input_error(field, f"must be finite and > 0, got {value!r}")
    try:
        _, step, n_steps = step_count(duration, dt, max_steps)
        drive = read_drive(protocol, current, bias, frequency_hz)
    except ValueError as exc:  # the shared checks name the field first
        field = str(exc).split(" ", 1)[0]
        raise input_error(field, str(exc)) from None
    return n_steps, step, drive_values(drive, n_steps, step)
