"""Compile stochastic-computing (SC) logic to DNA strand-displacement circuits.

An SC signal is a probability ``p`` carried by a bitstream; here it is carried
by the concentration of a DNA signal strand, ``c = 200 nM * p``
([`MAX_CONCENTRATION_NM`][sc_neurocore.bridges.dna_mapper.MAX_CONCENTRATION_NM]). This module gives

* [`DNAStrand`][sc_neurocore.bridges.dna_mapper.DNAStrand]: one strand (ACGT, 5'->3') with its
  sequence properties and nearest-neighbour thermodynamics
  ([`NN_STACKS`][sc_neurocore.bridges.dna_mapper.NN_STACKS]);
* [`SequenceDesigner`][sc_neurocore.bridges.dna_mapper.SequenceDesigner]: deterministic domain
  design on the shared [`SplitMix64`][sc_neurocore.splitmix.SplitMix64] generator;
* [`DNAGate`][sc_neurocore.bridges.dna_mapper.DNAGate],
  [`DNACircuitDesign`][sc_neurocore.bridges.dna_mapper.DNACircuitDesign] and
  [`BitstreamToDNA`][sc_neurocore.bridges.dna_mapper.BitstreamToDNA], which compiles a network
  of AND, OR, NOT, MUX and THRESHOLD gates to strands;
* [`KineticSimulator`][sc_neurocore.bridges.dna_mapper.KineticSimulator]: an effective kinetic
  model with one first-order rate per gate
  ([`KineticTrace`][sc_neurocore.bridges.dna_mapper.KineticTrace] holds its result).

The Rust mirror ``rust/mirror/src/safety/dna_mapper.rs`` re-implements all of
it; both are checked against ``parity/golden/dna_mapper.txt``. Every number
is produced by the same IEEE-754 operations in the same order on both sides,
so results match bit for bit, except the melting temperature and the
Arrhenius factor (``log``, ``log10``, ``exp`` from the platform's math
library), which the golden file compares within a relative ``1e-12``.

Draw order (the only randomness; docs/safety-mirrors.md, "Consumption order")
------------------------------------------------------------------------------
* Each [`SequenceDesigner`][sc_neurocore.bridges.dna_mapper.SequenceDesigner] owns one
  ``SplitMix64(seed)``; nothing else draws from it.
* [`SequenceDesigner.design_domain`][sc_neurocore.bridges.dna_mapper.SequenceDesigner.design_domain]
  draws whole candidates: a candidate of ``length`` nucleotides is ``length`` calls of
  ``below(4)`` (one word each, since 4 divides 2**64), nucleotide ``i`` from call ``i``, with
  ``0, 1, 2, 3 -> A, C, G, T``. A rejected candidate is discarded and the next
  one drawn from where the generator stands; the accepted one ends the call.
  A call therefore consumes ``length * (number of candidates)`` words, and a
  refused call (invalid argument, infeasible GC target) consumes none.
* [`BitstreamToDNA.compile_network`][sc_neurocore.bridges.dna_mapper.BitstreamToDNA.compile_network]
  makes a fresh ``SequenceDesigner(seed, gc_target, max_homopolymer)`` per call and designs,
  in this order: for each primary input ``x`` (in ``input_names`` order) the
  toehold ``x.t`` (6 nt) then the recognition domain ``x.d`` (15 nt); then for
  each gate in list order its internal signals (NOT: ``<gate>.fuel``; MUX:
  ``<gate>.fuel`` then ``<gate>.sbar``; THRESHOLD: ``<gate>.sum``), each as
  ``.t`` then ``.d``, and last its output ``y`` as ``y.t`` then ``y.d``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from sc_neurocore.accel._validation import as_bits, check_choice, check_int, check_real, check_text
from sc_neurocore.splitmix import U64_LIMIT, SplitMix64

__all__ = [
    "NN_STACKS", "NN_INITIATION", "NN_TERMINAL_AT", "GAS_CONSTANT", "ROLES", "GATE_TYPES",
    "TOEHOLD_LENGTH", "RECOGNITION_LENGTH", "MAX_CONCENTRATION_NM", "ACTIVATION_ENERGY",
    "REFERENCE_TEMPERATURE_C", "complement", "reverse_complement", "gc_count",
    "max_homopolymer_run", "sequence_similarity", "DNAStrand", "SequenceDesigner", "DNAGate",
    "DNACircuitDesign", "BitstreamToDNA", "KineticSimulator", "KineticTrace",
]

# --------------------------------------------------------------------------- constants

NN_STACKS: Mapping[str, tuple[float, float]] = MappingProxyType({
    "AA/TT": (-7.9, -22.2),
    "AT/TA": (-7.2, -20.4),
    "TA/AT": (-7.2, -21.3),
    "CA/GT": (-8.5, -22.7),
    "GT/CA": (-8.4, -22.4),
    "CT/GA": (-7.8, -21.0),
    "GA/CT": (-8.2, -22.2),
    "CG/GC": (-10.6, -27.2),
    "GC/CG": (-9.8, -24.4),
    "GG/CC": (-8.0, -19.9),
})
"""Unified nearest-neighbour stack parameters for Watson-Crick DNA duplexes in 1 M NaCl:
stack ``"XY/X'Y'"`` (5'-XY-3' paired with 3'-X'Y'-5') -> (ΔH in kcal/mol, ΔS in
cal/(mol·K)). Source: the unified set of J. SantaLucia Jr. (1998), "A unified view of
polymer, dumbbell, and oligonucleotide DNA nearest-neighbor thermodynamics", PNAS
95:1460-1465, Table 2, as used with the initiation and terminal A·T parameters of J.
SantaLucia Jr. & D. Hicks (2004), "The thermodynamics of DNA structural motifs", Annu. Rev.
Biophys. Biomol. Struct. 33:415-440, Table 1 (whose own stack list revises AA/TT to -7.6,
-21.3; this module keeps the 1998 values, as its contract specifies).
"""
NN_INITIATION: tuple[float, float] = (0.2, -5.7)
"""Duplex initiation (ΔH kcal/mol, ΔS cal/(mol·K)): SantaLucia & Hicks (2004)."""
NN_TERMINAL_AT: tuple[float, float] = (2.2, 6.9)
"""Penalty per terminal A·T pair (ΔH, ΔS): SantaLucia & Hicks (2004); added once for each
end of the sequence that is A or T.
"""
GAS_CONSTANT = 1.987
"""The gas constant in cal/(mol·K), as the melting-temperature formula uses it."""
_T37_K = 310.15
"""37 °C in kelvin as ``delta_g_37`` writes it."""

ROLES: tuple[str, ...] = ("signal", "input", "output", "gate", "blocker", "release", "fuel",
                          "threshold", "annihilator", "reporter")
"""Strand roles (what a strand does in a circuit). ``signal``: a generic signal strand (the
default); ``input`` / ``output``: a primary input of a network / a strand that releases a
network output; ``gate``: a gate's bottom (template) strand; ``blocker``: a top strand that
covers a toehold until an earlier input displaces it; ``release``: a top strand released as
an internal signal; ``fuel``: a strand that drives a gate at constant supply; ``threshold``:
a sink that absorbs a signal up to its concentration; ``annihilator``: a strand that removes
two signals together; ``reporter``: a read-out strand (never made by the compiler).
"""

GATE_TYPES: Mapping[str, tuple[int, int | None]] = MappingProxyType({
    "AND": (2, None), "OR": (2, None), "NOT": (1, 1), "MUX": (3, 3), "THRESHOLD": (1, None),
})
"""Gate types the compiler knows, with their (minimum, maximum) fan-in (``None``: no maximum)."""

TOEHOLD_LENGTH = 6
"""Toehold length (nt) of every designed signal."""
RECOGNITION_LENGTH = 15
"""Recognition (branch-migration) domain length (nt) of every designed signal."""
MAX_CONCENTRATION_NM = 200.0
"""The concentration that stands for probability 1 (nM); every simulated concentration is
clamped to ``[0, MAX_CONCENTRATION_NM]``.
"""
GATE_CONCENTRATION_NM = 100.0
"""Concentration of every compiled gate complex and of gate, blocker, release and
annihilator strands (nM); it sets the gate's first-order rate.
"""
FUEL_CONCENTRATION_NM = 200.0
"""Concentration of compiled fuel strands (nM)."""
INPUT_CONCENTRATION_NM = 100.0
"""Concentration of compiled primary input strands (nM, nominal: the simulator takes the input
concentrations per run).
"""
ACTIVATION_ENERGY = 10000.0
"""Apparent activation energy of the effective gate reaction (cal/mol), a model constant of
[`KineticSimulator`][sc_neurocore.bridges.dna_mapper.KineticSimulator] (not a measured value).
"""
REFERENCE_TEMPERATURE_C = 37.0
"""Reference temperature (°C) at which the Arrhenius factor is exactly 1."""
MAX_DOMAIN_LENGTH = 1000
"""Longest domain
[`SequenceDesigner.design_domain`][sc_neurocore.bridges.dna_mapper.SequenceDesigner.design_domain]
designs (nt).
"""
MAX_TRIES_LIMIT = 1_000_000
"""Most candidates ``max_tries`` may allow per domain."""
MAX_STEPS = 1_000_000
"""Most integration steps one
[`KineticSimulator.simulate`][sc_neurocore.bridges.dna_mapper.KineticSimulator.simulate] call
may take.
"""
MIN_STABLE_DOMAIN_LENGTH = 10
"""Domains at least this long are recognition domains: ``validate`` checks that they melt
above the operating temperature (toeholds must not).
"""
DEFAULT_MAX_SIMILARITY = 0.75
"""Default ``max_similarity`` of
[`SequenceDesigner`][sc_neurocore.bridges.dna_mapper.SequenceDesigner] (the compiler uses it).
"""
DEFAULT_MAX_TRIES = 10_000
"""Default ``max_tries`` of
[`SequenceDesigner`][sc_neurocore.bridges.dna_mapper.SequenceDesigner] (the compiler uses it).
"""
TEMPERATURE_RANGE_C = (0.0, 100.0)
"""Operating temperatures (°C) accepted everywhere."""

_BASES = "ACGT"
_COMPLEMENT = {"A": "T", "C": "G", "G": "C", "T": "A"}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _revcomp(seq: str) -> str:
    return "".join(_COMPLEMENT[b] for b in reversed(seq))


def _stack_index() -> dict[str, str]:
    """Dinucleotide (5'->3' on the top strand) -> its key in
    [`NN_STACKS`][sc_neurocore.bridges.dna_mapper.NN_STACKS].

    A key ``"XY/X'Y'"`` pairs 5'-XY-3' with its complement 3'-X'Y'-5'. ``XY`` is
    its own key when listed, else the key of its reverse complement (the same
    duplex read from the other strand).
    """
    index = {}
    for x in _BASES:
        for y in _BASES:
            pair = x + y
            for top in (pair, _revcomp(pair)):
                key = top + "/" + "".join(_COMPLEMENT[b] for b in top)
                if key in NN_STACKS:
                    index[pair] = key
                    break
    return index


_STACK_OF = _stack_index()
assert len(_STACK_OF) == 16 and set(_STACK_OF.values()) == set(NN_STACKS)

# --------------------------------------------------------------------------- validation


def _check_temperature(value: object, name: str = "temperature_c") -> float:
    return check_real(value, name, minimum=TEMPERATURE_RANGE_C[0],
                      maximum=TEMPERATURE_RANGE_C[1])


def _check_identifier(value: object, name: str) -> str:
    """A signal or gate name: ASCII ``[A-Za-z_][A-Za-z0-9_]*``."""
    text = check_text(value, name)
    if not _IDENTIFIER.fullmatch(text):
        raise ValueError(f"{name} must be an identifier (ASCII letters, digits and _, "
                         f"not starting with a digit), got {text!r}")
    return text


def _check_sequence(value: object, name: str = "sequence") -> str:
    """``value`` upper-cased after checking it is a non-empty string of ACGT (any case).

    Raises
    ------
    TypeError
        If it is not a ``str``.
    ValueError
        If it is empty or holds another character; the message gives the first
        bad character and its 0-based position (in characters).
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str of A, C, G, T, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must be a non-empty string of A, C, G, T")
    for position, char in enumerate(value):
        if char not in "ACGTacgt":
            raise ValueError(f"{name} must contain only A, C, G, T (either case); got "
                             f"{char!r} at position {position}")
    return value.upper()


