"""``DualRailEncoder``: fault-detecting dual-rail circuits.

Every signal ``x`` becomes two rails, ``x_T`` (true) and ``x_C`` (complement, carrying
``1 - p``). Each gate ``y = g(...)`` becomes ``y_T`` = the same gate on true rails and
``y_C`` computed so that it carries exactly ``1 - P(y)`` for independent inputs:

AND -> OR(a_C, b_C); OR -> AND(a_C, b_C); NOT -> NOT(a_C); NAND -> AND(a_T, b_T);
XOR -> XOR(a_T, b_C); MUX(s, a, b) -> MUX(s_T, a_C, b_C); BUFFER -> BUFFER(a_C).

THRESHOLD, AMPLIFIER and CATALYTIC have no complement among the gate types (``1 - max(p -
t, 0)`` is not a threshold of ``1 - p``), so designs holding them are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sc_neurocore._validation import InputTypeError, as_real_array, check_real

from .kinetics import external_inputs
from .network import BitstreamToDNA
from .types import DNACircuitDesign, GateType, check_design

__all__ = ["DualRailEncoder", "complement_rail"]


def complement_rail(gate_type: GateType, inputs: list[str]) -> tuple[str, list[str]]:
    """(type, inputs) of the complement-rail gate of ``gate_type`` on ``inputs``."""
    t = [f"{x}_T" for x in inputs]
    c = [f"{x}_C" for x in inputs]
    table = {GateType.AND: ("OR", c), GateType.OR: ("AND", c), GateType.NOT: ("NOT", c),
             GateType.NAND: ("AND", t), GateType.XOR: ("XOR", [t[0], c[-1]]),
             GateType.MUX: ("MUX", [t[0]] + c[1:]), GateType.BUFFER: ("BUFFER", c)}
    if gate_type not in table:
        raise ValueError(f"a {gate_type.name} gate has no complement-rail gate, so the design "
                         "cannot be dual-rail encoded")
    return table[gate_type]


class DualRailEncoder:
    """Dual-rail encoding for fault-tolerant DNA circuits.

    Valid rail states are (high, low) = 1 and (low, high) = 0; (high, high) and (low, low)
    reveal a fault.
    """

    def encode(self, design: DNACircuitDesign, compiler: BitstreamToDNA) -> DNACircuitDesign:
        """Compile the dual-rail version of a design (see the module docstring of
        ``sc_neurocore.bridges._dna.dual_rail``).

        Primary inputs and outputs are the design's ``input_names`` / ``output_names``
        (when empty: the gate inputs no gate drives / the gate outputs no gate reads); each
        becomes ``x_T, x_C``. Gates compile in order, true rail then complement rail.

        Parameters
        ----------
        design : DNACircuitDesign
        compiler : BitstreamToDNA
            Compiles the new network (its method must compile every rail gate).

        Returns
        -------
        DNACircuitDesign
            Named ``<design.name>_dual_rail``, with twice the gates.

        Raises
        ------
        TypeError, ValueError
            For bad arguments or a gate without a complement rail.
        """
        check_design(design)
        if not isinstance(compiler, BitstreamToDNA):
            raise InputTypeError(f"compiler must be a BitstreamToDNA, got "
                                 f"{type(compiler).__name__}")
        specs: list[dict[str, Any]] = []
        for gate in design.gates:
            comp_type, comp_inputs = complement_rail(gate.gate_type, gate.input_names)
            specs.append({"type": gate.gate_type.name,
                          "inputs": [f"{x}_T" for x in gate.input_names],
                          "output": f"{gate.output_name}_T"})
            specs.append({"type": comp_type, "inputs": comp_inputs,
                          "output": f"{gate.output_name}_C"})
        inputs = design.input_names or external_inputs(design.gates)
        read = {x for g in design.gates for x in g.input_names}
        outputs = design.output_names or [g.output_name for g in design.gates
                                          if g.output_name not in read]
        return compiler.compile_network(specs, [f"{x}_{r}" for x in inputs for r in "TC"],
                                        [f"{y}_{r}" for y in outputs for r in "TC"],
                                        name=f"{design.name}_dual_rail")

    def check_faults(self, result: Mapping[str, Any],
                     threshold_nM: float = 50.0) -> list[dict[str, Any]]:
        """Find rail pairs whose final values agree (a fault).

        Parameters
        ----------
        result : mapping of str to array
            A simulation result (``"time"`` and traces); every ``x_T`` with an ``x_C`` is a
            pair.
        threshold_nM : float, optional
            A rail above this (nM) is high, finite and ``>= 0`` (default 50).

        Returns
        -------
        list of dict
            Sorted by signal: ``signal``, ``true_nM``, ``comp_nM``, ``fault_type``
            (``"stuck_high"`` when both are high, ``"stuck_low"`` when both are low).

        Raises
        ------
        TypeError, ValueError
            For a bad ``result`` or threshold.
        """
        if not isinstance(result, Mapping):
            raise InputTypeError(f"result must be a mapping of name -> trace, got "
                                 f"{type(result).__name__}")
        limit = check_real(threshold_nM, "threshold_nM", minimum=0.0)
        faults = []
        pairs = sorted(str(k)[:-2] for k in result
                       if isinstance(k, str) and k.endswith("_T") and f"{k[:-2]}_C" in result)
        for signal in pairs:
            t = as_real_array(result[f"{signal}_T"], f"result[{signal + '_T'!r}]", (1,))
            c = as_real_array(result[f"{signal}_C"], f"result[{signal + '_C'!r}]", (1,))
            if t.size == 0 or c.size == 0:
                raise ValueError(f"result traces of {signal!r} must not be empty")
            t_final, c_final = float(t[-1]), float(c[-1])
            t_high, c_high = t_final > limit, c_final > limit
            if t_high == c_high:
                faults.append({"signal": signal, "true_nM": t_final, "comp_nM": c_final,
                               "fault_type": "stuck_high" if t_high else "stuck_low"})
        return faults
