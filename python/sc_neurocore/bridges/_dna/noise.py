"""``NoiseModel``: Monte Carlo robustness of a circuit to pipetting and temperature errors.

Draw order (docs/safety-mirrors.md): each ``NoiseModel`` owns one ``SplitMix64(seed)``,
kept across calls. Each trial draws, in order, one normal per given input concentration
(in the mapping's order) and then one normal for the temperature.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sc_neurocore._validation import check_int, check_real
from sc_neurocore.splitmix import U64_LIMIT, SplitMix64

from .constants import TEMPERATURE_RANGE_C
from .kinetics import KineticSimulator
from .stats import mean, population_std
from .types import DNACircuitDesign, check_design

__all__ = ["NoiseModel", "ROBUST_CV", "MAX_TRIALS", "summarise"]

ROBUST_CV = 0.15
"""An output whose coefficient of variation is below this is ``robust``."""
MAX_TRIALS = 10_000
"""Most Monte Carlo trials."""


def summarise(values: list[float]) -> dict[str, Any]:
    """``mean``, ``std`` (population), ``cv = std / max(mean, 1e-12)``, ``min``, ``max`` and
    ``robust`` (``cv < 0.15``) of the final concentrations of one output."""
    m = mean(values)
    std = population_std(values)
    cv = std / max(m, 1e-12)
    return {"mean": m, "std": std, "cv": cv, "min": min(values), "max": max(values),
            "robust": cv < ROBUST_CV}


class NoiseModel:
    """Monte Carlo noise injection for robustness analysis.

    Each trial multiplies every input concentration by ``1 + concentration_cv * z`` (clipped
    at 0) and shifts the temperature by ``temperature_std_c * z`` (clipped to [0, 100] °C),
    which changes every rate through the Arrhenius factor; then it simulates the circuit.

    Parameters
    ----------
    concentration_cv : float, optional
        Coefficient of variation of pipetting, finite, ``>= 0`` (default 0.05).
    temperature_std_c : float, optional
        Temperature standard deviation (°C), finite, ``>= 0`` (default 0.5).
    n_trials : int, optional
        Trials, in ``[1, 10000]`` (default 50).
    seed : int, optional
        Seed of the model's SplitMix64, in ``[0, 2**64)`` (default 42).

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or out of range.
    """

    def __init__(self, concentration_cv: float = 0.05, temperature_std_c: float = 0.5,
                 n_trials: int = 50, seed: int = 42) -> None:
        self._conc_cv = check_real(concentration_cv, "concentration_cv", minimum=0.0)
        self._temp_std = check_real(temperature_std_c, "temperature_std_c", minimum=0.0)
        self._n_trials = check_int(n_trials, "n_trials", minimum=1, below=MAX_TRIALS + 1)
        self._rng = SplitMix64(check_int(seed, "seed", minimum=0, below=U64_LIMIT))

    def sensitivity_analysis(self, design: DNACircuitDesign,
                             input_concentrations: Mapping[str, float],
                             duration_s: float = 3600.0) -> dict[str, Any]:
        """Run the trials (``dt = 1`` s) and summarise each gate output's final value.

        Parameters
        ----------
        design : DNACircuitDesign
            A design ``KineticSimulator`` can simulate.
        input_concentrations : mapping of str to float
            Nominal input concentrations (nM), as ``KineticSimulator.simulate`` takes them.
        duration_s : float, optional
            Simulated time per trial (s, default 3600).

        Returns
        -------
        dict
            ``n_trials`` and ``outputs``: gate output name -> ``mean``, ``std``, ``cv``,
            ``min``, ``max`` (nM) and ``robust``.

        Raises
        ------
        TypeError, ValueError
            For a bad design or inputs (checked before any draw).
        RuntimeError
            If the kinetic simulator (a subclass or replacement of
            ``KineticSimulator.simulate``) returns no trace for a gate output.
        """
        check_design(design)
        nominal = KineticSimulator(temperature_c=design.temperature_c)
        nominal.simulate(design, input_concentrations, duration_s=0.0)
        check_real(duration_s, "duration_s", minimum=0.0)
        finals: dict[str, list[float]] = {g.output_name: [] for g in design.gates}
        low, high = TEMPERATURE_RANGE_C
        for _ in range(self._n_trials):
            perturbed = {}
            for key, value in input_concentrations.items():
                z = self._rng.normal()
                c = float(value) * (1.0 + self._conc_cv * z)
                perturbed[key] = c if c > 0.0 else 0.0
            t = design.temperature_c + self._temp_std * self._rng.normal()
            t = min(max(t, low), high)
            traces = KineticSimulator(temperature_c=t).simulate(design, perturbed,
                                                                duration_s=duration_s)
            for key, values in finals.items():
                if key not in traces:
                    raise RuntimeError(f"kinetic simulator omitted output trace: {key}")
                values.append(float(traces[key][-1]))
        return {"n_trials": self._n_trials,
                "outputs": {key: summarise(values) for key, values in finals.items()}}
