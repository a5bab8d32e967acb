"""Network-level compilation: ``BitstreamToDNA`` (gate specs -> design) and
``SCNetworkBridge`` (weight matrix -> gate specs -> design)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from sc_neurocore._readonly import read_only
from sc_neurocore._validation import (
    InputTypeError,
    as_bits,
    as_real_array,
    check_int,
    check_text,
)
from sc_neurocore.splitmix import U64_LIMIT

from ._checks import check_strand_name, check_temperature
from .compilers import EnzymaticGateCompiler, StrandDisplacementCompiler
from .constants import MAX_CONCENTRATION_NM
from .design import SequenceDesigner
from .kinetics import KineticSimulator
from .nupack import NUPACKInterface
from .specs import GateSpec, check_wiring, parse_specs
from .types import CompilationMethod, DNACircuitDesign, DNAGate, DNAStrand, GateType, as_method

__all__ = ["BitstreamToDNA", "SCNetworkBridge", "DISPLACEMENT_TYPES", "ENZYMATIC_TYPES",
           "adjacency_specs", "MAX_NODES"]

DISPLACEMENT_TYPES = (GateType.AND, GateType.OR, GateType.NOT, GateType.MUX,
                      GateType.AMPLIFIER, GateType.BUFFER, GateType.THRESHOLD)
"""Gate types the strand-displacement compiler makes."""
ENZYMATIC_TYPES = (GateType.NAND, GateType.XOR)
"""Gate types the enzymatic compiler makes."""
MAX_NODES = 10_000
"""Largest adjacency matrix side ``SCNetworkBridge`` takes."""


class BitstreamToDNA:
    """Map stochastic-computing networks to DNA circuits: the main entry point.

    One ``SequenceDesigner(seed)`` serves every compilation of this object, so successive
    ``compile_network`` calls continue its draw order (and design distinct sequences).

    Parameters
    ----------
    method : str, optional
        ``"displacement"`` (default), ``"enzymatic"`` or ``"hybrid"`` (or a
        ``CompilationMethod``).
    seed : int, optional
        Seed of the sequence designer, in ``[0, 2**64)`` (default 42).
    temperature_c : float, optional
        Design temperature (°C) in [0, 100] (default 37).

    Attributes
    ----------
    method : CompilationMethod
        The compilation method (read-only).
    designer : SequenceDesigner
        The sequence designer every compilation draws from (read-only).

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or value.

    Examples
    --------
    >>> compiler = BitstreamToDNA(method="displacement", seed=42)
    >>> design = compiler.compile_network(
    ...     gates=[{"type": "AND", "inputs": ["A", "B"], "output": "C"},
    ...            {"type": "NOT", "inputs": ["C"], "output": "D"}],
    ...     input_names=["A", "B"], output_names=["D"])
    >>> design.total_gates
    2
    """

    def __init__(self, method: str | CompilationMethod = "displacement", seed: int = 42,
                 temperature_c: float = 37.0) -> None:
        self._method = as_method(method)
        self._temperature_c = check_temperature(temperature_c)
        self._designer = SequenceDesigner(seed=check_int(seed, "seed", minimum=0,
                                                         below=U64_LIMIT))
        self._displacement = StrandDisplacementCompiler(designer=self._designer,
                                                        temperature_c=self._temperature_c)
        self._enzymatic = EnzymaticGateCompiler(designer=self._designer)
        self._nupack = NUPACKInterface(temperature_c=self._temperature_c)

    method: CompilationMethod = read_only("_method")
    designer: SequenceDesigner = read_only("_designer")

    def _allowed(self) -> tuple[GateType, ...]:
        if self._method is CompilationMethod.DISPLACEMENT:
            return DISPLACEMENT_TYPES
        if self._method is CompilationMethod.ENZYMATIC:
            return ENZYMATIC_TYPES
        return DISPLACEMENT_TYPES + ENZYMATIC_TYPES

    def _compile_gate(self, spec: GateSpec, gate_id: int) -> DNAGate:
        x, out = spec.inputs, spec.output
        comp = self._displacement
        if spec.gate_type is GateType.AND:
            return comp.compile_and(x[0], x[1], out, gate_id=gate_id)
        if spec.gate_type is GateType.OR:
            return comp.compile_or(x[0], x[1], out, gate_id=gate_id)
        if spec.gate_type is GateType.NOT:
            return comp.compile_not(x[0], out, gate_id=gate_id)
        if spec.gate_type is GateType.MUX:
            return comp.compile_mux(x[0], x[1], x[2], out, gate_id=gate_id)
        if spec.gate_type is GateType.AMPLIFIER:
            return comp.compile_amplifier(x[0], out, gate_id=gate_id)
        if spec.gate_type is GateType.BUFFER:
            return comp.compile_buffer(x[0], out, gate_id=gate_id)
        if spec.gate_type is GateType.THRESHOLD:
            return comp.compile_threshold(x[0], out, spec.threshold, gate_id=gate_id)
        if spec.gate_type is GateType.NAND:
            return self._enzymatic.compile_nand(x[0], x[1], out, gate_id=gate_id)
        return self._enzymatic.compile_xor(x[0], x[1], out, gate_id=gate_id)

    def compile_network(self, gates: list[dict[str, Any]], input_names: list[str],
                        output_names: list[str], name: str = "sc_dna_circuit") -> DNACircuitDesign:
        """Compile an SC Boolean network to a DNA circuit.

        Everything is checked before any sequence is drawn. Then, in order: for each
        primary input ``x`` a recognition domain and a toehold (strand ``signal_x`` =
        toehold + recognition, 200 nM); each gate in list order (gate id = its index; see
        the compilers); for each primary output ``y`` a recognition domain (strand
        ``output_y``, 0 nM).

        Parameters
        ----------
        gates : list of dict
            Gate specs: ``"type"`` (a ``GateType`` name, either case), ``"inputs"`` (list of
            signal names), ``"output"`` and, for THRESHOLD, optionally ``"threshold"``
            (default 0.5). The method must compile the type: displacement AND, OR, NOT, MUX,
            AMPLIFIER, BUFFER, THRESHOLD; enzymatic NAND, XOR; hybrid all of them.
        input_names : list of str
            Primary input signals (distinct identifiers).
        output_names : list of str
            Primary output signals, each a primary input or some gate's output.
        name : str, optional
            Circuit identifier (default ``"sc_dna_circuit"``).

        Returns
        -------
        DNACircuitDesign
            With ``input_names`` and ``output_names`` filled in.

        Raises
        ------
        TypeError, ValueError
            For a malformed spec, a gate type the method cannot compile, or wiring errors
            (an undriven input, a signal driven twice), naming the gate or signal.
        """
        specs = parse_specs(gates)
        inputs, outputs = check_wiring(specs, input_names, output_names)
        circuit = check_strand_name(name, "name")
        allowed = self._allowed()
        for k, spec in enumerate(specs):
            if spec.gate_type not in allowed:
                raise ValueError(f"gates[{k}] is {spec.gate_type.name}, which the "
                                 f"{self._method.value} method cannot compile (it makes "
                                 f"{', '.join(t.name for t in allowed)})")
        d = self._designer
        input_strands = []
        for x in inputs:
            recognition = d.generate_recognition(f"input_{x}")
            toehold = d.generate_toehold(f"input_{x}_th")
            input_strands.append(DNAStrand(f"signal_{x}", toehold + recognition, "signal",
                                           MAX_CONCENTRATION_NM))
        compiled = [self._compile_gate(spec, k) for k, spec in enumerate(specs)]
        output_strands = [DNAStrand(f"output_{y}", d.generate_recognition(f"output_{y}"),
                                    "output", 0.0) for y in outputs]
        return DNACircuitDesign(circuit, compiled, input_strands, output_strands, [],
                                self._method, self._temperature_c, 1.0, inputs, outputs)

    def simulate(self, design: DNACircuitDesign, input_concentrations: dict[str, float],
                 duration_s: float = 3600.0, dt: float = 1.0) -> dict[str, npt.NDArray[Any]]:
        """``KineticSimulator(temperature_c=<this temperature>).simulate(...)``.

        Parameters
        ----------
        design : DNACircuitDesign
        input_concentrations : dict of str to float
            Input concentrations (nM).
        duration_s : float, optional
            End time (s, default 3600).
        dt : float, optional
            Output step (s, default 1).

        Returns
        -------
        dict of str to ndarray
            ``"time"`` and one trace per gate output.
        """
        sim = KineticSimulator(temperature_c=self._temperature_c)
        return sim.simulate(design, input_concentrations, duration_s, dt)

    def validate(self, design: DNACircuitDesign) -> dict[str, Any]:
        """``NUPACKInterface(temperature_c).validate_design(design)`` (NUPACK or the
        built-in model).

        Parameters
        ----------
        design : DNACircuitDesign
            The compiled design to check.

        Returns
        -------
        dict
            The validation report (``NUPACKInterface.validate_design``).
        """
        return self._nupack.validate_design(design)

    @staticmethod
    def concentration_of(bits: npt.ArrayLike) -> float:
        """The signal concentration (nM) that encodes a bitstream: ``200 * ones / length``.

        Parameters
        ----------
        bits : array_like
            A non-empty 1-D stream of 0/1 (integer or bool dtype).

        Returns
        -------
        float
            The concentration in nM, in ``[0, 200]``.

        Raises
        ------
        TypeError, ValueError
            If ``bits`` is not a non-empty 1-D binary stream.
        """
        arr = as_bits(bits)
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"bits must be a non-empty 1-D stream, got shape {arr.shape}")
        return MAX_CONCENTRATION_NM * int(np.count_nonzero(arr)) / arr.size


def _indices(value: object, name: str, n: int) -> list[int]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise InputTypeError(f"{name} must be a list of int, got {type(value).__name__}")
    items = value.tolist() if isinstance(value, np.ndarray) else list(value)
    out = [check_int(v, f"{name}[{k}]", minimum=0, below=n) for k, v in enumerate(items)]
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must be distinct, got {out}")
    return out


def adjacency_specs(adjacency: npt.NDArray[np.float64],
                    inputs: Sequence[int]) -> list[dict[str, Any]]:
    """Gate specs of a checked weight matrix (``SCNetworkBridge.from_adjacency``'s rules)."""
    n = adjacency.shape[0]
    specs: list[dict[str, Any]] = []
    for j in range(n):
        if j in inputs:
            continue
        sources = [(i, float(adjacency[i, j])) for i in range(n) if adjacency[i, j] != 0.0]
        if not sources:
            continue
        node = f"n{j}"
        if len(sources) == 1:
            i, w = sources[0]
            specs.append({"type": "NOT" if w < 0.0 else "BUFFER", "inputs": [f"n{i}"],
                          "output": node})
            continue
        terms = []
        for i, w in sources:
            if w < 0.0:
                specs.append({"type": "NOT", "inputs": [f"n{i}"], "output": f"{node}_not{i}"})
                terms.append(f"{node}_not{i}")
            else:
                terms.append(f"n{i}")
        previous = terms[0]
        for k in range(1, len(terms)):
            out = f"{node}_stage{k}" if k < len(terms) - 1 else node
            specs.append({"type": "AND", "inputs": [previous, terms[k]], "output": out})
            previous = out
    return specs


class SCNetworkBridge:
    """Compile an SC network given as a weight matrix.

    ``adjacency[i, j] != 0`` connects node ``i`` to node ``j`` (signal ``n<i>`` feeds
    ``n<j>``): positive weights are excitatory, negative inhibitory. For every node that
    is not an input and has sources (in index order): one excitatory source gives
    ``BUFFER``, one inhibitory source ``NOT``; with several sources every inhibitory one is
    first negated (``NOT`` -> ``n<j>_not<i>``) and the terms are combined by a chain of
    2-input ``AND`` gates (intermediates ``n<j>_stage<k>``). Nodes without sources are
    left undriven.

    Parameters
    ----------
    method : str, optional
        Compilation method passed to ``BitstreamToDNA`` (default ``"displacement"``).
    seed : int, optional
        Sequence seed (default 42).

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or value.
    """

    def __init__(self, method: str | CompilationMethod = "displacement",
                 seed: int = 42) -> None:
        self._method = as_method(method)
        self._seed = check_int(seed, "seed", minimum=0, below=U64_LIMIT)

    def from_adjacency(self, adjacency: npt.NDArray[Any], input_indices: list[int],
                       output_indices: list[int], name: str = "sc_network") -> DNACircuitDesign:
        """Compile from an ``N x N`` weight matrix.

        Parameters
        ----------
        adjacency : ndarray
            Square, finite real weights (``N <= 10000``).
        input_indices : list of int
            Nodes that are primary inputs (distinct, in ``[0, N)``).
        output_indices : list of int
            Nodes that are primary outputs (distinct, in ``[0, N)``; each an input or
            driven by a source).
        name : str, optional
            Circuit name (default ``"sc_network"``).

        Returns
        -------
        DNACircuitDesign

        Raises
        ------
        TypeError, ValueError
            For a malformed matrix or index list, or an output or gate input left undriven.
        """
        adj = as_real_array(adjacency, "adjacency", (2,))
        if adj.shape[0] != adj.shape[1] or adj.shape[0] == 0 or adj.shape[0] > MAX_NODES:
            raise ValueError(f"adjacency must be a square N x N matrix with 1 <= N <= "
                             f"{MAX_NODES}, got shape {adj.shape}")
        n = adj.shape[0]
        inputs = _indices(input_indices, "input_indices", n)
        outputs = _indices(output_indices, "output_indices", n)
        check_text(name, "name")
        compiler = BitstreamToDNA(method=self._method, seed=self._seed)
        return compiler.compile_network(adjacency_specs(adj, inputs),
                                        [f"n{i}" for i in inputs], [f"n{i}" for i in outputs],
                                        name=name)