def _check_gc_target(value: object) -> tuple[float, float]:
    """``(low, high)`` with ``0 <= low <= high <= 1``."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"gc_target must be a pair (low, high), got {type(value).__name__}")
    if len(value) != 2:
        raise ValueError(f"gc_target must be a pair (low, high), got {len(value)} values")
    low = check_real(value[0], "gc_target", minimum=0.0, maximum=1.0)
    high = check_real(value[1], "gc_target", minimum=0.0, maximum=1.0)
    if low > high:
        raise ValueError(f"gc_target must have low <= high, got ({low!r}, {high!r})")
    return low, high


def _strings(value: object, name: str) -> tuple[str, ...]:
    """A sequence of ``str`` (not a single ``str``) as a tuple."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a sequence of str, got {type(value).__name__}")
    items = list(value.tolist() if isinstance(value, np.ndarray) else value)
    for k, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(f"{name}[{k}] must be a str, got {type(item).__name__}")
    return tuple(items)

def _set_fields(obj: object, **values: object) -> None:
    """Store validated values on a frozen dataclass instance."""
    for attr, value in values.items():
        object.__setattr__(obj, attr, value)

# --------------------------------------------------------------------------- sequence functions


def complement(sequence: str) -> str:
    """The base-by-base Watson-Crick complement (A<->T, C<->G), same direction.

    Parameters
    ----------
    sequence : str
        A DNA sequence, 5'->3'.

    Returns
    -------
    str
        Upper-case, the same length.

    Raises
    ------
    TypeError, ValueError
        If ``sequence`` is not a non-empty ACGT string (any case).
    """
    return "".join(_COMPLEMENT[b] for b in _check_sequence(sequence))


def reverse_complement(sequence: str) -> str:
    """The complementary strand read 5'->3' (complement, reversed).

    Parameters
    ----------
    sequence : str
        A DNA sequence, 5'->3'.

    Returns
    -------
    str
        Upper-case, the same length.

    Raises
    ------
    TypeError, ValueError
        If ``sequence`` is not a non-empty ACGT string (any case).
    """
    return _revcomp(_check_sequence(sequence))


def gc_count(sequence: str) -> int:
    """Number of G and C nucleotides.

    Parameters
    ----------
    sequence : str
        A DNA sequence, non-empty ACGT (any case).

    Returns
    -------
    int

    Raises
    ------
    TypeError, ValueError
        If ``sequence`` is not a non-empty ACGT string (any case).
    """
    seq = _check_sequence(sequence)
    return seq.count("G") + seq.count("C")


def _longest_run(seq: str) -> int:
    best = run = 1
    for k in range(1, len(seq)):
        run = run + 1 if seq[k] == seq[k - 1] else 1
        best = max(best, run)
    return best


def max_homopolymer_run(sequence: str) -> int:
    """Length of the longest run of one nucleotide (``"AAACG"`` -> 3).

    Parameters
    ----------
    sequence : str
        A DNA sequence, non-empty ACGT (any case).

    Returns
    -------
    int
        ``>= 1``.

    Raises
    ------
    TypeError, ValueError
        If ``sequence`` is not a non-empty ACGT string (any case).
    """
    return _longest_run(_check_sequence(sequence))


def _codes(seq: str) -> npt.NDArray[np.uint8]:
    return np.frombuffer(seq.translate(_TO_CODE).encode("ascii"), dtype=np.uint8) - ord("0")


_TO_CODE = str.maketrans("ACGT", "0123")


