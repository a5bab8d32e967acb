"""Gate compilers: toehold-mediated strand displacement and enzymatic (restriction/ligase).

Each ``compile_*`` call designs its domains with the compiler's ``SequenceDesigner`` in the
order listed in its docstring (labels ``g<id>_...``) and returns a ``DNAGate`` whose strands
(names ``g<id>_<part>``, roles and concentrations in nM) follow the reference's layouts.
These layouts are schematic, as in the reference: a gate's domains are designed per gate,
not shared with the signal strands it reads (docs/safety/dna_mapper.md, "Deviations").
``X*`` below is the reverse complement of ``X``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

from sc_neurocore._validation import InputTypeError, check_int, check_real

from ._checks import check_signal_name, check_temperature
from .constants import GAS_CONSTANT, MAX_CONCENTRATION_NM
from .design import SequenceDesigner
from .thermodynamics import delta_g_37
from .types import DNAGate, DNAStrand, GateType

__all__ = ["StrandDisplacementCompiler", "EnzymaticGateCompiler", "LEAK_CEILING",
           "strongest_complementary_delta_g", "leak_rate"]

LEAK_CEILING = 1e-6
"""Largest estimated leak rate (1/s): an AND gate's leak is this times
``exp(ΔG / RT)`` of its strongest translator/threshold stretch (never above it)."""


def strongest_complementary_delta_g(query: str, target: str) -> float:
    """The most negative ΔG(37 °C) (kcal/mol, ``delta_g_37``) of a run of at least 2
    consecutive equal positions of ``query`` and ``target`` along any diagonal (``target``
    shifted by every offset), or 0.0 when no run is stable."""
    best = 0.0
    for offset in range(-len(target) + 1, len(query)):
        run_start = -1
        for i in range(len(query) + 1):
            j = i - offset
            equal = i < len(query) and 0 <= j < len(target) and query[i] == target[j]
            if equal and run_start < 0:
                run_start = i
            elif not equal and run_start >= 0:
                if i - run_start >= 2:
                    best = min(best, delta_g_37(query[run_start:i]))
                run_start = -1
    return best


def leak_rate(strand: DNAStrand, blocker: DNAStrand, temperature_c: float) -> float:
    """``min(1e-6 * exp(ΔG / RT), 1e-6)``, ``ΔG`` the strongest stretch of ``strand``
    against ``blocker``'s partner (``blocker.complement``), ``RT = (1.987 / 1000) *
    (T + 273.15)`` kcal/mol."""
    dg = strongest_complementary_delta_g(strand.sequence, blocker.complement)
    rt = (GAS_CONSTANT / 1000.0) * (temperature_c + 273.15)
    return min(LEAK_CEILING * math.exp(dg / rt), LEAK_CEILING)


def _check_designer(designer: object, seed: int) -> SequenceDesigner:
    if designer is None:
        return SequenceDesigner(seed=seed)
    if not isinstance(designer, SequenceDesigner):
        raise InputTypeError(f"designer must be a SequenceDesigner or None, got "
                             f"{type(designer).__name__}")
    return designer


class _Compiler:
    """Shared gate numbering and signal checks of both compilers."""

    def __init__(self, designer: SequenceDesigner) -> None:
        self._designer = designer
        self._gate_counter = 0

    @property
    def designer(self) -> SequenceDesigner:
        """The sequence designer the compiler draws from."""
        return self._designer

    def _start(self, signals: dict[str, object], gate_id: int | None) -> tuple[int, list[str]]:
        names = [check_signal_name(v, k) for k, v in signals.items()]
        if len(set(names)) != len(names):
            raise ValueError(f"a gate's signals must be distinct, got {names}")
        if gate_id is None:
            gid = self._gate_counter
            self._gate_counter += 1
        else:
            gid = check_int(gate_id, "gate_id", minimum=0)
        return gid, names

    def _start_one_input(self, input_name: str, output: str, gate_id: int | None
                         ) -> tuple[int, str, str, tuple[str, str, str]]:
        """``_start`` for a one-input gate, then its toehold ``t``, recognition ``r`` and
        output recognition ``ro``, drawn in that order."""
        gid, (x, out) = self._start({"input_name": input_name, "output": output}, gate_id)
        d = self._designer
        return gid, x, out, (d.generate_toehold(f"g{gid}_th"),
                             d.generate_recognition(f"g{gid}_rec"),
                             d.generate_recognition(f"g{gid}_rec_out"))

    def _strand(self, gid: int, part: str, sequence: str, role: str,
                concentration_nM: float) -> DNAStrand:
        return DNAStrand(f"g{gid}_{part}", sequence, role, concentration_nM)


class StrandDisplacementCompiler(_Compiler):
    """Compile SC gates to toehold-mediated strand-displacement layouts.

    Parameters
    ----------
    designer : SequenceDesigner or None, optional
        The sequence source (default: a new ``SequenceDesigner()``, seed 42).
    temperature_c : float, optional
        Operating temperature (°C) in [0, 100] (default 37); it sets the AND leak estimate.

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or out of range.

    Notes
    -----
    Every ``compile_*`` method (here and in ``EnzymaticGateCompiler``) has the same
    contract, stated here once:

    * Parameters: the gate's signal names, in the order of its signature (``input_a``,
      ``input_b``, ``input_name``, ``select``, ``output``: distinct identifiers), then the
      optional keyword ``gate_id`` (an int ``>= 0``: the gate's index and strand-name
      prefix; by default the compiler's own counter 0, 1, 2, ...).
    * Returns: the compiled ``DNAGate``.
    * Raises: ``TypeError`` (``InputTypeError``) or ``ValueError`` for a bad signal name
      or ``gate_id``, or signals that are not distinct.
    """

    def __init__(self, designer: SequenceDesigner | None = None,
                 temperature_c: float = 37.0) -> None:
        super().__init__(_check_designer(designer, 42))
        self._temperature_c = check_temperature(temperature_c)

    def compile_and(self, input_a: str, input_b: str, output: str, *,
                    gate_id: int | None = None) -> DNAGate:
        """A 2-input AND: both inputs are needed to free the output from the translator.

        Domains, in order: toeholds ``ta``, ``tb`` (6 nt), recognitions ``ra``, ``rb``,
        ``ro`` (15 nt), toehold ``to``. Strands: ``translator_top`` = ``ta ra rb tb``
        (200 nM), ``translator_bot`` = ``(ra rb)*`` (200), ``output`` = ``to ro`` (0),
        ``fuel`` = ``ra* ta`` (500), ``threshold`` = ``(ta ra[:8])*`` (50). Leak rate:
        ``leak_rate(translator_top, threshold)``.

        Parameters
        ----------
        input_a, input_b : str
            The two input signals.
        output : str
            The output signal, ``P(out) = P(a) P(b)``.
        gate_id : int, optional
            Gate index (default: the compiler's counter).

        Returns
        -------
        DNAGate
            The ``AND`` gate; its leak rate is ``leak_rate(translator_top, threshold)``.
        """
        gid, (a, b, out) = self._start({"input_a": input_a, "input_b": input_b,
                                        "output": output}, gate_id)
        d = self._designer
        ta, tb = d.generate_toehold(f"g{gid}_th_a"), d.generate_toehold(f"g{gid}_th_b")
        ra, rb = d.generate_recognition(f"g{gid}_rec_a"), d.generate_recognition(f"g{gid}_rec_b")
        ro, to = d.generate_recognition(f"g{gid}_rec_out"), d.generate_toehold(f"g{gid}_th_out")
        strands = [
            self._strand(gid, "translator_top", ta + ra + rb + tb, "translator", 200.0),
            self._strand(gid, "translator_bot", d.generate_complement(ra + rb), "translator",
                         200.0),
            self._strand(gid, "output", to + ro, "output", 0.0),
            self._strand(gid, "fuel", d.generate_complement(ra) + ta, "fuel", 500.0),
            self._strand(gid, "threshold", d.generate_complement(ta + ra[:8]), "threshold",
                         50.0),
        ]
        leak = leak_rate(strands[0], strands[4], self._temperature_c)
        return DNAGate(gid, GateType.AND, [a, b], out, strands, leak_rate=leak)

    def compile_or(self, input_a: str, input_b: str, output: str, *,
                   gate_id: int | None = None) -> DNAGate:
        """A 2-input OR: either input opens a hairpin that frees the output.

        Domains: toeholds ``ta``, ``tb``, stem ``s`` (15 nt), loop ``l`` (8 nt), recognition
        ``ro``. Strands: ``hairpin_a`` = ``ta s l s*`` and ``hairpin_b`` = ``tb s l s*``
        (200 nM), ``output`` = ``ro`` (0), ``fuel`` = ``s* ta`` (500). Leak 1e-9 /s.

        Parameters
        ----------
        input_a, input_b : str
            The two input signals; each has its own hairpin.
        output : str
            The output signal, ``P(out) = 1 - (1 - P(a)) (1 - P(b))``.
        gate_id : int, optional
            Gate index (default: the compiler's counter).

        Returns
        -------
        DNAGate
            The ``OR`` gate (strands ``hairpin_a``, ``hairpin_b``, ``output``, ``fuel``).
        """
        gid, (a, b, out) = self._start({"input_a": input_a, "input_b": input_b,
                                        "output": output}, gate_id)
        d = self._designer
        ta, tb = d.generate_toehold(f"g{gid}_th_a"), d.generate_toehold(f"g{gid}_th_b")
        stem = d.generate_recognition(f"g{gid}_stem")
        loop = d.generate(8, f"g{gid}_loop")
        ro = d.generate_recognition(f"g{gid}_rec_out")
        closing = d.generate_complement(stem)
        strands = [
            self._strand(gid, "hairpin_a", ta + stem + loop + closing, "translator", 200.0),
            self._strand(gid, "hairpin_b", tb + stem + loop + closing, "translator", 200.0),
            self._strand(gid, "output", ro, "output", 0.0),
            self._strand(gid, "fuel", closing + ta, "fuel", 500.0),
        ]
        return DNAGate(gid, GateType.OR, [a, b], out, strands, leak_rate=1e-9)

    def compile_not(self, input_name: str, output: str, *,
                    gate_id: int | None = None) -> DNAGate:
        """A NOT gate by sequestration of a blocking strand.

        Domains: toehold ``t``, recognitions ``r``, ``ro``. Strands: ``blocker`` = ``t r``
        (200 nM), ``output_complex`` = ``r* ro`` (200), ``output`` = ``ro`` (0). Leak
        5e-10 /s.

        Parameters
        ----------
        input_name : str
            The input signal; it binds the blocker.
        output : str
            The output signal, ``P(out) = 1 - P(in)``.
        gate_id : int, optional
            Gate index (default: the compiler's counter).

        Returns
        -------
        DNAGate
            The ``NOT`` gate (strands ``blocker``, ``output_complex``, ``output``).
        """
        gid, x, out, (t, r, ro) = self._start_one_input(input_name, output, gate_id)
        d = self._designer
        strands = [
            self._strand(gid, "blocker", t + r, "translator", 200.0),
            self._strand(gid, "output_complex", d.generate_complement(r) + ro, "translator",
                         200.0),
            self._strand(gid, "output", ro, "output", 0.0),
        ]
        return DNAGate(gid, GateType.NOT, [x], out, strands, leak_rate=5e-10)

    def compile_threshold(self, input_name: str, output: str, threshold: float = 0.5, *,
                          gate_id: int | None = None) -> DNAGate:
        """A threshold gate: an absorber takes up the input below ``threshold``; only the
        excess frees the output.

        Domains: toehold ``t``, recognitions ``r``, ``ro``. Strands: ``absorber`` =
        ``(t r)*`` at ``threshold * 200`` nM (role threshold), ``translator`` = ``t r ro``
        (200), ``output`` = ``ro`` (0). Leak 2e-9 /s.


        Parameters
        ----------
        input_name : str
            The input signal.
        output : str
            The output signal, ``P(out) = max(P(in) - threshold, 0)``.
        threshold : float, optional
            Fraction of the 200 nM working range, finite and ``>= 0`` (default 0.5; above
            1 the gate never fires).
        gate_id : int, optional
            Gate index (default: the compiler's counter).

        Returns
        -------
        DNAGate
            The ``THRESHOLD`` gate, with ``threshold`` recorded on it.
        """
        theta = check_real(threshold, "threshold", minimum=0.0)
        gid, x, out, (t, r, ro) = self._start_one_input(input_name, output, gate_id)
        d = self._designer
        strands = [
            self._strand(gid, "absorber", d.generate_complement(t + r), "threshold",
                         theta * MAX_CONCENTRATION_NM),
            self._strand(gid, "translator", t + r + ro, "translator", 200.0),
            self._strand(gid, "output", ro, "output", 0.0),
        ]
        return DNAGate(gid, GateType.THRESHOLD, [x], out, strands, threshold=theta,
                       leak_rate=2e-9)

    def compile_mux(self, select: str, input_a: str, input_b: str, output: str, *,
                    gate_id: int | None = None) -> DNAGate:
        """A 2:1 multiplexer: ``P(out) = P(s) P(a) + (1 - P(s)) P(b)``.

        Domains: toeholds ``ts``, ``ta``, ``tb``, recognitions ``ra``, ``rb``, ``ro``.
        Strands: ``path_a`` = ``ts ra ta``, ``path_b`` = ``ts* rb tb``, ``combiner`` =
        ``ro`` (200 nM each), ``output`` = ``ro`` (0), ``fuel`` = ``ra* ts`` (500). Leak
        2e-9 /s.

        Parameters
        ----------
        select : str
            The select signal ``s``.
        input_a, input_b : str
            The two data signals ``a`` and ``b``.
        output : str
            The output signal, ``P(out) = P(s) P(a) + (1 - P(s)) P(b)``.
        gate_id : int, optional
            Gate index (default: the compiler's counter).

        Returns
        -------
        DNAGate
            The ``MUX`` gate (two paths and a combiner feeding ``output``).
        """
        gid, (s, a, b, out) = self._start({"select": select, "input_a": input_a,
                                           "input_b": input_b, "output": output}, gate_id)
        d = self._designer
        ts = d.generate_toehold(f"g{gid}_th_s")
        ta, tb = d.generate_toehold(f"g{gid}_th_a"), d.generate_toehold(f"g{gid}_th_b")
        ra, rb = d.generate_recognition(f"g{gid}_rec_a"), d.generate_recognition(f"g{gid}_rec_b")
        ro = d.generate_recognition(f"g{gid}_rec_out")
        strands = [
            self._strand(gid, "path_a", ts + ra + ta, "translator", 200.0),
            self._strand(gid, "path_b", d.generate_complement(ts) + rb + tb, "translator",
                         200.0),
            self._strand(gid, "combiner", ro, "translator", 200.0),
            self._strand(gid, "output", ro, "output", 0.0),
            self._strand(gid, "fuel", d.generate_complement(ra) + ts, "fuel", 500.0),
        ]
        return DNAGate(gid, GateType.MUX, [s, a, b], out, strands, leak_rate=2e-9)

    def compile_amplifier(self, input_name: str, output: str, *,
                          gate_id: int | None = None) -> DNAGate:
        """A catalytic amplifier: one input releases many outputs (fan-out).

        Domains: toehold ``t``, recognitions ``r``, ``ro``, toehold ``tc``. Strands:
        ``catalyst_complex`` = ``t r tc`` (200 nM), ``substrate`` = ``r* ro`` (500),
        ``fuel`` = ``(t r)*`` (1000), ``output`` = ``ro`` (0). Leak 1e-9 /s.

        Parameters
        ----------
        input_name : str
            The input signal; it binds the catalyst complex.
        output : str
            The output signal, ``P(out) = min(1, 5 P(in))``.
        gate_id : int, optional
            Gate index (default: the compiler's counter).

        Returns
        -------
        DNAGate
            The ``AMPLIFIER`` gate (a catalytic cycle: the input is released again).
        """
        gid, x, out, (t, r, ro) = self._start_one_input(input_name, output, gate_id)
        d = self._designer
        tc = d.generate_toehold(f"g{gid}_th_cat")
        strands = [
            self._strand(gid, "catalyst_complex", t + r + tc, "translator", 200.0),
            self._strand(gid, "substrate", d.generate_complement(r) + ro, "translator", 500.0),
            self._strand(gid, "fuel", d.generate_complement(t + r), "fuel", 1000.0),
            self._strand(gid, "output", ro, "output", 0.0),
        ]
        return DNAGate(gid, GateType.AMPLIFIER, [x], out, strands, leak_rate=1e-9)

    def compile_buffer(self, input_name: str, output: str, *,
                       gate_id: int | None = None) -> DNAGate:
        """A signal-restoring buffer (threshold plus translator).

        Domains: toehold ``t``, recognitions ``r``, ``ro``. Strands: ``threshold`` =
        ``(t r[:8])*`` (80 nM), ``translator`` = ``t r ro`` (200), ``output`` = ``ro`` (0).
        Leak 5e-10 /s.

        Parameters
        ----------
        input_name : str
            The input signal; the threshold strand takes up a weak one.
        output : str
            The output signal, ``P(out) = P(in)``.
        gate_id : int, optional
            Gate index (default: the compiler's counter).

        Returns
        -------
        DNAGate
            The ``BUFFER`` gate (threshold plus translator).
        """
        gid, x, out, (t, r, ro) = self._start_one_input(input_name, output, gate_id)
        d = self._designer
        strands = [
            self._strand(gid, "threshold", d.generate_complement(t + r[:8]), "threshold", 80.0),
            self._strand(gid, "translator", t + r + ro, "translator", 200.0),
            self._strand(gid, "output", ro, "output", 0.0),
        ]
        return DNAGate(gid, GateType.BUFFER, [x], out, strands, leak_rate=5e-10)


class EnzymaticGateCompiler(_Compiler):
    """Compile SC gates to enzyme-mediated layouts (restriction enzymes, ligase).

    Parameters
    ----------
    designer : SequenceDesigner or None, optional
        The sequence source (default: a new ``SequenceDesigner(seed=137)``).

    Raises
    ------
    TypeError
        If ``designer`` is neither a ``SequenceDesigner`` nor None.

    Notes
    -----
    ``compile_nand`` and ``compile_xor`` follow the contract of every ``compile_*``
    method (``StrandDisplacementCompiler``, Notes).
    """

    ENZYMES: Mapping[str, str] = MappingProxyType({
        "EcoRI": "GAATTC", "BamHI": "GGATCC", "HindIII": "AAGCTT", "NotI": "GCGGCCGC",
        "XhoI": "CTCGAG", "NheI": "GCTAGC", "SpeI": "ACTAGT", "SalI": "GTCGAC",
    })
    """Restriction enzyme -> its recognition site (5' -> 3')."""

    def __init__(self, designer: SequenceDesigner | None = None) -> None:
        super().__init__(_check_designer(designer, 137))

    def compile_nand(self, input_a: str, input_b: str, output: str, *,
                     gate_id: int | None = None) -> DNAGate:
        """NAND by a double restriction cascade on one substrate.

        Domains: flanks ``f5``, ``f3`` (20 nt), spacer ``sp`` (10 nt), recognition ``ro``.
        Strands: ``substrate`` = ``f5 GAATTC sp ro sp GGATCC f3`` (EcoRI and BamHI sites,
        100 nM), ``output`` = ``ro`` (0). Leak 1e-9 /s.

        Parameters
        ----------
        input_a, input_b : str
            The two input signals (EcoRI and BamHI sites on one substrate).
        output : str
            The output signal, ``P(out) = 1 - P(a) P(b)``.
        gate_id : int, optional
            Gate index (default: the compiler's counter).

        Returns
        -------
        DNAGate
            The ``NAND`` gate (strands ``substrate``, ``output``).
        """
        gid, (a, b, out) = self._start({"input_a": input_a, "input_b": input_b,
                                        "output": output}, gate_id)
        d = self._designer
        f5, f3 = d.generate(20, f"g{gid}_flank5"), d.generate(20, f"g{gid}_flank3")
        spacer = d.generate(10, f"g{gid}_spacer")
        ro = d.generate_recognition(f"g{gid}_out")
        substrate = (f5 + self.ENZYMES["EcoRI"] + spacer + ro + spacer + self.ENZYMES["BamHI"]
                     + f3)
        strands = [self._strand(gid, "substrate", substrate, "translator", 100.0),
                   self._strand(gid, "output", ro, "output", 0.0)]
        return DNAGate(gid, GateType.NAND, [a, b], out, strands)

    def compile_xor(self, input_a: str, input_b: str, output: str, *,
                    gate_id: int | None = None) -> DNAGate:
        """XOR by nick-sealing ligation.

        Domains: arms ``left``, ``right`` (20 nt), recognition ``ro``. Strands: ``nick_a`` =
        ``left ro[:7]``, ``nick_b`` = ``ro[7:] right``, ``template`` = ``(left ro right)*``
        (100 nM each), ``output`` = ``ro`` (0). Leak 1e-9 /s.

        Parameters
        ----------
        input_a, input_b : str
            The two input signals (one nicked half each).
        output : str
            The output signal, ``P(out) = P(a) + P(b) - 2 P(a) P(b)``.
        gate_id : int, optional
            Gate index (default: the compiler's counter).

        Returns
        -------
        DNAGate
            The ``XOR`` gate (two nicked halves on a ligation template).
        """
        gid, (a, b, out) = self._start({"input_a": input_a, "input_b": input_b,
                                        "output": output}, gate_id)
        d = self._designer
        left, right = d.generate(20, f"g{gid}_left"), d.generate(20, f"g{gid}_right")
        ro = d.generate_recognition(f"g{gid}_out")
        strands = [
            self._strand(gid, "nick_a", left + ro[:7], "translator", 100.0),
            self._strand(gid, "nick_b", ro[7:] + right, "translator", 100.0),
            self._strand(gid, "template", d.generate_complement(left + ro + right),
                         "translator", 100.0),
            self._strand(gid, "output", ro, "output", 0.0),
        ]
        return DNAGate(gid, GateType.XOR, [a, b], out, strands)
