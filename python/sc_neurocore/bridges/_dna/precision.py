"""``SCPrecisionAnalyzer``: how many bits of SC precision a circuit's outputs settle to.

An SC bitstream of length ``L`` resolves ``log2(L + 1)`` bits; a DNA circuit's signal is a
concentration in ``[0, max_conc_nM]``, resolved down to the residual variation of its
output. That variation is measured on the deterministic trace of ``KineticSimulator()``
(``dt = 1`` s): the population standard deviation of its last 10 % (samples from index
``(9 L) // 10``), floored at 1e-6 nM, i.e. how far the output still moves at the end of
the run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sc_neurocore._validation import check_real

from .kinetics import KineticSimulator
from .stats import mean, population_std
from .types import DNACircuitDesign, check_design

__all__ = ["SCPrecisionAnalyzer", "NOISE_FLOOR_NM", "SNR_FLOOR", "trace_precision"]

NOISE_FLOOR_NM = 1e-6
"""Smallest residual variation (nM) the analysis uses."""
SNR_FLOOR = 1e-12
"""Smallest SNR the decibel figure uses (a zero signal reads -240 dB)."""


def trace_precision(trace: list[float], max_conc_nM: float) -> dict[str, float]:
    """The precision figures of one output trace (see ``SCPrecisionAnalyzer.analyze``)."""
    tail = trace[(9 * len(trace)) // 10:]
    noise = population_std(tail) if len(tail) > 1 else NOISE_FLOOR_NM
    noise = max(noise, NOISE_FLOOR_NM)
    signal = mean(tail)
    snr = signal / noise
    positive = [v for v in trace if v > 0.0]
    lowest = min(positive) if positive else NOISE_FLOOR_NM
    return {"final_nM": trace[-1], "noise_std_nM": noise, "snr_linear": snr,
            "snr_db": 20.0 * math.log10(max(snr, SNR_FLOOR)),
            "effective_bits": math.log2(max(max_conc_nM / noise, 1.0)),
            "dynamic_range_db": 20.0 * math.log10(max(max(trace) / lowest, 1.0)),
            "resolution_nM": 2.0 * noise}


class SCPrecisionAnalyzer:
    """Effective bit-width, SNR and resolution of a circuit's outputs (see the module
    docstring of ``sc_neurocore.bridges._dna.precision`` for the definitions)."""

    def analyze(self, design: DNACircuitDesign, input_concentrations: Mapping[str, float],
                max_conc_nM: float = 200.0, duration_s: float = 3600.0) -> dict[str, Any]:
        """Analyse each gate output of one simulated run.

        Parameters
        ----------
        design : DNACircuitDesign
        input_concentrations : mapping of str to float
            Input concentrations (nM).
        max_conc_nM : float, optional
            The working range (nM), finite and ``> 0`` (default 200).
        duration_s : float, optional
            Simulated time (s, default 3600).

        Returns
        -------
        dict
            ``outputs``: per gate output ``final_nM``, ``noise_std_nM`` (``sigma``),
            ``snr_linear`` (tail mean / ``sigma``), ``snr_db`` (``20 log10 max(snr,
            1e-12)``), ``effective_bits`` (``log2 max(max_conc_nM / sigma, 1)``),
            ``dynamic_range_db`` (``20 log10 max(max / smallest positive value, 1)``) and
            ``resolution_nM`` (``2 sigma``); ``max_conc_nM``; ``total_effective_bits`` (the
            smallest, 0 without outputs). A design without gates has no outputs to
            analyse: ``outputs`` is empty and ``total_effective_bits`` 0, as in the
            reference (nothing is simulated).

        Raises
        ------
        TypeError, ValueError
            For a bad argument (as ``KineticSimulator.simulate``).
        """
        check_design(design)
        top = check_real(max_conc_nM, "max_conc_nM", positive=True)
        if not design.gates:
            check_real(duration_s, "duration_s", minimum=0.0)
            return {"outputs": {}, "max_conc_nM": top, "total_effective_bits": 0.0}
        result = KineticSimulator().simulate(design, input_concentrations,
                                             duration_s=duration_s)
        outputs = {key: trace_precision([float(v) for v in trace], top)
                   for key, trace in result.items() if key != "time"}
        total = min((v["effective_bits"] for v in outputs.values()), default=0.0)
        return {"outputs": outputs, "max_conc_nM": top, "total_effective_bits": total}
