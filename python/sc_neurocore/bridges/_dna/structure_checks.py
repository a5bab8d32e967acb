"""Strand-level structure checks: cross-hybridisation between strands, hairpins within one."""

from __future__ import annotations

from typing import Any

from sc_neurocore._validation import check_int

from ._checks import check_sequence
from .sequences import longest_common_substring, revcomp
from .thermodynamics import hairpin_loop_delta_g, stack_delta_g
from .types import DNACircuitDesign, DNAStrand, check_design

__all__ = ["CrossHybridizationChecker", "HairpinChecker", "HIGH_SEVERITY_RUN",
           "strands_with_gates"]

HIGH_SEVERITY_RUN = 12
"""A complementary stretch at least this long (nt) is of ``"high"`` severity."""
_PARTNER = {"A": "T", "T": "A", "C": "G", "G": "C"}


def strands_with_gates(design: DNACircuitDesign) -> list[tuple[DNAStrand, int]]:
    """Every strand in ``all_strands`` order with the index of its gate (-1 for the
    design's own input, output and fuel strands)."""
    pairs = [(s, -1) for s in design.input_strands + design.output_strands
             + design.fuel_strands]
    for k, gate in enumerate(design.gates):
        pairs.extend((s, k) for s in gate.strands)
    return pairs


class CrossHybridizationChecker:
    """Flag strand pairs that share a long complementary stretch.

    For strands ``a`` and ``b`` the stretch is the longest common substring of ``a`` and
    the reverse complement of ``b``: the longest run of consecutive antiparallel
    Watson-Crick pairs the two can form.

    Parameters
    ----------
    max_complementary_run : int, optional
        Pairs with a stretch of at least this many nt are flagged, ``>= 1`` (default 8).

    Raises
    ------
    TypeError, ValueError
        If ``max_complementary_run`` is not an int ``>= 1``.
    """

    def __init__(self, max_complementary_run: int = 8) -> None:
        self._max_run = check_int(max_complementary_run, "max_complementary_run", minimum=1)

    def check(self, design: DNACircuitDesign) -> list[dict[str, Any]]:
        """Check every pair of distinct strands (``all_strands`` order, ``a`` before ``b``).

        Parameters
        ----------
        design : DNACircuitDesign
            The design whose strands are compared pairwise.

        Returns
        -------
        list of dict
            One per flagged pair: ``strand_a``, ``strand_b``, ``complementary_run`` (nt),
            ``severity`` (``"high"`` from 12 nt, else ``"medium"``) and ``same_gate``
            (both belong to one gate, so the pairing may be by design).

        Raises
        ------
        TypeError
            If ``design`` is not a ``DNACircuitDesign``.
        """
        strands = strands_with_gates(check_design(design))
        flags = []
        for i, (sa, ga) in enumerate(strands):
            for sb, gb in strands[i + 1:]:
                run = longest_common_substring(sa.sequence, revcomp(sb.sequence))
                if run >= self._max_run:
                    flags.append({"strand_a": sa.name, "strand_b": sb.name,
                                  "complementary_run": run,
                                  "severity": "high" if run >= HIGH_SEVERITY_RUN else "medium",
                                  "same_gate": ga >= 0 and ga == gb})
        return flags


class HairpinChecker:
    """Find hairpins (stem-loops) a strand can form on itself.

    A hairpin is a loop ``loop_start..loop_end - 1`` closed by a stem of
    ``stem_length`` consecutive Watson-Crick pairs ``(loop_start - 1 - t, loop_end + t)``.
    Each reported stem is maximal: it cannot grow outward (end of strand or no pair) nor
    inward (the pair ``(loop_start, loop_end - 1)`` is not Watson-Crick, or the loop would
    drop below ``min_loop_length``), so every helix is reported once.
    ``delta_g_estimate`` (kcal/mol, 37 °C) is the stem's nearest-neighbour stacks plus the
    loop's initiation (SantaLucia & Hicks 2004; see ``hairpin_loop_delta_g``).

    Parameters
    ----------
    min_stem_length : int, optional
        Shortest stem reported, ``>= 2`` (default 4 bp).
    min_loop_length : int, optional
        Shortest loop, ``>= 3`` (default 3 nt, the steric minimum).
    max_loop_length : int, optional
        Longest loop considered, ``>= min_loop_length`` (default 30 nt, the end of
        SantaLucia & Hicks' loop table; longer loops rarely close a stable hairpin).

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or out of range.
    """

    def __init__(self, min_stem_length: int = 4, min_loop_length: int = 3, *,
                 max_loop_length: int = 30) -> None:
        self._min_stem = check_int(min_stem_length, "min_stem_length", minimum=2)
        self._min_loop = check_int(min_loop_length, "min_loop_length", minimum=3)
        self._max_loop = check_int(max_loop_length, "max_loop_length", minimum=self._min_loop)

    def check_strand(self, sequence: str) -> list[dict[str, Any]]:
        """Every maximal hairpin of one sequence.

        Parameters
        ----------
        sequence : str
            Non-empty ACGT (either case), read 5' -> 3'.

        Returns
        -------
        list of dict
            Ordered by ``loop_start`` then ``loop_length``; each ``stem_start``,
            ``stem_end`` (exclusive end of the 5' arm), ``loop_start``, ``loop_end``
            (first base of the 3' arm), ``stem_length``, ``loop_length`` and
            ``delta_g_estimate``.

        Raises
        ------
        TypeError, ValueError
            If ``sequence`` is not valid DNA.
        """
        seq = check_sequence(sequence)
        n = len(seq)
        found = []
        for start in range(1, n):
            for loop in range(self._min_loop, min(self._max_loop, n - start - 1) + 1):
                end = start + loop
                stem = 0
                while (start - 1 - stem >= 0 and end + stem < n
                       and _PARTNER[seq[start - 1 - stem]] == seq[end + stem]):
                    stem += 1
                if stem < self._min_stem:
                    continue
                if loop - 2 >= self._min_loop and _PARTNER[seq[start]] == seq[end - 1]:
                    continue  # the stem grows inward: reported with the shorter loop
                arm = seq[start - stem:start]
                found.append({"stem_start": start - stem, "stem_end": start,
                              "loop_start": start, "loop_end": end, "stem_length": stem,
                              "loop_length": loop,
                              "delta_g_estimate": stack_delta_g(arm)
                              + hairpin_loop_delta_g(loop)})
        return found

    def check_design(self, design: DNACircuitDesign) -> list[dict[str, Any]]:
        """``check_strand`` on every strand of a design (``all_strands`` order).

        Parameters
        ----------
        design : DNACircuitDesign
            The design; each strand is searched with ``check_strand``.

        Returns
        -------
        list of dict
            One per strand with hairpins: ``strand_name``, ``sequence_length``,
            ``n_hairpins``, ``worst_stem`` (longest stem) and ``hairpins``.

        Raises
        ------
        TypeError
            If ``design`` is not a ``DNACircuitDesign``.
        """
        flags = []
        for strand in check_design(design).all_strands:
            hairpins = self.check_strand(strand.sequence)
            if hairpins:
                flags.append({"strand_name": strand.name, "sequence_length": strand.length,
                              "n_hairpins": len(hairpins),
                              "worst_stem": max(h["stem_length"] for h in hairpins),
                              "hairpins": hairpins})
        return flags
