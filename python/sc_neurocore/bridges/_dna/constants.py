"""Constants of the DNA mapper: domain lengths, design targets, thermodynamic tables, limits."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "TOEHOLD_LENGTH", "RECOGNITION_LENGTH", "GC_TARGET", "MAX_HOMOPOLYMER",
    "DEFAULT_TEMPERATURE_C", "TEMPERATURE_RANGE_C", "GAS_CONSTANT", "T37_K", "NN_STACKS",
    "NN_INITIATION", "NN_TERMINAL_AT", "SALT_CORRECTIONS", "NA_RANGE_M",
    "SANTALUCIA_SALT_SLOPE", "SCHILDKRAUT_SALT_SLOPE", "STRAND_ROLES", "MAX_CONCENTRATION_NM",
    "MAX_SEQUENCE_LENGTH", "MAX_FOLD_LENGTH",
]

TOEHOLD_LENGTH = 6
"""Length (nt) of a toehold domain."""
RECOGNITION_LENGTH = 15
"""Length (nt) of a recognition (branch-migration) domain."""
GC_TARGET: tuple[float, float] = (0.40, 0.60)
"""Default inclusive GC-fraction range of designed sequences and of ``validate()``."""
MAX_HOMOPOLYMER = 3
"""Default longest run of one nucleotide in designed sequences and in ``validate()``."""
DEFAULT_TEMPERATURE_C = 37.0
"""Default design and operating temperature (°C)."""
TEMPERATURE_RANGE_C: tuple[float, float] = (0.0, 100.0)
"""Operating temperatures (°C) accepted everywhere (liquid water)."""
GAS_CONSTANT = 1.987
"""The gas constant in cal/(mol·K)."""
T37_K = 310.15
"""37 °C in kelvin."""

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
"""Watson-Crick nearest-neighbour stacks in 1 M NaCl: ``"XY/X'Y'"`` (5'-XY-3' paired with
3'-X'Y'-5') -> (ΔH kcal/mol, ΔS cal/(mol·K)). The unified set of J. SantaLucia Jr. (1998),
PNAS 95:1460-1465, Table 2, used with the initiation and terminal A·T terms of SantaLucia &
Hicks (2004), Annu. Rev. Biophys. Biomol. Struct. 33:415-440 (the reference's values)."""
NN_INITIATION: tuple[float, float] = (0.2, -5.7)
"""Duplex initiation (ΔH kcal/mol, ΔS cal/(mol·K)), SantaLucia & Hicks (2004)."""
NN_TERMINAL_AT: tuple[float, float] = (2.2, 6.9)
"""Penalty per terminal A·T pair (ΔH, ΔS), SantaLucia & Hicks (2004)."""

SALT_CORRECTIONS: tuple[str, ...] = ("santalucia", "schildkraut")
"""Sodium corrections of the melting temperature: ``"santalucia"`` (entropy,
``ΔS += 0.368 (N - 1) ln[Na+]``, SantaLucia 1998; the default) and ``"schildkraut"``
(``Tm += 16.6 log10[Na+]``, Schildkraut & Lifson 1965; the reference's formula)."""
NA_RANGE_M: tuple[float, float] = (0.05, 1.0)
"""Sodium concentrations (M) where the salt corrections were fitted (SantaLucia 1998;
NUPACK applies its DNA salt correction on the same range); others are refused."""
SANTALUCIA_SALT_SLOPE = 0.368
"""Entropy salt coefficient (cal/(mol·K) per phosphate pair per ln M), SantaLucia (1998)."""
SCHILDKRAUT_SALT_SLOPE = 16.6
"""Melting-temperature salt coefficient (°C per decade of [Na+]), Schildkraut & Lifson (1965)."""

STRAND_ROLES: tuple[str, ...] = ("signal", "fuel", "output", "waste", "toehold", "translator",
                                 "threshold")
"""Roles a strand may have (the reference's list, with ``"threshold"`` its compilers use)."""
MAX_CONCENTRATION_NM = 200.0
"""The concentration that stands for probability 1 (nM): the working range of every signal."""
MAX_SEQUENCE_LENGTH = 100_000
"""Longest sequence accepted anywhere (nt)."""
MAX_FOLD_LENGTH = 300
"""Longest sequence the built-in folding model takes (nt; its work grows as ``n**3``)."""
