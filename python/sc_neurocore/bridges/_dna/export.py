"""Exporters: FASTA, GenBank, JSON and NUPACK input files of a design (``all_strands``
order). Every file is ASCII text; readers such as Biopython's ``SeqIO`` and ``json`` read
them back."""

from __future__ import annotations

import datetime
import json
import os
import re
from typing import Any

from .nupack import nupack_input_text
from .types import DNACircuitDesign, DNAStrand, check_design

__all__ = ["export_fasta", "export_genbank", "export_json", "export_nupack_input",
           "FASTA_WIDTH", "genbank_text", "fasta_text"]

FASTA_WIDTH = 80
"""Sequence characters per FASTA line."""
_LOCUS_NAME = re.compile(r"[A-Za-z0-9_.-]{1,16}")


def _design(design: object) -> DNACircuitDesign:
    design = check_design(design)
    if not design.all_strands:
        raise ValueError("design has no strands to export")
    return design


def _write(path: str | os.PathLike[str], text: str) -> None:
    with open(os.fspath(path), "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def fasta_text(design: DNACircuitDesign) -> str:
    """The FASTA text of every strand: ``>name role=<role> gc=<gc:.3f> conc=<c>nM``, then
    the sequence in lines of 80."""
    lines = []
    for s in _design(design).all_strands:
        lines.append(f">{s.name} role={s.role} gc={s.gc_content:.3f} "
                     f"conc={s.concentration_nM}nM")
        lines += [s.sequence[i:i + FASTA_WIDTH] for i in range(0, s.length, FASTA_WIDTH)]
    return "\n".join(lines) + "\n"


def export_fasta(design: DNACircuitDesign, path: str) -> None:
    """Write every strand to a FASTA file.

    Parameters
    ----------
    design : DNACircuitDesign
        The design; each strand becomes one record (``fasta_text``).
    path : str or PathLike
        File to write (e.g. ``"circuit.fasta"``).

    Raises
    ------
    TypeError, ValueError
        If ``design`` is not a design with strands.
    """
    _write(path, fasta_text(design))


def _locus_names(strands: list[DNAStrand]) -> list[str]:
    names = []
    for k, s in enumerate(strands):
        fits = _LOCUS_NAME.fullmatch(s.name) is not None
        names.append(s.name if fits else f"strand_{k + 1}")
    if len(set(names)) != len(names):
        names = [f"strand_{k + 1}" for k in range(len(strands))]
    return names


def genbank_text(design: DNACircuitDesign, date: datetime.date | None = None) -> str:
    """The GenBank flat-file text: one record per strand (``LOCUS`` name = the strand name
    when it has at most 16 characters of ``[A-Za-z0-9_.-]`` and the names are unique, else
    ``strand_<k>``), single-stranded synthetic DNA, with a ``source`` feature and a
    ``misc_feature`` giving the strand's name, role and concentration."""
    strands = _design(design).all_strands
    stamp = (date or datetime.date.today()).strftime("%d-%b-%Y").upper()
    records = []
    for locus, s in zip(_locus_names(strands), strands):
        n = s.length
        lines = [
            f"LOCUS       {locus:<16} {n:>11} bp ss-DNA     linear   SYN {stamp}",
            f"DEFINITION  {s.name}, {s.role} strand of circuit {design.name}.",
            f"ACCESSION   {locus}",
            f"VERSION     {locus}",
            "KEYWORDS    .",
            "SOURCE      synthetic construct",
            "  ORGANISM  synthetic construct",
            "            other sequences; artificial sequences.",
            "FEATURES             Location/Qualifiers",
            f"     source          1..{n}",
            '                     /organism="synthetic construct"',
            '                     /mol_type="other DNA"',
            f"     misc_feature    1..{n}",
            f'                     /label="{s.name}"',
            f'                     /note="role {s.role}; {s.concentration_nM} nM"',
            "ORIGIN",
        ]
        seq = s.sequence.lower()
        for start in range(0, n, 60):
            chunk = seq[start:start + 60]
            groups = " ".join(chunk[i:i + 10] for i in range(0, len(chunk), 10))
            lines.append(f"{start + 1:>9} {groups}")
        lines.append("//")
        records.append("\n".join(lines))
    return "\n".join(records) + "\n"


def export_genbank(design: DNACircuitDesign, path: str) -> None:
    """Write every strand as a record of a multi-record GenBank file.

    Parameters
    ----------
    design : DNACircuitDesign
        The design to write, one ``LOCUS`` record per strand (``genbank_text``).
    path : str or PathLike
        File to write, e.g. ``"circuit.gb"`` (records end with ``//``).

    Raises
    ------
    TypeError, ValueError
        If ``design`` is not a design with strands.
    """
    _write(path, genbank_text(design))


def _strand_dict(s: DNAStrand, na_M: float) -> dict[str, Any]:
    thermo = s.length >= 2
    return {"name": s.name, "sequence": s.sequence, "length": s.length, "role": s.role,
            "gc_content": round(s.gc_content, 4), "concentration_nM": s.concentration_nM,
            "delta_g_37": round(s.delta_g_37(), 3) if thermo else None,
            "tm_celsius": round(s.melting_temperature(na_M), 1) if thermo else None}


def design_dict(design: DNACircuitDesign) -> dict[str, Any]:
    """The JSON object ``export_json`` writes."""
    na = design.na_concentration_M
    return {
        "name": design.name, "method": design.method.value,
        "temperature_c": design.temperature_c, "na_concentration_M": na,
        "total_strands": design.total_strands, "total_gates": design.total_gates,
        "total_nucleotides": design.total_nucleotides,
        "input_names": design.input_names, "output_names": design.output_names,
        "gates": [{"gate_id": g.gate_id, "gate_type": g.gate_type.value,
                   "input_names": g.input_names, "output_name": g.output_name,
                   "leak_rate": g.leak_rate, "threshold": g.threshold,
                   "strands": [_strand_dict(s, na) for s in g.strands]}
                  for g in design.gates],
        "input_strands": [_strand_dict(s, na) for s in design.input_strands],
        "output_strands": [_strand_dict(s, na) for s in design.output_strands],
        "fuel_strands": [_strand_dict(s, na) for s in design.fuel_strands],
        "validation": design.validate(),
    }


def export_json(design: DNACircuitDesign, path: str) -> None:
    """Write the design as JSON (interchange and visualisation).

    The object holds the design's fields and totals, each gate with its strands, the
    strand lists and ``validation`` (``design.validate()``); each strand has its sequence,
    length, role, GC content (4 decimals), concentration, ``delta_g_37`` (3 decimals) and
    ``tm_celsius`` at the design's sodium (1 decimal; ``null`` below 2 nt).

    Parameters
    ----------
    design : DNACircuitDesign
        The design to write (``design_dict`` gives the object).
    path : str or PathLike
        File to write (e.g. ``"circuit.json"``).

    Raises
    ------
    TypeError
        If ``design`` is not a ``DNACircuitDesign``.
    """
    check_design(design)
    _write(path, json.dumps(design_dict(design), indent=2, allow_nan=False) + "\n")


def export_nupack_input(design: DNACircuitDesign, path: str) -> None:
    """Write the input of NUPACK 3's ``complexes`` (see ``NUPACKInterface.write_input``):
    ``%`` comments, the number of strands, one sequence per line, the largest complex size
    (2).

    Parameters
    ----------
    design : DNACircuitDesign
        The design whose strands are listed.
    path : str or PathLike
        File to write (NUPACK reads ``<prefix>.in``).

    Raises
    ------
    TypeError, ValueError
        If ``design`` is not a design with strands.
    """
    _write(path, nupack_input_text(design))