def _max_matches(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> int:
    """Most equal positions over every placement of the shorter inside the longer."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    windows = np.lib.stride_tricks.sliding_window_view(long_, len(short))
    return int((windows == short).sum(axis=1).max())


def sequence_similarity(a: str, b: str) -> float:
    """Positional similarity of two sequences, in ``[0, 1]``.

    The shorter sequence (``a`` when the lengths are equal) is placed at every
    offset ``o = 0 .. len(longer) - len(shorter)`` inside the longer one; the
    similarity is the largest number of equal positions over those offsets,
    divided by the shorter length: ``max_o #{i : s[i] == l[o + i]} / len(s)``.
    Equal-length sequences have one placement (the Hamming similarity).

    Parameters
    ----------
    a, b : str
        Non-empty ACGT sequences (either case).

    Returns
    -------
    float
        ``matches / len(shorter)`` (one correctly rounded division).

    Raises
    ------
    TypeError, ValueError
        If ``a`` or ``b`` is not a non-empty ACGT string (naming it).
    """
    sa, sb = _check_sequence(a, "a"), _check_sequence(b, "b")
    return _max_matches(_codes(sa), _codes(sb)) / min(len(sa), len(sb))

# --------------------------------------------------------------------------- strands


def _nearest_neighbour_sums(seq: str) -> tuple[float, float]:
    """(ΔH, ΔS) of ``seq`` with its perfect complement, summed in a fixed order.

    ``dh, ds = initiation``; then each stack from the 5' end to the 3' end is
    added; then the terminal A·T penalty for the 5' end, then for the 3' end.
    """
    if len(seq) < 2:
        raise ValueError("sequence must have at least 2 nucleotides for nearest-neighbour "
                         f"thermodynamics (it has no stacks otherwise), got {len(seq)}")
    dh, ds = NN_INITIATION
    for k in range(len(seq) - 1):
        h, s = NN_STACKS[_STACK_OF[seq[k:k + 2]]]
        dh += h
        ds += s
    for end in (seq[0], seq[-1]):
        if end in "AT":
            dh += NN_TERMINAL_AT[0]
            ds += NN_TERMINAL_AT[1]
    return dh, ds


class DNAStrand:
    """One DNA strand, 5' -> 3'.

    Parameters
    ----------
    name : str
        Non-empty name.
    sequence : str
        Nucleotides A, C, G, T in either case; stored upper-case.
    role : str, optional
        One of [`ROLES`][sc_neurocore.bridges.dna_mapper.ROLES] (default ``"signal"``).
    concentration_nM : float, optional
        Finite and ``> 0`` (default 100 nM).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``sequence`` is empty or holds a character other than ACGT (the
        message gives the character and its 0-based position), ``name`` is
        empty, ``role`` is unknown or ``concentration_nM`` is not finite and
        positive.

    Notes
    -----
    The thermodynamic properties describe the duplex of the strand with its
    perfect complement (no symmetry correction for self-complementary
    sequences) under the unified nearest-neighbour model
    [`NN_STACKS`][sc_neurocore.bridges.dna_mapper.NN_STACKS].

    Examples
    --------
    >>> s = DNAStrand("x", "acgTTa")
    >>> s.sequence, s.gc_content, s.reverse_complement
    ('ACGTTA', 0.3333333333333333, 'TAACGT')
    """

    __slots__ = ("_name", "_sequence", "_role", "_concentration_nM")

    def __init__(self, name: str, sequence: str, role: str = "signal",
                 concentration_nM: float = 100.0) -> None:
        self._name = check_text(name, "name")
        self._sequence = _check_sequence(sequence)
        self._role = check_choice(role, "role", ROLES)
        self._concentration_nM = check_real(concentration_nM, "concentration_nM",
                                            positive=True)

    # ------------------------------------------------------------ plain properties

    @property
    def name(self) -> str:
        """The strand's name."""
        return self._name

    @property
    def sequence(self) -> str:
        """The sequence, upper-case, 5' -> 3'."""
        return self._sequence

    @property
    def role(self) -> str:
        """The strand's role (one of [`ROLES`][sc_neurocore.bridges.dna_mapper.ROLES])."""
        return self._role

    @property
    def concentration_nM(self) -> float:
        """The strand's concentration (nM)."""
        return self._concentration_nM

    def __len__(self) -> int:
        return len(self._sequence)

    def __repr__(self) -> str:
        return (f"DNAStrand({self._name!r}, {self._sequence!r}, role={self._role!r}, "
                f"concentration_nM={self._concentration_nM!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DNAStrand):
            return NotImplemented
        return (self._name, self._sequence, self._role, self._concentration_nM) == (
            other._name, other._sequence, other._role, other._concentration_nM)

    def __hash__(self) -> int:
        return hash((self._name, self._sequence, self._role, self._concentration_nM))

    # ------------------------------------------------------------ sequence properties

    @property
    def gc_content(self) -> float:
        """Fraction of G and C: ``count(G, C) / length`` (one division)."""
        seq = self._sequence
        return (seq.count("G") + seq.count("C")) / len(seq)

    @property
    def complement(self) -> str:
        """The base-by-base complement, same direction (A<->T, C<->G)."""
        return "".join(_COMPLEMENT[b] for b in self._sequence)

    @property
    def reverse_complement(self) -> str:
        """The complementary strand, 5' -> 3'."""
        return _revcomp(self._sequence)

    @property
    def max_homopolymer(self) -> int:
        """Length of the longest run of one nucleotide."""
        return _longest_run(self._sequence)

    # ------------------------------------------------------------ thermodynamics

    @property
    def delta_h(self) -> float:
        """Duplex formation enthalpy ΔH (kcal/mol).

        ``initiation + sum of the stacks 5'->3' + terminal A·T penalties``
        (5' end first), added in that order
        ([`NN_STACKS`][sc_neurocore.bridges.dna_mapper.NN_STACKS]).

        Raises
        ------
        ValueError
            If the sequence is shorter than 2 nt.
        """
        return _nearest_neighbour_sums(self._sequence)[0]

    @property
    def delta_s(self) -> float:
        """Duplex formation entropy ΔS (cal/(mol·K)), summed like
        [`delta_h`][sc_neurocore.bridges.dna_mapper.DNAStrand.delta_h].

        Raises
        ------
        ValueError
            If the sequence is shorter than 2 nt.
        """
        return _nearest_neighbour_sums(self._sequence)[1]

    def delta_g_37(self) -> float:
        """Free energy at 37 °C (kcal/mol): ``ΔH - 310.15 * ΔS / 1000``.

        Raises
        ------
        ValueError
            If the sequence is shorter than 2 nt.
        """
        dh, ds = _nearest_neighbour_sums(self._sequence)
        return dh - _T37_K * ds / 1000.0

    def melting_temperature(self, na_conc_M: float = 1.0, strand_conc_M: float = 2.5e-7) -> float:
        """Duplex melting temperature (°C) with a sodium correction.

        ``Tm = 1000 * ΔH / (ΔS + R * ln(Ct / 4)) - 273.15 + 16.6 * log10([Na+])``
        with ``R`` = [`GAS_CONSTANT`][sc_neurocore.bridges.dna_mapper.GAS_CONSTANT], evaluated
        in that order.

        Parameters
        ----------
        na_conc_M : float, optional
            Sodium concentration (M), finite and ``> 0`` (default 1 M).
        strand_conc_M : float, optional
            Total strand concentration ``Ct`` (M), finite, in ``(0, 1]``
            (default 250 nM). With ``Ct <= 1 M`` the denominator is always
            negative, so ``Tm`` is always finite.

        Returns
        -------
        float
            The melting temperature in °C.

        Raises
        ------
        ValueError
            If the sequence is shorter than 2 nt or a concentration is out of range.
        """
        na = check_real(na_conc_M, "na_conc_M", positive=True)
        ct = check_real(strand_conc_M, "strand_conc_M", positive=True, maximum=1.0)
        dh, ds = _nearest_neighbour_sums(self._sequence)
        return (1000.0 * dh / (ds + GAS_CONSTANT * math.log(ct / 4.0)) - 273.15
                + 16.6 * math.log10(na))

# --------------------------------------------------------------------------- sequence design


class SequenceDesigner:
    """Deterministic domain design on the shared SplitMix64 generator.

    A domain of ``length`` nt is accepted when all of these hold:

    1. GC: ``gc_target[0] <= count(G, C) / length <= gc_target[1]``;
    2. no run of one nucleotide longer than ``max_homopolymer``;
    3. ``sequence_similarity(d, reverse_complement(d)) <= max_similarity``
       (no near-palindrome that folds on itself);
    4. for every domain ``e`` designed earlier by this designer:
       ``sequence_similarity(d, e) <= max_similarity`` and
       ``sequence_similarity(d, reverse_complement(e)) <= max_similarity``
       (see [`sequence_similarity`][sc_neurocore.bridges.dna_mapper.sequence_similarity]).

    Candidates are drawn as the module docstring ("Draw order") says; after
    ``max_tries`` rejected candidates the call raises ``ValueError`` (it never
    loops forever), leaving the generator where the last candidate left it.

    Parameters
    ----------
    seed : int, optional
        Seed of the designer's own ``SplitMix64``, in ``[0, 2**64)`` (default 42).
    gc_target : (float, float), optional
        Inclusive GC-fraction range, ``0 <= low <= high <= 1`` (default (0.4, 0.6)).
    max_homopolymer : int, optional
        Longest allowed run of one nucleotide, ``>= 1`` (default 3).
    max_similarity : float, optional
        Similarity bound of rules 3 and 4, in ``(0, 1]`` (default 0.75: two
        6-nt domains may share at most 4 positions, two 15-nt ones 11).
    max_tries : int, optional
        Candidates per domain before giving up, in ``[1, 10**6]`` (default 10000).

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or out of range (naming it).

    Examples
    --------
    >>> d = SequenceDesigner(seed=7)
    >>> toehold = d.design_domain("x.t", 6)
    >>> len(toehold), d.design_domain("x.t2", 6) != toehold
    (6, True)
    """

    def __init__(self, seed: int = 42, gc_target: tuple[float, float] = (0.4, 0.6),
                 max_homopolymer: int = 3, *, max_similarity: float = DEFAULT_MAX_SIMILARITY,
                 max_tries: int = DEFAULT_MAX_TRIES) -> None:
        check_int(seed, "seed", minimum=0, below=U64_LIMIT)
        self._rng = SplitMix64(seed)
        self._gc_target = _check_gc_target(gc_target)
        self._max_homopolymer = check_int(max_homopolymer, "max_homopolymer", minimum=1)
        self._max_similarity = check_real(max_similarity, "max_similarity", positive=True,
                                          maximum=1.0)
        self._max_tries = check_int(max_tries, "max_tries", minimum=1,
                                    below=MAX_TRIES_LIMIT + 1)
        self._domains: dict[str, str] = {}
        self._designed: list[npt.NDArray[np.uint8]] = []  # each domain, then its revcomp

    @property
    def gc_target(self) -> tuple[float, float]:
        """The inclusive GC-fraction range."""
        return self._gc_target

    @property
    def max_homopolymer(self) -> int:
        """The longest allowed run of one nucleotide."""
        return self._max_homopolymer

    @property
    def max_similarity(self) -> float:
        """The similarity bound."""
        return self._max_similarity

    @property
    def max_tries(self) -> int:
        """Candidates per domain before giving up."""
        return self._max_tries

    @property
    def domains(self) -> dict[str, str]:
        """The domains designed so far, name -> sequence, in design order (a copy)."""
        return dict(self._domains)

    @property
    def rng_state(self) -> int:
        """The generator's state (the seed before the first draw)."""
        return self._rng.state

    def _gc_feasible(self, length: int) -> bool:
        low, high = self._gc_target
        return any(low <= k / length <= high for k in range(length + 1))

    def _accepts(self, codes: npt.NDArray[np.uint8]) -> bool:
        n = len(codes)
        low, high = self._gc_target
        gc = int(np.count_nonzero((codes == 1) | (codes == 2)))
        if not low <= gc / n <= high:
            return False
        run = best = 1
        for k in range(1, n):
            run = run + 1 if codes[k] == codes[k - 1] else 1
            best = max(best, run)
        if best > self._max_homopolymer:
            return False
        bound = self._max_similarity
        rc = (3 - codes)[::-1]
        if _max_matches(codes, rc) / n > bound:
            return False
        for other in self._designed:
            if _max_matches(codes, other) / min(n, len(other)) > bound:
                return False
        return True

    def design_domain(self, name: str, length: int) -> str:
        """Design, record and return one domain.

        Parameters
        ----------
        name : str
            Non-empty and not designed before by this designer.
        length : int
            In ``[1, 1000]``; some GC count ``k`` in ``0..length`` must give
            ``k / length`` inside ``gc_target``.

        Returns
        -------
        str
            The domain, upper-case ACGT.

        Raises
        ------
        TypeError
            If ``name`` is not a ``str`` or ``length`` not an int.
        ValueError
            If ``name`` is empty or taken, ``length`` is out of range or no GC
            count fits the target (these draw nothing), or no candidate met the
            constraints within ``max_tries`` (naming ``max_tries``).
        """
        name = check_text(name, "name")
        if name in self._domains:
            raise ValueError(f"name {name!r} is already designed by this designer")
        length = check_int(length, "length", minimum=1, below=MAX_DOMAIN_LENGTH + 1)
        if not self._gc_feasible(length):
            raise ValueError(f"length {length} admits no GC count k with k / {length} inside "
                             f"gc_target {self._gc_target}")
        for _ in range(self._max_tries):
            codes = self._rng.integers_below(length, 4).astype(np.uint8)
            if self._accepts(codes):
                sequence = "".join(_BASES[c] for c in codes.tolist())
                self._domains[name] = sequence
                self._designed.append(codes)
                self._designed.append(np.ascontiguousarray((3 - codes)[::-1]))
                return sequence
        raise ValueError(f"max_tries: no candidate for domain {name!r} of length {length} met "
                         f"the constraints in {self._max_tries} tries (relax gc_target, "
                         "max_homopolymer or max_similarity, or raise max_tries)")

# --------------------------------------------------------------------------- gates


def _gate_activation(gate_type: str, p: Sequence[float], threshold: float | None) -> float:
    """The SC function of a gate on input probabilities ``p`` (each in [0, 1]).

    AND: ``((1 * p1) * p2) * ...``; OR: ``1 - ((1 * (1 - p1)) * (1 - p2)) * ...``;
    NOT: ``1 - p``; MUX(s, a, b): ``s * a + (1 - s) * b``; THRESHOLD:
    ``clip(((0 + p1) + p2 + ...) - threshold, 0, 1)``.
    """
    if gate_type == "AND":
        prod = 1.0
        for x in p:
            prod = prod * x
        return prod
    if gate_type == "OR":
        rest = 1.0
        for x in p:
            rest = rest * (1.0 - x)
        return 1.0 - rest
    if gate_type == "NOT":
        return 1.0 - p[0]
    if gate_type == "MUX":
        return p[0] * p[1] + (1.0 - p[0]) * p[2]
    total = 0.0
    for x in p:
        total = total + x
    assert threshold is not None
    over = total - threshold
    if not over > 0.0:
        return 0.0
    return over if over < 1.0 else 1.0


def _check_gate_fields(name: object, gate_type: object, inputs: object, output: object,
                       threshold: object, where: str | None) -> tuple[str, str, tuple[str, ...],
                                                                     str, float | None]:
    """Shared checks of a gate's fields; ``where`` (e.g. ``"gates[2]"``) prefixes the
    field name in messages when the gate comes from a compile spec."""

    def label(field_name: str) -> str:
        return f"{where}.{field_name}" if where else field_name

    gname = _check_identifier(name, label("name"))
    if not isinstance(gate_type, str):
        raise TypeError(f"{label('gate_type')} must be a str, got {type(gate_type).__name__}")
    gtype = gate_type.upper()
    if gtype not in GATE_TYPES:
        raise ValueError(f"{label('gate_type')} must be one of {', '.join(GATE_TYPES)} "
                         f"(either case); got {gate_type!r}")
    ins = _strings(inputs, label("inputs"))
    low, high = GATE_TYPES[gtype]
    if len(ins) < low or (high is not None and len(ins) > high):
        want = f"exactly {low}" if high == low else f"at least {low}"
        raise ValueError(f"{label('inputs')}: a {gtype} gate takes {want} inputs, "
                         f"got {len(ins)}")
    for k, signal in enumerate(ins):
        _check_identifier(signal, f"{label('inputs')}[{k}]")
    if len(set(ins)) != len(ins):
        raise ValueError(f"{label('inputs')} must be distinct signals, got {list(ins)}")
    out = _check_identifier(output, label("output"))
    if out in ins:
        raise ValueError(f"{label('output')} {out!r} must not be one of the gate's inputs")
    theta: float | None = None
    if gtype == "THRESHOLD":
        if threshold is None:
            raise ValueError(f"{label('threshold')} is required for a THRESHOLD gate")
        theta = check_real(threshold, label("threshold"))
        if not 0.0 < theta < len(ins):
            raise ValueError(f"{label('threshold')} must be in (0, {len(ins)}) for "
                             f"{len(ins)} inputs, got {theta!r}")
    elif threshold is not None:
        raise ValueError(f"{label('threshold')} is only for THRESHOLD gates, not {gtype}")
    return gname, gtype, ins, out, theta


@dataclass(frozen=True)
class DNAGate:
    """One compiled logic gate: its wiring and the strands that implement it.

    Parameters
    ----------
    name : str
        An identifier (``[A-Za-z_][A-Za-z0-9_]*``).
    gate_type : str
        One of [`GATE_TYPES`][sc_neurocore.bridges.dna_mapper.GATE_TYPES] in either case; stored
        upper-case.
    inputs : sequence of str
        Distinct signal identifiers; AND and OR take at least 2, NOT 1, MUX 3
        (``select, a, b``: ``select`` high passes ``a``), THRESHOLD at least 1.
    output : str
        The signal it drives (an identifier, not one of ``inputs``).
    strands : sequence of DNAStrand, optional
        The strands that implement it (see
        [`BitstreamToDNA`][sc_neurocore.bridges.dna_mapper.BitstreamToDNA]).
    threshold : float, optional
        THRESHOLD only (required there): in ``(0, len(inputs))``.
    concentration_nM : float, optional
        Concentration of the gate complex, finite and ``> 0`` (default 100 nM);
        it sets the gate's rate in
        [`KineticSimulator`][sc_neurocore.bridges.dna_mapper.KineticSimulator].

    Raises
    ------
    TypeError, ValueError
        For a field of the wrong type or value (naming it).
    """

    name: str
    gate_type: str
    inputs: tuple[str, ...]
    output: str
    strands: tuple[DNAStrand, ...] = ()
    threshold: float | None = None
    concentration_nM: float = GATE_CONCENTRATION_NM

    def __post_init__(self) -> None:
        name, gtype, ins, out, theta = _check_gate_fields(
            self.name, self.gate_type, self.inputs, self.output, self.threshold, None)
        strands = tuple(self.strands) if isinstance(self.strands, Iterable) else self.strands
        if not isinstance(strands, tuple) or not all(isinstance(s, DNAStrand) for s in strands):
            raise TypeError("strands must be a sequence of DNAStrand")
        conc = check_real(self.concentration_nM, "concentration_nM", positive=True)
        _set_fields(self, name=name, gate_type=gtype, inputs=ins, output=out, strands=strands,
                    threshold=theta, concentration_nM=conc)

    def activation(self, probabilities: Sequence[float]) -> float:
        """The gate's SC function on its input probabilities.

        AND: product; OR: ``1 - prod(1 - p)``; NOT: ``1 - p``; MUX(s, a, b):
        ``s * a + (1 - s) * b``; THRESHOLD: ``clip(sum(p) - threshold, 0, 1)``
        (so with Boolean inputs it fires when more than ``threshold`` of them
        are high). Products and sums run left to right from 1 and 0.

        Parameters
        ----------
        probabilities : sequence of float
            One per input, in input order, each finite and in ``[0, 1]``.

        Raises
        ------
        ValueError
            If the count or a value is wrong.
        """
        if isinstance(probabilities, (str, bytes)) or len(probabilities) != len(self.inputs):
            raise ValueError(f"probabilities must hold {len(self.inputs)} values, one per input")
        p = [check_real(x, "probabilities", minimum=0.0, maximum=1.0) for x in probabilities]
        return _gate_activation(self.gate_type, p, self.threshold)


def _check_wiring(gates: Sequence[DNAGate], input_names: tuple[str, ...],
                  output_names: tuple[str, ...], gates_arg: str) -> None:
    """Feed-forward wiring: every gate input is a primary input or an earlier gate's
    output, every signal has one driver, every output name is a signal."""
    if not input_names:
        raise ValueError("input_names must name at least one primary input")
    for k, signal in enumerate(input_names):
        _check_identifier(signal, f"input_names[{k}]")
    if len(set(input_names)) != len(input_names):
        raise ValueError(f"input_names must be distinct, got {list(input_names)}")
    if not gates:
        raise ValueError(f"{gates_arg} must hold at least one gate")
    known = set(input_names)
    names: set[str] = set()
    for k, gate in enumerate(gates):
        if gate.name in names:
            raise ValueError(f"{gates_arg}[{k}]: gate name {gate.name!r} is used twice")
        names.add(gate.name)
        for signal in gate.inputs:
            if signal not in known:
                raise ValueError(f"{gates_arg}[{k}] ({gate.name}): input {signal!r} is a "
                                 "dangling wire: neither a primary input nor the output of "
                                 "an earlier gate")
        if gate.output in known:
            raise ValueError(f"{gates_arg}[{k}] ({gate.name}): output {gate.output!r} is "
                             "already driven by a primary input or an earlier gate")
        known.add(gate.output)
    if not output_names:
        raise ValueError("output_names must name at least one signal")
    if len(set(output_names)) != len(output_names):
        raise ValueError(f"output_names must be distinct, got {list(output_names)}")
    for k, signal in enumerate(output_names):
        if signal not in known:
            raise ValueError(f"output_names[{k}] {signal!r} is a dangling wire: no primary "
                             "input or gate drives it")

# --------------------------------------------------------------------------- circuits


@dataclass(frozen=True)
class DNACircuitDesign:
    """A compiled (or hand-written) strand-displacement circuit.

    Parameters
    ----------
    strands : sequence of DNAStrand
        Every strand, names distinct.
    domains : mapping of str to str, optional
        Domain name -> sequence (ACGT, either case; stored upper-case), in
        design order.
    gates : sequence of DNAGate, optional
        The gates in feed-forward order (empty for a bare strand set).
    input_names, output_names : sequence of str, optional
        The network's primary inputs and outputs (required with ``gates``).
    gc_target : (float, float), optional
        GC range [`validate`][sc_neurocore.bridges.dna_mapper.DNACircuitDesign.validate] checks
        domains against (default (0.4, 0.6)).
    max_homopolymer : int, optional
        Longest run [`validate`][sc_neurocore.bridges.dna_mapper.DNACircuitDesign.validate]
        allows, ``>= 1`` (default 3).
    temperature_c : float, optional
        Operating temperature in ``[0, 100]`` °C (default 37).

    Raises
    ------
    TypeError, ValueError
        For a field of the wrong type or value, a repeated strand name, or
        wiring that is not feed-forward (a dangling wire, a signal driven twice).
    """

    strands: tuple[DNAStrand, ...]
    domains: Mapping[str, str] = field(default_factory=dict)
    gates: tuple[DNAGate, ...] = ()
    input_names: tuple[str, ...] = ()
    output_names: tuple[str, ...] = ()
    gc_target: tuple[float, float] = (0.4, 0.6)
    max_homopolymer: int = 3
    temperature_c: float = 37.0

    def __post_init__(self) -> None:
        if isinstance(self.strands, (str, bytes)) or not isinstance(self.strands, Iterable):
            raise TypeError("strands must be a sequence of DNAStrand")
        strands = tuple(self.strands)
        for k, strand in enumerate(strands):
            if not isinstance(strand, DNAStrand):
                raise TypeError(f"strands[{k}] must be a DNAStrand, got {type(strand).__name__}")
        seen: set[str] = set()
        for strand in strands:
            if strand.name in seen:
                raise ValueError(f"strands: name {strand.name!r} is used twice")
            seen.add(strand.name)
        if not isinstance(self.domains, Mapping):
            raise TypeError(f"domains must be a mapping name -> sequence, got "
                            f"{type(self.domains).__name__}")
        domains: dict[str, str] = {}
        for key, value in self.domains.items():
            domains[check_text(key, "domains")] = _check_sequence(value, "domains")
        if isinstance(self.gates, (str, bytes)) or not isinstance(self.gates, Iterable):
            raise TypeError("gates must be a sequence of DNAGate")
        gates = tuple(self.gates)
        for k, gate in enumerate(gates):
            if not isinstance(gate, DNAGate):
                raise TypeError(f"gates[{k}] must be a DNAGate, got {type(gate).__name__}")
        inputs = _strings(self.input_names, "input_names")
        outputs = _strings(self.output_names, "output_names")
        if gates or inputs or outputs:
            _check_wiring(gates, inputs, outputs, "gates")
        _set_fields(self, strands=strands, domains=MappingProxyType(domains), gates=gates,
                    input_names=inputs, output_names=outputs,
                    gc_target=_check_gc_target(self.gc_target),
                    max_homopolymer=check_int(self.max_homopolymer, "max_homopolymer", minimum=1),
                    temperature_c=_check_temperature(self.temperature_c))

    def strand(self, name: str) -> DNAStrand:
        """The strand called ``name`` (``KeyError`` if there is none).

        Parameters
        ----------
        name : str
            A strand name of the design.

        Returns
        -------
        DNAStrand
        """
        for s in self.strands:
            if s.name == name:
                return s
        raise KeyError(name)

    def validate(self) -> list[str]:
        """Design-rule warnings, empty when the design is clean.

        In this order: for each domain (design order), a GC fraction
        ``count(G, C) / length`` outside ``gc_target``, then a homopolymer run
        over ``max_homopolymer``, then, for domains of at least
        ``MIN_STABLE_DOMAIN_LENGTH`` nt, a melting temperature (1 M Na+,
        250 nM) below ``temperature_c``; then for each strand a homopolymer
        run over the limit (runs can form where domains join). The messages
        hold names and integers only:

        * ``"domain <name>: GC content <gc>/<length> is outside the target range"``
        * ``"domain <name>: homopolymer run of <run> exceeds the limit of <limit>"``
        * ``"domain <name>: melting temperature is below the operating temperature"``
        * ``"strand <name>: homopolymer run of <run> exceeds the limit of <limit>"``

        Returns
        -------
        list of str
            The warnings.
        """
        warnings: list[str] = []
        low, high = self.gc_target
        limit = self.max_homopolymer
        for name, seq in self.domains.items():
            gc = seq.count("G") + seq.count("C")
            if not low <= gc / len(seq) <= high:
                warnings.append(f"domain {name}: GC content {gc}/{len(seq)} is outside the "
                                "target range")
            run = _longest_run(seq)
            if run > limit:
                warnings.append(f"domain {name}: homopolymer run of {run} exceeds the limit "
                                f"of {limit}")
            if (len(seq) >= MIN_STABLE_DOMAIN_LENGTH
                    and DNAStrand(name, seq).melting_temperature() < self.temperature_c):
                warnings.append(f"domain {name}: melting temperature is below the operating "
                                "temperature")
        for strand in self.strands:
            run = strand.max_homopolymer
            if run > limit:
                warnings.append(f"strand {strand.name}: homopolymer run of {run} exceeds the "
                                f"limit of {limit}")
        return warnings


_SPEC_KEYS = frozenset({"type", "inputs", "output", "threshold", "name"})


class BitstreamToDNA:
    """Compiles SC logic networks to strand-displacement circuits.

    Every signal ``s`` (primary input, gate output, gate-internal signal) gets
    a toehold domain ``s.t`` (6 nt) and a recognition domain ``s.d`` (15 nt);
    a signal strand is ``[s.t, s.d]`` (5' -> 3'). Below, ``[..]`` lists a
    strand's domains 5' -> 3' and ``rc[..]`` is the reverse complement of that
    concatenation (a bottom strand that binds it). A gate ``g`` with inputs
    ``x1..xn`` and output ``y`` compiles to these strands, in this order
    (``<out>`` is role ``output`` when ``y`` is a network output, else
    ``release``):

    * **AND** (sequential, Seelig et al. style): ``g:gate`` rc[x1.t x1.d ...
      xn.t xn.d] (gate); ``g:block<k>`` [xk.d, x(k+1).t] for k = 1..n-1
      (blocker: input k uncovers toehold k+1); ``g:out`` [xn.d, y.t, y.d]
      (<out>, released by the last input).
    * **OR**: per input k, ``g:gate<k>`` rc[xk.t xk.d] (gate) and ``g:out<k>``
      [xk.d, y.t, y.d] (<out>): any input releases ``y``.
    * **NOT** (fuel ``f = g.fuel``): ``g:fuel`` [f.t, f.d] (fuel, 200 nM);
      ``g:gate`` rc[f.t f.d] (gate); ``g:out`` [f.d, y.t, y.d] (<out>, released
      by the fuel); ``g:annihilator`` rc[x.t x.d f.t f.d] (annihilator: the
      input removes the fuel).
    * **MUX** (select ``s``, ``a``, ``b``; fuel ``f = g.fuel``, ``sb = g.sbar``):
      NOT of ``s`` into ``sb`` (``g:fuel``, ``g:notgate`` rc[f.t f.d],
      ``g:notout`` [f.d, sb.t, sb.d] (release), ``g:annihilator`` rc[s.t s.d
      f.t f.d]), then AND(s, a) (``g:gate1`` rc[s.t s.d a.t a.d], ``g:block1``
      [s.d, a.t], ``g:out1`` [a.d, y.t, y.d]) and AND(sb, b) (``g:gate2``,
      ``g:block2``, ``g:out2`` likewise), both releasing ``y``.
    * **THRESHOLD** (sum ``w = g.sum``): per input k, ``g:gate<k>`` rc[xk.t
      xk.d] and ``g:out<k>`` [xk.d, w.t, w.d] (release) translate every input
      into ``w``; ``g:threshold`` rc[w.t w.d] (threshold, ``200 * threshold``
      nM) absorbs ``w`` first; ``g:gate`` rc[w.t w.d] (gate, the same binding
      site loaded with the output) and ``g:out`` [w.d, y.t, y.d] (<out>)
      amplify the rest into ``y``.

    The design's strands are the primary-input strands ``x`` [x.t, x.d]
    (role ``input``, 100 nM) in ``input_names`` order, then each gate's
    strands in gate order. Gate, blocker, release, annihilator and output
    strands are 100 nM, fuels 200 nM. The strands are domain-level templates
    for the effective model of
    [`KineticSimulator`][sc_neurocore.bridges.dna_mapper.KineticSimulator]; the sequences come
    from [`SequenceDesigner`][sc_neurocore.bridges.dna_mapper.SequenceDesigner] (the order is in
    the module docstring).

    Parameters
    ----------
    seed : int, optional
        Seed of the sequence design, in ``[0, 2**64)`` (default 42).
    temperature_c : float, optional
        Operating temperature in ``[0, 100]`` °C (default 37), stored in the
        design
        ([`DNACircuitDesign.validate`][sc_neurocore.bridges.dna_mapper.DNACircuitDesign.validate]
        checks recognition domains melt above it).
    gc_target : (float, float), optional
        GC range of designed domains (default (0.4, 0.6)).
    max_homopolymer : int, optional
        Longest run in designed domains (default 3).

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or out of range (naming it).
    """

    def __init__(self, seed: int = 42, temperature_c: float = 37.0, *,
                 gc_target: tuple[float, float] = (0.4, 0.6), max_homopolymer: int = 3) -> None:
        self._seed = check_int(seed, "seed", minimum=0, below=U64_LIMIT)
        self._temperature_c = _check_temperature(temperature_c)
        self._gc_target = _check_gc_target(gc_target)
        self._max_homopolymer = check_int(max_homopolymer, "max_homopolymer", minimum=1)

    @property
    def seed(self) -> int:
        """The design seed."""
        return self._seed

    @property
    def temperature_c(self) -> float:
        """The operating temperature (°C)."""
        return self._temperature_c

    @staticmethod
    def concentration_of(bits: ArrayLike) -> float:
        """The signal concentration (nM) that carries a bitstream's probability.

        ``200.0 * ones / n`` (evaluated in that order) for a 1-D stream of
        ``n >= 1`` bits of which ``ones`` are 1.

        Parameters
        ----------
        bits : array_like
            A 1-D stream of 0/1 integers or booleans.

        Returns
        -------
        float
            The concentration in nM, in ``[0, 200]``.

        Raises
        ------
        TypeError, ValueError
            If ``bits`` is not a non-empty 1-D array of 0/1 integers or booleans.
        """
        arr = as_bits(bits, "bits")
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"bits must be a non-empty 1-D stream, got shape {arr.shape}")
        return MAX_CONCENTRATION_NM * int(np.count_nonzero(arr)) / arr.size

    def _parse_spec(self, k: int, spec: object) -> tuple[str, str, tuple[str, ...], str,
                                                          float | None]:
        where = f"gates[{k}]"
        if not isinstance(spec, Mapping):
            raise TypeError(f"{where} must be a mapping with keys type, inputs, output "
                            f"(and threshold, name), got {type(spec).__name__}")
        unknown = sorted(str(key) for key in spec if key not in _SPEC_KEYS)
        if unknown:
            raise ValueError(f"{where} has unknown keys {unknown}; allowed: "
                             f"{', '.join(sorted(_SPEC_KEYS))}")
        for key in ("type", "inputs", "output"):
            if key not in spec:
                raise ValueError(f"{where} lacks the key {key!r}")
        return _check_gate_fields(spec.get("name", f"g{k}"), spec["type"], spec["inputs"],
                                  spec["output"], spec.get("threshold"), where)

    def compile_network(self, gates: Sequence[Mapping[str, object]], input_names: Sequence[str],
                        output_names: Sequence[str]) -> DNACircuitDesign:
        """Compile a feed-forward network of gates to a circuit design.

        Parameters
        ----------
        gates : sequence of mapping
            One mapping per gate, in feed-forward order, with keys ``type``
            (``"AND"``, ``"OR"``, ``"NOT"``, ``"MUX"``, ``"THRESHOLD"``, any
            case), ``inputs`` (a sequence of signal names), ``output`` (a new
            signal name), ``threshold`` (THRESHOLD only, in ``(0, n_inputs)``)
            and optionally ``name`` (default ``"g<index>"``). Every input must
            be a primary input or an earlier gate's output.
        input_names : sequence of str
            The primary inputs (distinct identifiers, at least one).
        output_names : sequence of str
            The network outputs (distinct signals of the network).

        Returns
        -------
        DNACircuitDesign
            Domains, strands (see the class docstring) and gates.

        Raises
        ------
        TypeError, ValueError
            For a malformed gate (``gates[k]...``), an unknown gate type, a
            dangling wire, a signal driven twice, bad names, or a domain the
            designer cannot place.
        """
        if isinstance(gates, (str, bytes, Mapping)) or not isinstance(gates, Sequence):
            raise TypeError(f"gates must be a sequence of gate mappings, got "
                            f"{type(gates).__name__}")
        specs = [self._parse_spec(k, spec) for k, spec in enumerate(gates)]
        inputs = _strings(input_names, "input_names")
        outputs = _strings(output_names, "output_names")
        wiring = [DNAGate(n, t, i, o, threshold=th) for n, t, i, o, th in specs]
        _check_wiring(wiring, inputs, outputs, "gates")

        designer = SequenceDesigner(self._seed, self._gc_target, self._max_homopolymer)

        def signal(s: str) -> None:
            designer.design_domain(f"{s}.t", TOEHOLD_LENGTH)
            designer.design_domain(f"{s}.d", RECOGNITION_LENGTH)

        def seq(domains: Sequence[str]) -> str:
            table = designer.domains
            return "".join(table[d] for d in domains)

        def top(s: str, domains: Sequence[str], role: str,
                conc: float = GATE_CONCENTRATION_NM) -> DNAStrand:
            return DNAStrand(s, seq(domains), role, conc)

        def bottom(s: str, domains: Sequence[str]) -> DNAStrand:
            return DNAStrand(s, _revcomp(seq(domains)), "gate", GATE_CONCENTRATION_NM)

        def td(s: str) -> list[str]:
            return [f"{s}.t", f"{s}.d"]

        for s in inputs:
            signal(s)
        strands = [top(s, td(s), "input", INPUT_CONCENTRATION_NM) for s in inputs]
        compiled: list[DNAGate] = []
        for gate in wiring:
            g, xs, y = gate.name, gate.inputs, gate.output
            out_role = "output" if y in outputs else "release"
            made: list[DNAStrand] = []
            if gate.gate_type == "NOT":
                signal(f"{g}.fuel")
            elif gate.gate_type == "MUX":
                signal(f"{g}.fuel")
                signal(f"{g}.sbar")
            elif gate.gate_type == "THRESHOLD":
                signal(f"{g}.sum")
            signal(y)
            if gate.gate_type == "AND":
                made.append(bottom(f"{g}:gate", [d for x in xs for d in td(x)]))
                for k in range(len(xs) - 1):
                    made.append(top(f"{g}:block{k + 1}", [f"{xs[k]}.d", f"{xs[k + 1]}.t"],
                                    "blocker"))
                made.append(top(f"{g}:out", [f"{xs[-1]}.d", *td(y)], out_role))
            elif gate.gate_type == "OR":
                for k, x in enumerate(xs, start=1):
                    made.append(bottom(f"{g}:gate{k}", td(x)))
                    made.append(top(f"{g}:out{k}", [f"{x}.d", *td(y)], out_role))
            elif gate.gate_type == "NOT":
                f = f"{g}.fuel"
                made.append(top(f"{g}:fuel", td(f), "fuel", FUEL_CONCENTRATION_NM))
                made.append(bottom(f"{g}:gate", td(f)))
                made.append(top(f"{g}:out", [f"{f}.d", *td(y)], out_role))
                annihilator = bottom(f"{g}:annihilator", td(xs[0]) + td(f))
                made.append(DNAStrand(annihilator.name, annihilator.sequence, "annihilator",
                                      GATE_CONCENTRATION_NM))
            elif gate.gate_type == "MUX":
                s, a, b = xs
                f, sb = f"{g}.fuel", f"{g}.sbar"
                made.append(top(f"{g}:fuel", td(f), "fuel", FUEL_CONCENTRATION_NM))
                made.append(bottom(f"{g}:notgate", td(f)))
                made.append(top(f"{g}:notout", [f"{f}.d", *td(sb)], "release"))
                annihilator = bottom(f"{g}:annihilator", td(s) + td(f))
                made.append(DNAStrand(annihilator.name, annihilator.sequence, "annihilator",
                                      GATE_CONCENTRATION_NM))
                for k, (first, second) in enumerate(((s, a), (sb, b)), start=1):
                    made.append(bottom(f"{g}:gate{k}", td(first) + td(second)))
                    made.append(top(f"{g}:block{k}", [f"{first}.d", f"{second}.t"], "blocker"))
                    made.append(top(f"{g}:out{k}", [f"{second}.d", *td(y)], out_role))
            else:  # THRESHOLD
                w = f"{g}.sum"
                for k, x in enumerate(xs, start=1):
                    made.append(bottom(f"{g}:gate{k}", td(x)))
                    made.append(top(f"{g}:out{k}", [f"{x}.d", *td(w)], "release"))
                assert gate.threshold is not None
                sink = bottom(f"{g}:threshold", td(w))
                made.append(DNAStrand(sink.name, sink.sequence, "threshold",
                                      MAX_CONCENTRATION_NM * gate.threshold))
                made.append(bottom(f"{g}:gate", td(w)))
                made.append(top(f"{g}:out", [f"{w}.d", *td(y)], out_role))
            compiled.append(DNAGate(g, gate.gate_type, xs, y, tuple(made), gate.threshold))
            strands.extend(made)
        return DNACircuitDesign(tuple(strands), designer.domains, tuple(compiled), inputs,
                                outputs, self._gc_target, self._max_homopolymer,
                                self._temperature_c)

# --------------------------------------------------------------------------- kinetics


@dataclass(frozen=True)
class KineticTrace:
    """The result of
    [`KineticSimulator.simulate`][sc_neurocore.bridges.dna_mapper.KineticSimulator.simulate].

    ``trace[signal]`` is the column of ``concentrations_nM`` that holds
    ``signal`` (``KeyError`` if it is not simulated).

    Attributes
    ----------
    time_s : ndarray of float64, shape (n_steps + 1,)
        The sample times (s): ``k * dt`` for ``k < n_steps``, then ``t_end``.
    signals : tuple of str
        The simulated signals: the primary inputs, then each gate's output.
    concentrations_nM : ndarray of float64, shape (n_steps + 1, len(signals))
        Row ``k`` holds every signal's concentration at ``time_s[k]``.
    rates : ndarray of float64, shape (n_gates,)
        Each gate's effective first-order rate (1/s).
    """

    time_s: npt.NDArray[np.float64]
    signals: tuple[str, ...]
    concentrations_nM: npt.NDArray[np.float64]
    rates: npt.NDArray[np.float64]

    def __getitem__(self, signal: str) -> npt.NDArray[np.float64]:
        # Documented in the class docstring (a special method is not an API entry of its own).
        if signal not in self.signals:
            raise KeyError(signal)
        column: npt.NDArray[np.float64] = self.concentrations_nM[:, self.signals.index(signal)]
        return column

    def final(self, signal: str) -> float:
        """The concentration of ``signal`` at ``t_end`` (nM).

        Parameters
        ----------
        signal : str
            A simulated signal's name.

        Returns
        -------
        float
        """
        return float(self[signal][-1])


def _clamp(x: float) -> float:
    """``x`` clamped to ``[0, MAX_CONCENTRATION_NM]`` (``-0.0`` becomes ``0.0``)."""
    if not x > 0.0:
        return 0.0
    return x if x < MAX_CONCENTRATION_NM else MAX_CONCENTRATION_NM


class KineticSimulator:
    """Effective kinetics of a compiled circuit: one first-order rate per gate.

    Model (every step an IEEE-754 double operation, in the order written):

    * Arrhenius factor, ``T = temperature_c + 273.15``, ``T_ref = 37.0 + 273.15``:
      ``f = exp(-(ACTIVATION_ENERGY / GAS_CONSTANT) * (1.0 / T - 1.0 / T_ref))``
      with ``ACTIVATION_ENERGY = 10000`` cal/mol and ``GAS_CONSTANT = 1.987``;
      exactly 1 at 37 °C.
    * Each gate's effective rate, from the three-step model of toehold-mediated
      displacement (toehold binding ``k_hybridisation``, toehold dissociation
      ``k_dissociation`` competing with branch migration ``k_branch_migration``),
      pseudo-first-order in the gate complex:
      ``k_g = f * k_hybridisation * k_branch_migration / (k_branch_migration +
      k_dissociation) * c_gate * 1e-9`` (left to right; ``c_gate`` the gate's
      ``concentration_nM``). Defaults give ``k_g = 3e5 * 100/101 * 1e-7 ≈
      0.0297 /s``.
    * Signals: primary inputs stay at their given concentrations; each gate
      output ``y`` obeys ``dy/dt = k_g * (200 * A_g(p) - y)``, where ``p_i =
      clamp(x_i) / 200`` are its inputs as probabilities and ``A_g`` is
      [`DNAGate.activation`][sc_neurocore.bridges.dna_mapper.DNAGate.activation] (so a gate
      relaxes to the SC value of its inputs). All gate outputs are updated together from the
      same state.
    * Euler: ``y' = clamp(y + h * d(y))``. RK4: ``d1 = d(y)``, ``d2 =
      d(y + (0.5 * h) * d1)``, ``d3 = d(y + (0.5 * h) * d2)``, ``d4 = d(y + h *
      d3)``, ``y' = clamp(y + (h / 6.0) * (((d1 + 2.0 * d2) + 2.0 * d3) + d4))``
      (stage states are not clamped; the inputs' ``p_i`` always are).
      ``clamp`` maps to ``[0, 200]`` nM.

    Parameters
    ----------
    k_hybridisation : float, optional
        Toehold binding rate constant (1/(M s)), finite and ``> 0`` (default 3e5).
    k_dissociation : float, optional
        Toehold dissociation rate (1/s), finite and ``>= 0`` (default 1.0).
    temperature_c : float, optional
        In ``[0, 100]`` °C (default 37).
    method : str, optional
        ``"euler"`` (default) or ``"rk4"``.
    k_branch_migration : float, optional
        Branch-migration completion rate (1/s), finite and ``> 0`` (default 100).

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or out of range, or an unknown method.
    """

    METHODS: tuple[str, ...] = ("euler", "rk4")

    def __init__(self, k_hybridisation: float = 3e5, k_dissociation: float = 1.0,
                 temperature_c: float = 37.0, method: str = "euler", *,
                 k_branch_migration: float = 100.0) -> None:
        self._k_hyb = check_real(k_hybridisation, "k_hybridisation", positive=True)
        self._k_diss = check_real(k_dissociation, "k_dissociation", minimum=0.0)
        self._temperature_c = _check_temperature(temperature_c)
        self._method = check_choice(method, "method", self.METHODS)
        self._k_branch = check_real(k_branch_migration, "k_branch_migration", positive=True)

    @property
    def method(self) -> str:
        """The integration method."""
        return self._method

    @property
    def temperature_factor(self) -> float:
        """The Arrhenius factor ``f`` (1 at 37 °C)."""
        t = self._temperature_c + 273.15
        t_ref = REFERENCE_TEMPERATURE_C + 273.15
        return math.exp(-(ACTIVATION_ENERGY / GAS_CONSTANT) * (1.0 / t - 1.0 / t_ref))

    def gate_rate(self, gate: DNAGate) -> float:
        """The effective first-order rate ``k_g`` (1/s) of ``gate`` (see the class docstring).

        Parameters
        ----------
        gate : DNAGate
            A gate of a compiled design.

        Returns
        -------
        float

        Raises
        ------
        TypeError
            If ``gate`` is not a [`DNAGate`][sc_neurocore.bridges.dna_mapper.DNAGate].
        """
        if not isinstance(gate, DNAGate):
            raise TypeError(f"gate must be a DNAGate, got {type(gate).__name__}")
        return self._rate(gate.concentration_nM)

    def _rate(self, concentration_nM: float) -> float:
        return (self.temperature_factor * self._k_hyb * self._k_branch
                / (self._k_branch + self._k_diss) * concentration_nM * 1e-9)

    def simulate(self, design: DNACircuitDesign, input_concentrations_nM: Mapping[str, float],
                 t_end: float = 1800.0, dt: float = 1.0) -> KineticTrace:
        """Integrate the circuit from every gate output at 0 nM.

        Parameters
        ----------
        design : DNACircuitDesign
            A design with gates (e.g. from
            [`BitstreamToDNA.compile_network`][sc_neurocore.bridges.dna_mapper.BitstreamToDNA.compile_network]).
        input_concentrations_nM : mapping of str to float
            Exactly one concentration per primary input, each finite and in
            ``[0, 200]`` nM.
        t_end : float, optional
            End time (s), finite and ``>= 0`` (default 1800).
        dt : float, optional
            Step (s), finite and ``> 0`` (default 1). The run takes
            ``n = ceil(t_end / dt)`` steps (at most 1e6): ``n - 1`` of ``dt``,
            then one of ``max(t_end - (n - 1) * dt, 0)`` so it ends at ``t_end``.

        Returns
        -------
        KineticTrace
            Times, signal names, concentrations (one row per time) and rates.

        Raises
        ------
        TypeError, ValueError
            For a design without gates, missing, unknown or out-of-range
            input concentrations, or a bad ``t_end`` / ``dt`` (naming it).
        """
        if not isinstance(design, DNACircuitDesign):
            raise TypeError(f"design must be a DNACircuitDesign, got {type(design).__name__}")
        if not design.gates:
            raise ValueError("design has no gates to simulate")
        if not isinstance(input_concentrations_nM, Mapping):
            raise TypeError("input_concentrations_nM must be a mapping of input name -> nM, "
                            f"got {type(input_concentrations_nM).__name__}")
        unknown = [k for k in input_concentrations_nM if k not in design.input_names]
        if unknown:
            raise ValueError(f"input_concentrations_nM names signals that are not primary "
                             f"inputs: {unknown}")
        missing = [k for k in design.input_names if k not in input_concentrations_nM]
        if missing:
            raise ValueError(f"input_concentrations_nM lacks the primary inputs {missing}")
        t_end = check_real(t_end, "t_end", minimum=0.0)
        dt = check_real(dt, "dt", positive=True)
        ratio = t_end / dt
        if not ratio <= MAX_STEPS:
            raise ValueError(f"dt {dt!r} makes t_end / dt = {ratio!r} steps, more than "
                             f"{MAX_STEPS}")
        n_steps = math.ceil(ratio)
        state = [check_real(input_concentrations_nM[s], "input_concentrations_nM",
                            minimum=0.0, maximum=MAX_CONCENTRATION_NM)
                 for s in design.input_names]
        gates = design.gates
        signals = tuple(design.input_names) + tuple(g.output for g in gates)
        index = {s: k for k, s in enumerate(signals)}
        wires = [[index[x] for x in g.inputs] for g in gates]
        outs = [index[g.output] for g in gates]
        rates = [self._rate(g.concentration_nM) for g in gates]
        state.extend(0.0 for _ in gates)

        def deriv(st: list[float]) -> list[float]:
            out = []
            for j, gate in enumerate(gates):
                p = [_clamp(st[i]) / MAX_CONCENTRATION_NM for i in wires[j]]
                target = MAX_CONCENTRATION_NM * _gate_activation(gate.gate_type, p,
                                                                 gate.threshold)
                out.append(rates[j] * (target - st[outs[j]]))
            return out

        def shifted(st: list[float], h: float, d: list[float]) -> list[float]:
            moved = list(st)
            for j, o in enumerate(outs):
                moved[o] = st[o] + h * d[j]
            return moved

        rows = [list(state)]
        times = [0.0]
        for k in range(n_steps):
            if k < n_steps - 1:
                h = dt
                t_next = float(k + 1) * dt
            else:
                rest = t_end - float(n_steps - 1) * dt
                h = rest if rest > 0.0 else 0.0
                t_next = t_end
            d1 = deriv(state)
            new = list(state)
            if self._method == "euler":
                for j, o in enumerate(outs):
                    new[o] = _clamp(state[o] + h * d1[j])
            else:
                half = 0.5 * h
                d2 = deriv(shifted(state, half, d1))
                d3 = deriv(shifted(state, half, d2))
                d4 = deriv(shifted(state, h, d3))
                sixth = h / 6.0
                for j, o in enumerate(outs):
                    new[o] = _clamp(state[o] + sixth * (((d1[j] + 2.0 * d2[j]) + 2.0 * d3[j])
                                                        + d4[j]))
            state = new
            rows.append(list(state))
            times.append(t_next)
        return KineticTrace(np.array(times, dtype=np.float64), signals,
                            np.array(rows, dtype=np.float64).reshape(len(rows), len(signals)),
                            np.array(rates, dtype=np.float64))
