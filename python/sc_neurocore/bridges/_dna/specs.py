"""Gate specifications: the ``{"type", "inputs", "output", "threshold"}`` dicts that
``BitstreamToDNA.compile_network`` and ``GateOptimizer.optimize`` take, and wiring checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sc_neurocore._validation import InputTypeError, check_real

from ._checks import check_signal_name, check_str_list
from .topology import kahn_order, signal_graph
from .types import FAN_IN, DNAGate, GateType, as_gate_type

__all__ = ["GateSpec", "parse_specs", "check_wiring", "check_distinct_signals", "spec_drivers",
           "DEFAULT_THRESHOLD", "SPEC_KEYS", "check_feed_forward"]

SPEC_KEYS = ("type", "inputs", "output", "threshold")
"""Keys a gate specification may have (``threshold`` is optional)."""
DEFAULT_THRESHOLD = 0.5
"""Threshold of a THRESHOLD gate whose spec gives none (fraction of 200 nM)."""


@dataclass(frozen=True)
class GateSpec:
    """One checked gate specification."""

    gate_type: GateType
    inputs: tuple[str, ...]
    output: str
    threshold: float

    def as_dict(self) -> dict[str, Any]:
        """The spec as the dict ``compile_network`` takes (type upper-case)."""
        spec: dict[str, Any] = {"type": self.gate_type.name, "inputs": list(self.inputs),
                                "output": self.output}
        if self.gate_type is GateType.THRESHOLD:
            spec["threshold"] = self.threshold
        return spec


def _parse(spec: object, where: str) -> GateSpec:
    if not isinstance(spec, Mapping):
        raise InputTypeError(f"{where} must be a dict with keys type, inputs, output "
                             f"(and optionally threshold), got {type(spec).__name__}")
    unknown = [k for k in spec if k not in SPEC_KEYS]
    if unknown:
        raise ValueError(f"{where} has unknown keys {unknown}; a gate spec takes "
                         f"{', '.join(SPEC_KEYS)}")
    for key in ("type", "inputs", "output"):
        if key not in spec:
            raise ValueError(f"{where} lacks the key {key!r}")
    gate_type = as_gate_type(spec["type"], f"{where}['type']")
    inputs = check_str_list(spec["inputs"], f"{where}['inputs']")
    for k, signal in enumerate(inputs):
        check_signal_name(signal, f"{where}['inputs'][{k}]")
    want = FAN_IN[gate_type]
    if len(inputs) != want:
        raise ValueError(f"{where}['inputs']: a {gate_type.name} gate takes {want} input(s), "
                         f"got {len(inputs)}")
    if len(set(inputs)) != len(inputs):
        raise ValueError(f"{where}['inputs'] must be distinct signals, got {inputs}")
    output = check_signal_name(spec["output"], f"{where}['output']")
    if output in inputs:
        raise ValueError(f"{where}['output'] {output!r} must not be one of its inputs")
    threshold = 0.0
    if "threshold" in spec:
        threshold = check_real(spec["threshold"], f"{where}['threshold']", minimum=0.0)
    elif gate_type is GateType.THRESHOLD:
        threshold = DEFAULT_THRESHOLD
    if gate_type is not GateType.THRESHOLD:
        threshold = 0.0
    return GateSpec(gate_type, tuple(inputs), output, threshold)


def parse_specs(gates: object, name: str = "gates") -> list[GateSpec]:
    """Check a list of gate spec dicts (each named ``gates[k]`` in errors).

    Raises
    ------
    TypeError, ValueError
        For a malformed spec (naming it and the key at fault).
    """
    if isinstance(gates, (str, bytes, Mapping)) or not isinstance(gates, (Sequence, np.ndarray)):
        raise InputTypeError(f"{name} must be a list of gate dicts, got {type(gates).__name__}")
    return [_parse(spec, f"{name}[{k}]") for k, spec in enumerate(gates)]


def check_distinct_signals(names: list[str], label: str) -> None:
    """Refuse a signal list (``label``) whose entries are not distinct identifiers.

    Raises
    ------
    TypeError, ValueError
        Naming the entry ``label[k]`` at fault, or the repeated list.
    """
    for k, signal in enumerate(names):
        check_signal_name(signal, f"{label}[{k}]")
    if len(set(names)) != len(names):
        raise ValueError(f"{label} must be distinct, got {names}")


def spec_drivers(specs: Sequence[GateSpec], primary_inputs: Sequence[str] = ()
                 ) -> dict[str, int]:
    """Signal -> index of the spec that drives it.

    Raises
    ------
    ValueError
        For a signal driven by two specs, or a driven primary input.
    """
    driven: dict[str, int] = {}
    for k, spec in enumerate(specs):
        if spec.output in primary_inputs:
            raise ValueError(f"gates[{k}] drives {spec.output!r}, which is a primary input")
        if spec.output in driven:
            raise ValueError(f"gates[{k}] drives {spec.output!r}, already driven by "
                             f"gates[{driven[spec.output]}]")
        driven[spec.output] = k
    return driven


def check_wiring(specs: Sequence[GateSpec], input_names: object,
                 output_names: object) -> tuple[list[str], list[str]]:
    """Check that a network is wired: returns the checked ``(input_names, output_names)``.

    Primary inputs and outputs are distinct identifiers; every gate output is driven by
    that gate alone and is not a primary input; every gate input and every primary output
    is a primary input or some gate's output.

    Raises
    ------
    TypeError, ValueError
        Naming the signal at fault.
    """
    inputs = check_str_list(input_names, "input_names")
    outputs = check_str_list(output_names, "output_names")
    check_distinct_signals(inputs, "input_names")
    check_distinct_signals(outputs, "output_names")
    driven = spec_drivers(specs, inputs)
    known = set(inputs) | set(driven)
    for k, spec in enumerate(specs):
        for signal in spec.inputs:
            if signal not in known:
                raise ValueError(f"gates[{k}] reads {signal!r}, which is neither a primary "
                                 "input nor a gate output")
    for signal in outputs:
        if signal not in known:
            raise ValueError(f"output_names lists {signal!r}, which is neither a primary "
                             "input nor a gate output")
    return inputs, outputs


def check_feed_forward(gates: Sequence[DNAGate]) -> None:
    """Refuse gates that drive one signal twice or form a feedback loop.

    Raises
    ------
    ValueError
        Naming the signal driven twice, or a signal on or after the loop.
    """
    drivers: dict[str, int] = {}
    for k, gate in enumerate(gates):
        if gate.output_name in drivers:
            raise ValueError(f"gates {drivers[gate.output_name]} and {k} both drive "
                             f"{gate.output_name!r}")
        drivers[gate.output_name] = k
    nodes, succ = signal_graph(gates)
    ordered = set(kahn_order(nodes, succ))
    stuck = [n for n in nodes if n not in ordered]
    if stuck:
        raise ValueError(f"the gates form a feedback loop ({stuck[0]!r} is on or after it); "
                         "the kinetic model covers feed-forward circuits only")
