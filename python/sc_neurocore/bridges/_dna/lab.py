"""Laboratory planning: oligo cost, a wet-lab protocol, and synthesis plate layouts."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sc_neurocore._validation import InputTypeError, check_choice, check_int, check_real

from .types import DNACircuitDesign, DNAStrand, check_design

__all__ = ["estimate_cost", "generate_protocol", "PlateLayout", "PURIFICATION_FACTORS",
           "STOCK_UM", "PLATE_FORMATS", "unique_by_sequence", "oligo_costs"]

PURIFICATION_FACTORS: Mapping[str, float] = MappingProxyType(
    {"standard": 1.0, "hplc": 2.5, "page": 3.0})
"""Per-base price multiplier of each purification grade."""
STOCK_UM = 100.0
"""Stock concentration of every oligo in the protocol (µM)."""
PLATE_FORMATS: Mapping[int, tuple[int, int]] = MappingProxyType({96: (8, 12), 384: (16, 24)})
"""Wells per plate -> (rows, columns)."""
_ROWS = "ABCDEFGHIJKLMNOP"


def unique_by_sequence(design: DNACircuitDesign) -> list[DNAStrand]:
    """The first strand of each distinct sequence, in ``all_strands`` order."""
    seen: set[str] = set()
    out = []
    for s in design.all_strands:
        if s.sequence not in seen:
            seen.add(s.sequence)
            out.append(s)
    return out


def oligo_costs(strands: list[DNAStrand], price: float, fixed: float,
                factor: float) -> list[float]:
    """``(length * price) * factor + fixed`` (USD) of each strand."""
    return [float(s.length) * price * factor + fixed for s in strands]


def estimate_cost(design: DNACircuitDesign, price_per_base_usd: float = 0.10,
                  fixed_per_oligo_usd: float = 5.00,
                  purification: str = "standard") -> dict[str, Any]:
    """Oligo synthesis cost of a design (each distinct sequence ordered once).

    Parameters
    ----------
    design : DNACircuitDesign
    price_per_base_usd : float, optional
        Price per nucleotide, finite and ``>= 0`` (default 0.10, standard desalting).
    fixed_per_oligo_usd : float, optional
        Set-up price per oligo, finite and ``>= 0`` (default 5.00).
    purification : str, optional
        ``"standard"`` (x1), ``"hplc"`` (x2.5) or ``"page"`` (x3) on the per-base price.

    Returns
    -------
    dict
        ``total_cost_usd`` (rounded to cents), ``n_unique_oligos``, ``total_nucleotides``
        (every strand), ``purification`` and ``strand_costs`` (``name``, ``length``,
        ``cost_usd`` rounded to cents).

    Raises
    ------
    TypeError, ValueError
        For a bad argument or an unknown purification.
    """
    d = check_design(design)
    price = check_real(price_per_base_usd, "price_per_base_usd", minimum=0.0)
    fixed = check_real(fixed_per_oligo_usd, "fixed_per_oligo_usd", minimum=0.0)
    grade = check_choice(purification, "purification", tuple(PURIFICATION_FACTORS))
    strands = unique_by_sequence(d)
    costs = oligo_costs(strands, price, fixed, PURIFICATION_FACTORS[grade])
    total = 0.0
    for c in costs:
        total += c
    return {"total_cost_usd": round(total, 2), "n_unique_oligos": len(strands),
            "total_nucleotides": d.total_nucleotides, "purification": grade,
            "strand_costs": [{"name": s.name, "length": s.length, "cost_usd": round(c, 2)}
                             for s, c in zip(strands, costs)]}


def generate_protocol(design: DNACircuitDesign, volume_uL: float = 50.0,
                      buffer_name: str = "1× TAE/Mg²⁺") -> str:
    """A Markdown wet-lab protocol to assemble the circuit.

    Each oligo (first strand of each name) is pipetted from a 100 µM stock:
    ``volume = concentration_nM * volume_uL / (100 * 1000)`` µL; buffer makes up the rest.
    Strands at 0 nM (outputs the circuit releases) are listed but not added; gate and fuel
    strands are annealed first, signal strands start the computation.

    Parameters
    ----------
    design : DNACircuitDesign
    volume_uL : float, optional
        Reaction volume (µL), finite and ``> 0`` (default 50).
    buffer_name : str, optional
        The buffer (non-empty; default ``"1× TAE/Mg²⁺"``).

    Returns
    -------
    str
        The protocol (Markdown).

    Raises
    ------
    TypeError, ValueError
        For a bad argument, or oligo volumes that exceed ``volume_uL``.
    """
    d = check_design(design)
    volume = check_real(volume_uL, "volume_uL", positive=True)
    if not isinstance(buffer_name, str) or not buffer_name.strip():
        raise InputTypeError("buffer_name must be a non-empty str")
    unique: dict[str, DNAStrand] = {}
    for s in d.all_strands:
        unique.setdefault(s.name, s)
    volumes = {name: s.concentration_nM * volume / (STOCK_UM * 1000.0)
               for name, s in unique.items()}
    used = 0.0
    for v in volumes.values():
        used += v
    if used > volume:
        raise ValueError(f"the oligos need {used:.2f} µL of 100 µM stock, more than "
                         f"volume_uL = {volume}")
    t = d.temperature_c
    lines = [f"# Wet-Lab Protocol: {d.name}", "",
             f"**Temperature:** {t} °C", f"**Buffer:** {buffer_name}",
             f"**Total volume:** {volume} µL", f"**Oligos:** {len(unique)}", "",
             "## Materials", "",
             "| Oligo | Length | Stock (µM) | Volume (µL) | Final (nM) | Role |",
             "|-------|--------|------------|-------------|------------|------|"]
    for name, s in unique.items():
        lines.append(f"| {name} | {s.length} nt | {STOCK_UM} | {volumes[name]:.2f} | "
                     f"{s.concentration_nM} | {s.role} |")
    lines.append(f"| {buffer_name} | | | {volume - used:.2f} | | buffer |")
    lines += ["", "## Procedure", "",
              f"1. Thaw the 100 µM stocks; add {volume - used:.2f} µL {buffer_name} to the tube.",
              "2. Add the gate, threshold and fuel strands:"]
    lines += [f"   - {name} ({s.role}, {volumes[name]:.2f} µL)" for name, s in unique.items()
              if s.role != "signal" and s.concentration_nM > 0.0]
    lines += [f"3. Anneal: 95 °C for 5 min, then cool to {t} °C at 1 °C/min.",
              "4. Start the computation with the signal (input) strands:"]
    lines += [f"   - {name} ({volumes[name]:.2f} µL)" for name, s in unique.items()
              if s.role == "signal" and s.concentration_nM > 0.0]
    lines += [f"5. Incubate at {t} °C for 1-4 h.",
              "6. Read the outputs by fluorescence (reporter-labelled) or gel electrophoresis.",
              "", "## Expected results", ""]
    lines += [f"- **{g.output_name}** = {g.gate_type.name}({', '.join(g.input_names)})"
              for g in d.gates]
    return "\n".join(lines) + "\n"


class PlateLayout:
    """Place each distinct oligo of a design in a synthesis plate well.

    Parameters
    ----------
    n_wells : int, optional
        Wells per plate: 96 (A01-H12, default) or 384 (A01-P24).

    Raises
    ------
    TypeError, ValueError
        If ``n_wells`` is not 96 or 384.
    """

    def __init__(self, n_wells: int = 96) -> None:
        wells = check_int(n_wells, "n_wells", minimum=1)
        if wells not in PLATE_FORMATS:
            raise ValueError(f"n_wells must be one of {', '.join(map(str, PLATE_FORMATS))}, "
                             f"got {wells}")
        self._n_wells = wells
        self._rows, self._cols = PLATE_FORMATS[wells]

    def well(self, index: int) -> tuple[int, str]:
        """(plate number from 1, well name) of the ``index``-th oligo (row-major fill).

        Parameters
        ----------
        index : int
            Position of the oligo in fill order, ``>= 0``.

        Returns
        -------
        tuple of (int, str)
            The plate (1, 2, ...) and the well name (``"A01"``, ...).
        """
        k = check_int(index, "index", minimum=0)
        w = k % self._n_wells
        return k // self._n_wells + 1, f"{_ROWS[w // self._cols]}{w % self._cols + 1:02d}"

    def layout(self, design: DNACircuitDesign) -> dict[str, Any]:
        """Lay out the distinct sequences (first strand of each, ``all_strands`` order).

        Parameters
        ----------
        design : DNACircuitDesign
            The design whose oligos are ordered, one well each.

        Returns
        -------
        dict
            ``plates`` (per plate, a list of ``well``, ``plate``, ``name``, ``sequence``,
            ``length``), ``n_plates``, ``n_unique_oligos``, ``utilization_pct`` (oligos /
            wells of the plates used * 100) and ``manifest_csv``
            (``Plate,Well,Name,Sequence,Length`` rows).

        Raises
        ------
        TypeError
            If ``design`` is not a ``DNACircuitDesign``.
        """
        oligos = unique_by_sequence(check_design(design))
        plates: list[list[dict[str, Any]]] = []
        for k, s in enumerate(oligos):
            plate, well = self.well(k)
            if plate > len(plates):
                plates.append([])
            plates[-1].append({"well": well, "plate": plate, "name": s.name,
                               "sequence": s.sequence, "length": s.length})
        wells = len(plates) * self._n_wells
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["Plate", "Well", "Name", "Sequence", "Length"])
        writer.writerows([e["plate"], e["well"], e["name"], e["sequence"], e["length"]]
                         for plate in plates for e in plate)
        return {"plates": plates, "n_plates": len(plates), "n_unique_oligos": len(oligos),
                "utilization_pct": len(oligos) / wells * 100.0 if wells else 0.0,
                "manifest_csv": buffer.getvalue().rstrip("\n")}
