"""Nearest-neighbour duplex thermodynamics: ΔH, ΔS, ΔG(37 °C) and the melting temperature.

Every sum is evaluated in one fixed order (so the Rust mirror matches bit for bit):
``dh, ds = NN_INITIATION``; then each stack from the 5' end to the 3' end; then the
terminal A·T penalty of the 5' end, then of the 3' end. ``ΔG37 = ΔH - 310.15 * ΔS / 1000``.
Melting temperature (°C), ``R = GAS_CONSTANT`` in cal/(mol·K), ``Ct`` the total strand
concentration, ``N`` the length:

* ``"santalucia"``: ``1000 * ΔH / ((ΔS + (0.368 * (N - 1)) * ln[Na+]) + R * ln(Ct / 4))
  - 273.15``;
* ``"schildkraut"``: ``1000 * ΔH / (ΔS + R * ln(Ct / 4)) - 273.15 + 16.6 * log10[Na+]``.
"""

from __future__ import annotations

import math

from sc_neurocore._validation import check_choice, check_real

from ._checks import check_sodium
from .constants import (
    GAS_CONSTANT,
    NN_INITIATION,
    NN_STACKS,
    NN_TERMINAL_AT,
    SALT_CORRECTIONS,
    SANTALUCIA_SALT_SLOPE,
    SCHILDKRAUT_SALT_SLOPE,
    T37_K,
)
from .sequences import BASES, revcomp

__all__ = ["STACK_OF", "nn_sums", "delta_g_37", "melting_temperature", "stack_delta_g",
           "HAIRPIN_LOOP_DG", "hairpin_loop_delta_g"]


def _stack_index() -> dict[str, tuple[float, float]]:
    """Dinucleotide (5'->3' on the top strand) -> its (ΔH, ΔS): its own ``NN_STACKS`` entry
    when listed, else that of its reverse complement (the same duplex read from the other
    strand)."""
    index = {}
    for x in BASES:
        for y in BASES:
            pair = x + y
            for top in (pair, revcomp(pair)):
                key = top + "/" + top.translate(str.maketrans("ACGT", "TGCA"))
                if key in NN_STACKS:
                    index[pair] = NN_STACKS[key]
                    break
    return index


STACK_OF = _stack_index()
"""Each of the 16 dinucleotides -> its stack's (ΔH, ΔS)."""


def nn_sums(seq: str) -> tuple[float, float]:
    """(ΔH, ΔS) of checked text with its perfect complement, summed in the module's order.

    Raises
    ------
    ValueError
        If ``seq`` is shorter than 2 nt (no stack).
    """
    if len(seq) < 2:
        raise ValueError("sequence must have at least 2 nucleotides for nearest-neighbour "
                         f"thermodynamics (it has no stacks otherwise), got {len(seq)}")
    dh, ds = NN_INITIATION
    for k in range(len(seq) - 1):
        h, s = STACK_OF[seq[k:k + 2]]
        dh += h
        ds += s
    for end in (seq[0], seq[-1]):
        if end in "AT":
            dh += NN_TERMINAL_AT[0]
            ds += NN_TERMINAL_AT[1]
    return dh, ds


def delta_g_37(seq: str) -> float:
    """Duplex ΔG at 37 °C (kcal/mol): ``ΔH - 310.15 * ΔS / 1000``."""
    dh, ds = nn_sums(seq)
    return dh - T37_K * ds / 1000.0


def melting_temperature(seq: str, na_conc_M: object, strand_conc_M: object,
                        salt_correction: object) -> float:
    """Melting temperature (°C) of checked text, arguments validated here.

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or out of range, or ``seq`` under 2 nt.
    """
    na = check_sodium(na_conc_M)
    ct = check_real(strand_conc_M, "strand_conc_M", positive=True, maximum=1.0)
    method = check_choice(salt_correction, "salt_correction", SALT_CORRECTIONS)
    dh, ds = nn_sums(seq)
    if method == "santalucia":
        ds = ds + (SANTALUCIA_SALT_SLOPE * float(len(seq) - 1)) * math.log(na)
        return 1000.0 * dh / (ds + GAS_CONSTANT * math.log(ct / 4.0)) - 273.15
    return (1000.0 * dh / (ds + GAS_CONSTANT * math.log(ct / 4.0)) - 273.15
            + SCHILDKRAUT_SALT_SLOPE * math.log10(na))


def stack_delta_g(seq: str) -> float:
    """ΔG at 37 °C (kcal/mol) of the stacks of a helix whose 5' strand is ``seq``:
    ``sum(ΔH) - 310.15 * sum(ΔS) / 1000`` over its ``len(seq) - 1`` stacks (5' -> 3'), with
    no initiation or terminal terms (an intramolecular stem). ``0.0`` below 2 nt."""
    dh = 0.0
    ds = 0.0
    for k in range(len(seq) - 1):
        h, s = STACK_OF[seq[k:k + 2]]
        dh += h
        ds += s
    return dh - T37_K * ds / 1000.0


HAIRPIN_LOOP_DG: dict[int, float] = {3: 3.5, 4: 3.5, 5: 3.3, 6: 4.0, 7: 4.2, 8: 4.3, 9: 4.5}
"""DNA hairpin-loop initiation ΔG at 37 °C (kcal/mol) by loop length (nt), SantaLucia &
Hicks (2004), Table 4."""


def hairpin_loop_delta_g(loop: int) -> float:
    """Hairpin-loop ΔG (kcal/mol) at 37 °C: the table for 3-9 nt, beyond it the
    Jacobson-Stockmayer extrapolation ``ΔG(9) + 2.44 * R * T * ln(loop / 9)`` (``R`` in
    kcal, ``T = 310.15 K``) that SantaLucia & Hicks (2004) recommend."""
    if loop in HAIRPIN_LOOP_DG:
        return HAIRPIN_LOOP_DG[loop]
    if loop < 3:
        raise ValueError(f"a hairpin loop needs at least 3 nt, got {loop}")
    return HAIRPIN_LOOP_DG[9] + 2.44 * (GAS_CONSTANT / 1000.0) * T37_K * math.log(loop / 9.0)
