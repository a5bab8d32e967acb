"""``DegradationModel``: first-order nuclease degradation of circuit strands.

``k = (ln 2 / (half_life_hr * 3600)) * (1 + 0.02 * max(0, L - 20)) * exp(0.05 * (T - 37))``
(1/s; longer strands offer more nuclease sites, warmer solutions degrade faster) and
``c(t) = c0 * exp(-k * t)``.
"""

from __future__ import annotations

import math
from typing import Any

from sc_neurocore._validation import check_int, check_real

from ._checks import check_temperature
from .types import DNACircuitDesign, check_design

__all__ = ["DegradationModel", "CRITICAL_PCT", "LENGTH_SLOPE", "LENGTH_FREE_NT",
           "TEMPERATURE_SLOPE"]

CRITICAL_PCT = 50.0
"""A strand with less than this percentage left is critical."""
LENGTH_SLOPE = 0.02
"""Extra decay rate per nucleotide beyond ``LENGTH_FREE_NT`` (fraction of the base rate)."""
LENGTH_FREE_NT = 20
"""Strands up to this length decay at the base rate."""
TEMPERATURE_SLOPE = 0.05
"""Decay-rate growth per °C above 37 °C (``exp(0.05 (T - 37))``)."""


class DegradationModel:
    """Time-dependent first-order degradation of DNA strands.

    Parameters
    ----------
    half_life_hr : float, optional
        Half-life (h) of a strand of at most 20 nt at 37 °C, finite and ``> 0`` (default 24,
        single-stranded DNA in serum-free buffer).
    temperature_c : float, optional
        Temperature (°C) in [0, 100] (default 37).

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or out of range.
    """

    def __init__(self, half_life_hr: float = 24.0, temperature_c: float = 37.0) -> None:
        self._half_life_hr = check_real(half_life_hr, "half_life_hr", positive=True)
        self._temperature_c = check_temperature(temperature_c)
        self._k_decay = math.log(2.0) / (self._half_life_hr * 3600.0)

    def rate(self, strand_length: int) -> float:
        """The decay rate ``k`` (1/s) of a strand of ``strand_length`` nt.

        Parameters
        ----------
        strand_length : int
            Strand length (nt), ``>= 1``; each nt past ``LENGTH_FREE_NT`` adds ``LENGTH_SLOPE``
            of the base rate to ``k``.

        Returns
        -------
        float
            ``ln 2 / half-life``, scaled for length and temperature.
        """
        length = check_int(strand_length, "strand_length", minimum=1)
        factor = 1.0 + LENGTH_SLOPE * float(max(0, length - LENGTH_FREE_NT))
        return self._k_decay * factor * math.exp(TEMPERATURE_SLOPE * (self._temperature_c - 37.0))

    def predict_concentration(self, initial_nM: float, strand_length: int,
                              time_hr: float) -> float:
        """Concentration (nM) left after ``time_hr`` hours.

        Parameters
        ----------
        initial_nM : float
            Starting concentration (nM), finite and ``>= 0``.
        strand_length : int
            Length (nt), ``>= 1``.
        time_hr : float
            Elapsed time (h), finite and ``>= 0``.

        Returns
        -------
        float
            ``initial_nM * exp(-k * 3600 * time_hr)``, ``k`` from ``rate``.

        Raises
        ------
        TypeError, ValueError
            For an argument of the wrong type or out of range.
        """
        c0 = check_real(initial_nM, "initial_nM", minimum=0.0)
        k = self.rate(strand_length)
        t = check_real(time_hr, "time_hr", minimum=0.0)
        return c0 * math.exp(-k * t * 3600.0)

    def analyze_design(self, design: DNACircuitDesign, time_hr: float = 4.0) -> dict[str, Any]:
        """Predict the degradation of every strand of a design (``all_strands`` order).

        Parameters
        ----------
        design : DNACircuitDesign
        time_hr : float, optional
            Elapsed time (h, default 4).

        Returns
        -------
        dict
            ``time_hr``, ``temperature_c``, ``half_life_hr``, ``strands`` (each ``name``,
            ``length``, ``initial_nM``, ``remaining_nM``, ``pct_remaining``; a strand at
            0 nM counts as 100 % left), ``min_remaining_pct``, ``n_critical_strands`` and
            ``critical_strands`` (below 50 %).

        Raises
        ------
        TypeError, ValueError
            For a bad design or time.
        """
        check_design(design)
        t = check_real(time_hr, "time_hr", minimum=0.0)
        report: list[dict[str, Any]] = []
        lowest = 100.0
        for s in design.all_strands:
            remaining = self.predict_concentration(s.concentration_nM, s.length, t)
            pct = remaining / s.concentration_nM * 100.0 if s.concentration_nM > 0.0 else 100.0
            report.append({"name": s.name, "length": s.length, "initial_nM": s.concentration_nM,
                           "remaining_nM": remaining, "pct_remaining": pct})
            lowest = min(lowest, pct)
        critical = [r for r in report if float(r["pct_remaining"]) < CRITICAL_PCT]
        return {"time_hr": t, "temperature_c": self._temperature_c,
                "half_life_hr": self._half_life_hr, "strands": report,
                "min_remaining_pct": lowest, "n_critical_strands": len(critical),
                "critical_strands": critical}
