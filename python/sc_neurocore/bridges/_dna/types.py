"""The data types of the mapper: gate and compilation enums, strands, gates and designs.

Field names, order and defaults are the reference's, so positional and keyword
construction carry over; every field is checked at construction (a wrong type is an
``InputTypeError``, a bad value a ``ValueError``, each naming the field).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sc_neurocore._validation import InputTypeError, check_choice, check_int, check_real

from ._checks import (
    check_sequence,
    check_signal_name,
    check_sodium,
    check_strand_name,
    check_temperature,
)
from .constants import GC_TARGET, MAX_HOMOPOLYMER, STRAND_ROLES
from .sequences import gc_count, longest_run, revcomp
from .thermodynamics import delta_g_37 as _delta_g_37
from .thermodynamics import melting_temperature as _melting_temperature
from .thermodynamics import nn_sums

__all__ = ["GateType", "CompilationMethod", "FAN_IN", "DNAStrand", "DNAGate",
           "DNACircuitDesign", "as_gate_type", "as_method", "check_design"]


class GateType(Enum):
    """The logic gates a DNA circuit can hold (values are the reference's lower-case names)."""

    AND = "and"
    """``p0 p1``: both inputs."""
    OR = "or"
    """``1 - (1 - p0)(1 - p1)``: either input."""
    NOT = "not"
    """``1 - p0``."""
    NAND = "nand"
    """``1 - p0 p1`` (enzymatic)."""
    XOR = "xor"
    """``p0 (1 - p1) + p1 (1 - p0)`` (enzymatic)."""
    MUX = "mux"
    """``s a + (1 - s) b`` on inputs (select, a, b)."""
    THRESHOLD = "threshold"
    """``max(p0 - threshold, 0)``: the excess over an absorber."""
    CATALYTIC = "catalytic"
    """Listed by the reference; no compiler makes it and it has no kinetic model."""
    AMPLIFIER = "amplifier"
    """``min(1, 5 p0)``: catalytic fan-out."""
    BUFFER = "buffer"
    """``p0``: signal restoration."""


class CompilationMethod(Enum):
    """Compilation target: strand displacement, enzymes, or both (``HYBRID``: displacement
    gates by strand displacement, NAND and XOR by enzymes)."""

    DISPLACEMENT = "displacement"
    """Toehold-mediated strand displacement (AND, OR, NOT, MUX, THRESHOLD, AMPLIFIER,
    BUFFER)."""
    ENZYMATIC = "enzymatic"
    """Restriction enzymes and ligase (NAND, XOR)."""
    HYBRID = "hybrid"
    """Both: NAND and XOR enzymatic, the rest by displacement."""


FAN_IN: dict[GateType, int] = {
    GateType.AND: 2, GateType.OR: 2, GateType.NAND: 2, GateType.XOR: 2, GateType.NOT: 1,
    GateType.THRESHOLD: 1, GateType.AMPLIFIER: 1, GateType.BUFFER: 1, GateType.CATALYTIC: 1,
    GateType.MUX: 3,
}
"""Number of inputs of each gate type (MUX: select, a, b)."""


def as_gate_type(value: object, name: str = "gate_type") -> GateType:
    """A ``GateType``, or its name or value in either case (``"AND"``, ``"and"``)."""
    if isinstance(value, GateType):
        return value
    if not isinstance(value, str):
        raise InputTypeError(f"{name} must be a GateType or its name, got "
                             f"{type(value).__name__}")
    try:
        return GateType(value.lower())
    except ValueError:
        names = ", ".join(t.name for t in GateType)
        raise ValueError(f"{name} must be one of {names} (either case), got {value!r}") from None


def as_method(value: object, name: str = "method") -> CompilationMethod:
    """A ``CompilationMethod``, or its value (``"displacement"``, ``"enzymatic"``,
    ``"hybrid"``)."""
    if isinstance(value, CompilationMethod):
        return value
    choice = check_choice(value, name, tuple(m.value for m in CompilationMethod))
    return CompilationMethod(choice)


def _set(obj: object, attr: str, value: object) -> None:
    object.__setattr__(obj, attr, value)


@dataclass(frozen=True)
class DNAStrand:
    """A single-stranded DNA molecule of a circuit.

    Parameters
    ----------
    name : str
        Identifier, printable ASCII without whitespace (one token of a FASTA header).
    sequence : str
        5' -> 3' nucleotides A, C, G, T in either case; stored upper-case; not empty.
    role : str, optional
        One of ``"signal"`` (default), ``"fuel"``, ``"output"``, ``"waste"``,
        ``"toehold"``, ``"translator"``, ``"threshold"``.
    concentration_nM : float, optional
        Initial concentration (nM), finite and ``>= 0`` (default 100; a released output
        starts at 0).

    Raises
    ------
    TypeError, ValueError
        For a field of the wrong type or value (a bad base is reported with its position).

    Examples
    --------
    >>> s = DNAStrand("x", "acgTTa")
    >>> s.sequence, s.length, s.complement, s.max_homopolymer_run
    ('ACGTTA', 6, 'TAACGT', 2)
    """

    name: str
    sequence: str
    role: str = "signal"
    concentration_nM: float = 100.0

    def __post_init__(self) -> None:
        _set(self, "name", check_strand_name(self.name))
        _set(self, "sequence", check_sequence(self.sequence))
        _set(self, "role", check_choice(self.role, "role", STRAND_ROLES))
        _set(self, "concentration_nM", check_real(self.concentration_nM, "concentration_nM",
                                                  minimum=0.0))

    @property
    def length(self) -> int:
        """Number of nucleotides."""
        return len(self.sequence)

    @property
    def gc_content(self) -> float:
        """Fraction of G and C: ``count(G, C) / length`` (one division)."""
        return gc_count(self.sequence) / len(self.sequence)

    @property
    def complement(self) -> str:
        """The Watson-Crick partner strand, 5' -> 3' (the reverse complement)."""
        return revcomp(self.sequence)

    @property
    def max_homopolymer_run(self) -> int:
        """Length of the longest run of one nucleotide."""
        return longest_run(self.sequence)

    @property
    def delta_h(self) -> float:
        """Duplex ΔH with the complement (kcal/mol), nearest-neighbour sum.

        Raises
        ------
        ValueError
            If the strand is shorter than 2 nt.
        """
        return nn_sums(self.sequence)[0]

    @property
    def delta_s(self) -> float:
        """Duplex ΔS with the complement (cal/(mol·K)), nearest-neighbour sum.

        Raises
        ------
        ValueError
            If the strand is shorter than 2 nt.
        """
        return nn_sums(self.sequence)[1]

    def delta_g_37(self) -> float:
        """Nearest-neighbour duplex ΔG at 37 °C (kcal/mol): ``ΔH - 310.15 ΔS / 1000``.

        Returns
        -------
        float
            ΔG37 in kcal/mol (negative for a stable duplex).

        Raises
        ------
        ValueError
            If the strand is shorter than 2 nt (no nearest-neighbour stack).
        """
        return _delta_g_37(self.sequence)

    def melting_temperature(self, na_conc_M: float = 1.0, strand_conc_M: float = 2.5e-7, *,
                            salt_correction: str = "santalucia") -> float:
        """Nearest-neighbour melting temperature (°C) of the duplex with the complement.

        ``Tm = 1000 ΔH / (ΔS + R ln(Ct / 4)) - 273.15`` with the sodium correction
        ``salt_correction`` (see ``SALT_CORRECTIONS``; at the default 1 M both add nothing).

        Parameters
        ----------
        na_conc_M : float, optional
            Sodium concentration (M), within ``NA_RANGE_M`` = [0.05, 1.0] (default 1).
        strand_conc_M : float, optional
            Total strand concentration ``Ct`` (M), in ``(0, 1]`` (default 250 nM).
        salt_correction : str, optional
            ``"santalucia"`` (default, the entropy correction ``0.368 (N - 1) ln[Na+]``) or
            ``"schildkraut"`` (``16.6 log10[Na+]`` on Tm).

        Returns
        -------
        float
            Tm in °C.

        Raises
        ------
        TypeError, ValueError
            For an argument of the wrong type or out of range, or a strand under 2 nt.
        """
        return _melting_temperature(self.sequence, na_conc_M, strand_conc_M, salt_correction)


def _check_list(value: object, name: str, kind: type) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        raise InputTypeError(f"{name} must be a list of {kind.__name__}, got "
                             f"{type(value).__name__}")
    for k, item in enumerate(value):
        if not isinstance(item, kind):
            raise InputTypeError(f"{name}[{k}] must be a {kind.__name__}, got "
                                 f"{type(item).__name__}")
    return list(value)


@dataclass
class DNAGate:
    """A logic gate of a DNA circuit: its wiring and the strands that implement it.

    Parameters
    ----------
    gate_id : int
        Index of the gate in its circuit, ``>= 0``.
    gate_type : GateType
        The operation (a ``GateType``, or its name in either case).
    input_names : list of str
        Input signal names (identifiers): 2 for AND, OR, NAND, XOR; 1 for NOT, THRESHOLD,
        AMPLIFIER, BUFFER, CATALYTIC; 3 for MUX (select, a, b); distinct.
    output_name : str
        The signal it drives (an identifier, not one of its inputs).
    strands : list of DNAStrand, optional
        The strands that implement it.
    threshold : float, optional
        THRESHOLD gates: the activation threshold as a fraction of the 200 nM working range,
        finite and ``>= 0`` (default 0).
    leak_rate : float, optional
        Spurious activation rate (1/s), finite and ``>= 0`` (default 1e-9).

    Raises
    ------
    TypeError, ValueError
        For a field of the wrong type or value (naming it).
    """

    gate_id: int
    gate_type: GateType
    input_names: list[str]
    output_name: str
    strands: list[DNAStrand] = field(default_factory=list)
    threshold: float = 0.0
    leak_rate: float = 1e-9

    def __post_init__(self) -> None:
        self.gate_id = check_int(self.gate_id, "gate_id", minimum=0)
        self.gate_type = as_gate_type(self.gate_type)
        names = _check_list(self.input_names, "input_names", str)
        for k, signal in enumerate(names):
            check_signal_name(signal, f"input_names[{k}]")
        want = FAN_IN[self.gate_type]
        if len(names) != want:
            raise ValueError(f"input_names: a {self.gate_type.name} gate takes {want} "
                             f"input(s), got {len(names)}")
        if len(set(names)) != len(names):
            raise ValueError(f"input_names must be distinct signals, got {names}")
        self.input_names = names
        self.output_name = check_signal_name(self.output_name, "output_name")
        if self.output_name in names:
            raise ValueError(f"output_name {self.output_name!r} must not be one of the "
                             "gate's inputs")
        self.strands = _check_list(self.strands, "strands", DNAStrand)
        self.threshold = check_real(self.threshold, "threshold", minimum=0.0)
        self.leak_rate = check_real(self.leak_rate, "leak_rate", minimum=0.0)

    @property
    def strand_count(self) -> int:
        """Number of strands implementing the gate."""
        return len(self.strands)


@dataclass
class DNACircuitDesign:
    """A compiled DNA circuit: gates, signal strands, conditions.

    Parameters
    ----------
    name : str, optional
        Circuit identifier (non-empty; default ``"sc_dna_circuit"``).
    gates : list of DNAGate, optional
        The compiled gates, in order.
    input_strands, output_strands, fuel_strands : list of DNAStrand, optional
        Primary input signal strands, primary output strands, fuel/helper strands.
    method : CompilationMethod, optional
        The compilation target (or its value string; default displacement).
    temperature_c : float, optional
        Design temperature (°C) in [0, 100] (default 37).
    na_concentration_M : float, optional
        Sodium concentration (M) in ``NA_RANGE_M`` = [0.05, 1.0] (default 1).
    input_names, output_names : list of str, optional
        The primary input and output signal names (identifiers; filled by
        ``BitstreamToDNA.compile_network``; an addition to the reference's fields).

    Raises
    ------
    TypeError, ValueError
        For a field of the wrong type or value (naming it).
    """

    name: str = "sc_dna_circuit"
    gates: list[DNAGate] = field(default_factory=list)
    input_strands: list[DNAStrand] = field(default_factory=list)
    output_strands: list[DNAStrand] = field(default_factory=list)
    fuel_strands: list[DNAStrand] = field(default_factory=list)
    method: CompilationMethod = CompilationMethod.DISPLACEMENT
    temperature_c: float = 37.0
    na_concentration_M: float = 1.0
    input_names: list[str] = field(default_factory=list)
    output_names: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.name = check_strand_name(self.name, "name")
        self.gates = _check_list(self.gates, "gates", DNAGate)
        self.input_strands = _check_list(self.input_strands, "input_strands", DNAStrand)
        self.output_strands = _check_list(self.output_strands, "output_strands", DNAStrand)
        self.fuel_strands = _check_list(self.fuel_strands, "fuel_strands", DNAStrand)
        self.method = as_method(self.method)
        self.temperature_c = check_temperature(self.temperature_c)
        self.na_concentration_M = check_sodium(self.na_concentration_M, "na_concentration_M")
        for attr in ("input_names", "output_names"):
            names = _check_list(getattr(self, attr), attr, str)
            for k, signal in enumerate(names):
                check_signal_name(signal, f"{attr}[{k}]")
            setattr(self, attr, names)

    @property
    def all_strands(self) -> list[DNAStrand]:
        """Every strand: inputs, outputs, fuel, then each gate's strands in gate order."""
        strands = self.input_strands + self.output_strands + self.fuel_strands
        for gate in self.gates:
            strands.extend(gate.strands)
        return strands

    @property
    def total_strands(self) -> int:
        """Number of strands (inputs, outputs, fuel and every gate's)."""
        return len(self.all_strands)

    @property
    def total_gates(self) -> int:
        """Number of gates."""
        return len(self.gates)

    @property
    def total_nucleotides(self) -> int:
        """Total length of every strand (nt)."""
        return sum(s.length for s in self.all_strands)

    def validate(self) -> list[str]:
        """Design-rule check of every strand (``all_strands`` order).

        A strand whose GC fraction is outside [0.40, 0.60] gives
        ``"<name>: GC content <gc:.2f> outside [0.4, 0.6]"``; one whose longest run exceeds 3
        gives ``"<name>: homopolymer run <run> exceeds max 3"`` (GC first).

        Returns
        -------
        list of str
            The warnings; empty when every rule holds.
        """
        low, high = GC_TARGET
        warnings = []
        for strand in self.all_strands:
            gc = strand.gc_content
            if not low <= gc <= high:
                warnings.append(f"{strand.name}: GC content {gc:.2f} outside [{low}, {high}]")
            run = strand.max_homopolymer_run
            if run > MAX_HOMOPOLYMER:
                warnings.append(f"{strand.name}: homopolymer run {run} exceeds max "
                                f"{MAX_HOMOPOLYMER}")
        return warnings


def check_design(design: object) -> DNACircuitDesign:
    """``design`` itself after checking it is a ``DNACircuitDesign`` (``InputTypeError``
    naming ``design`` otherwise)."""
    if not isinstance(design, DNACircuitDesign):
        raise InputTypeError(f"design must be a DNACircuitDesign, got {type(design).__name__}")
    return design
