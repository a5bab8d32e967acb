"""``GateOptimizer``: simplify a gate list before compilation, keeping its outputs."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ._checks import check_str_list
from .specs import GateSpec, check_distinct_signals, parse_specs, spec_drivers
from .types import GateType

__all__ = ["GateOptimizer", "COMMUTATIVE"]

COMMUTATIVE = (GateType.AND, GateType.OR, GateType.NAND, GateType.XOR)
"""Gate types whose input order does not matter (for duplicate detection)."""


def _rewired(spec: GateSpec, alias: dict[str, str]) -> GateSpec:
    def resolve(x: str) -> str:
        while x in alias:
            x = alias[x]
        return x

    return replace(spec, inputs=tuple(resolve(x) for x in spec.inputs))


def _distinct(spec: GateSpec) -> bool:
    return len(set(spec.inputs)) == len(spec.inputs) and spec.output not in spec.inputs


class GateOptimizer:
    """Circuit-level gate optimisation: identity buffers, duplicates, dead gates.

    Passes, in order (a gate is removed only if no remaining gate then reads a signal twice
    or its own output):

    1. identity buffers: a 1-input BUFFER whose output is not a required output is
       removed and its readers read its input instead (gate order);
    2. duplicates: a gate with the same type, inputs (as a set for AND, OR, NAND, XOR) and
       threshold as an earlier one, whose output is not required, is removed and its
       readers read the earlier gate's output (repeated until nothing changes);
    3. dead gates: gates whose output is neither required nor read are removed (repeated
       until nothing changes).

    Constant propagation is not done: specs carry no constant inputs.
    """

    def optimize(self, gates: list[dict[str, Any]], output_names: list[str]) -> dict[str, Any]:
        """Optimise a gate list.

        Parameters
        ----------
        gates : list of dict
            Gate specs as ``BitstreamToDNA.compile_network`` takes them (each output driven
            by one gate).
        output_names : list of str
            Signals that must stay available (distinct identifiers).

        Returns
        -------
        dict
            ``optimized_gates`` (normalised spec dicts, rewired, in original order),
            ``removed_count``, ``original_count`` and ``removals`` (``gate``: the original
            spec as ``str``, ``index``: its position, ``reason``: ``"identity_buffer"``,
            ``"duplicate"`` or ``"dead_output"``).

        Raises
        ------
        TypeError, ValueError
            For a malformed spec, a signal driven twice, or bad ``output_names``.
        """
        specs = parse_specs(gates)
        required = check_str_list(output_names, "output_names")
        check_distinct_signals(required, "output_names")
        spec_drivers(specs)
        live = list(range(len(specs)))
        alias: dict[str, str] = {}
        removals: list[dict[str, Any]] = []

        def try_remove(k: int, target: str, reason: str) -> bool:
            trial = dict(alias)
            trial[specs[k].output] = target
            rest = [j for j in live if j != k]
            if not all(_distinct(_rewired(specs[j], trial)) for j in rest):
                return False
            alias[specs[k].output] = target
            live.remove(k)
            removals.append({"gate": str(gates[k]), "index": k, "reason": reason})
            return True

        for k in list(live):
            spec = specs[k]
            if spec.gate_type is GateType.BUFFER and spec.output not in required:
                try_remove(k, spec.inputs[0], "identity_buffer")
        changed = True
        while changed:
            changed = False
            seen: dict[tuple[object, ...], int] = {}
            for k in list(live):
                spec = _rewired(specs[k], alias)
                inputs = (tuple(sorted(spec.inputs)) if spec.gate_type in COMMUTATIVE
                          else spec.inputs)
                key = (spec.gate_type, inputs, spec.threshold)
                if key in seen and spec.output not in required:
                    if try_remove(k, specs[seen[key]].output, "duplicate"):
                        changed = True
                        break
                seen.setdefault(key, k)
        changed = True
        while changed:
            changed = False
            read = {x for j in live for x in _rewired(specs[j], alias).inputs}
            for k in list(live):
                if specs[k].output not in required and specs[k].output not in read:
                    live.remove(k)
                    removals.append({"gate": str(gates[k]), "index": k,
                                     "reason": "dead_output"})
                    changed = True
        optimized = [_rewired(specs[k], alias).as_dict() for k in live]
        return {"optimized_gates": optimized, "removed_count": len(removals),
                "original_count": len(specs), "removals": removals}
