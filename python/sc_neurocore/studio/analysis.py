"""Analyses of single-neuron simulations: the reference project's ``studio.analysis`` API.

Every public name of the reference module (``sc_neurocore.studio.analysis``
of the sc-neurocore project) is here with its documented signature, defaults,
``simulate_fn`` configuration protocol, return keys and exceptions, together
with what that module uses for its public behaviour (the metric contracts,
the equation-based nullclines and precision comparison, the trace
projection). Every payload is plain lists and dicts with a metric contract
(``contract``) stating the definition, units, applicability, limitations and
covered domain of its numbers; an undefined point is reported with its
reason, never as a zero.

The ``simulate_fn`` protocol
----------------------------
Sweeps call ``simulate_fn(**config)`` and read only what they need from the
mapping it returns:

* ``stats.rate_hz`` (finite, ``>= 0``): the f-I curve, sensitivities and rate map;
* the full-resolution state traces, ``raw.states`` when ``raw.included`` is
  true, else ``states``
  ([`full_state_traces`][sc_neurocore.studio.analysis.full_state_traces]):
  the bifurcation sweep;
* ``spikes``, ``n_steps`` and ``observation.dt``: the frequency response.

They set ``current`` ([`fi_curve_sweep`][sc_neurocore.studio.analysis.fi_curve_sweep]),
entries of a copied ``params`` mapping (the other sweeps), and ``current``,
``bias``, ``protocol="sine"`` and ``frequency_hz``
([`frequency_response`][sc_neurocore.studio.analysis.frequency_response]).
[`lif_neuron`][sc_neurocore.studio.analysis.lif_neuron],
[`fitzhugh_nagumo`][sc_neurocore.studio.analysis.fitzhugh_nagumo] and
[`simulate_equations`][sc_neurocore.studio.analysis.simulate_equations] are
simulators of this protocol (post-step clock: step ``k`` is recorded at
``(k + 1) * dt``).

Exact arithmetic shared with the Rust mirror
--------------------------------------------
``rust/mirror/src/safety/analysis/`` answers the golden file
``parity/golden/analysis.txt`` with the same operations in the same order:
grids are [`linspace`][sc_neurocore.studio.analysis.linspace], rounding is
Python's ``round`` ([`round_decimals`][sc_neurocore.studio.analysis.round_decimals]),
sums run left to right ([`sequential_sum`][sc_neurocore.studio.analysis.sequential_sum]),
step counts are [`whole_steps`][sc_neurocore.studio.analysis.whole_steps]
and fixed-point runs are integer arithmetic. Values that pass through the
math library (``sin``, ``cos``, ``atan2``, ``exp``, ``log``, ``pow``) are
compared within a relative tolerance; all others bit for bit.
"""

from __future__ import annotations

from ._analysis.contract import (
                                 METRIC_CONTRACT_SCHEMA_VERSION,
                                 MODEL_DEFINED_UNIT,
                                 DomainStatus,
                                 MetricContract,
                                 attach_contract,
                                 contract_summary,
                                 domain_of,
)
from ._analysis.equations import simulate_equations
from ._analysis.errors import ODE_MODEL_NAME, ModelInputError, ModelSimulationFailure
from ._analysis.exact import (
                                 STEP_TOLERANCE,
                                 linspace,
                                 logspace,
                                 round_decimals,
                                 sequential_sum,
                                 whole_steps,
)
from ._analysis.fixed_point import (
                                 MAX_DATA_WIDTH,
                                 MAX_INTEGER_POWER,
                                 MIN_DATA_WIDTH,
                                 SUPPORTED_OVERFLOW,
                                 SUPPORTED_ROUNDING,
                                 resolve_word_format,
)
from ._analysis.models import (
                                 FITZHUGH_NAGUMO_DEFAULTS,
                                 LIF_DEFAULTS,
                                 MODELS,
                                 fitzhugh_nagumo,
                                 lif_neuron,
)
from ._analysis.nullclines import DEFAULT_RANGES, MAX_GRID, NULLCLINE_SCHEMA_VERSION, nullclines_2d
from ._analysis.precision import (
                                 ERROR_DECIMALS,
                                 PRECISION_COMPARE_SCHEMA_VERSION,
                                 OverflowMode,
                                 RoundingMode,
                                 precision_compare,
)
from ._analysis.responses import (
                                 DEGREES_PER_RADIAN,
                                 FREQUENCY_RESPONSE_DEPTH,
                                 FREQUENCY_RESPONSE_MIN_CYCLES,
                                 HALF_PI,
                                 frequency_response,
                                 half_window,
                                 rate_modulation,
                                 spike_triggered_average,
)
from ._analysis.runs import (
                                 MAX_STEPS,
                                 SUPPORTED_PROTOCOLS,
                                 TAU,
                                 SimulateFn,
                                 drive_samples,
                                 full_state_traces,
                                 run_payload,
)
from ._analysis.sweeps import (
                                 ATTRACTOR_DECIMALS,
                                 ATTRACTOR_EXTREMA_KEPT,
                                 ATTRACTOR_MIN_SAMPLES,
                                 MAX_POINTS,
                                 RATE_DEFINITION,
                                 REASON_NO_CHANGE,
                                 REASON_ZERO_PARAMETER,
                                 REASON_ZERO_RATE,
                                 SENSITIVITY_DECIMALS,
                                 SENSITIVITY_PERTURBATION,
                                 attractor_sample,
                                 bifurcation_sweep,
                                 fi_curve_sweep,
                                 heatmap_2d,
                                 sensitivity_analysis,
)

__all__ = [
    # the reference module's own exports
    "ATTRACTOR_DECIMALS", "ATTRACTOR_EXTREMA_KEPT", "ATTRACTOR_MIN_SAMPLES",
    "FREQUENCY_RESPONSE_DEPTH", "FREQUENCY_RESPONSE_MIN_CYCLES", "RATE_DEFINITION",
    "SENSITIVITY_PERTURBATION", "bifurcation_sweep", "fi_curve_sweep", "frequency_response",
    "heatmap_2d", "nullclines_2d", "precision_compare", "sensitivity_analysis",
    "spike_triggered_average",
    # what it uses for its public behaviour
    "METRIC_CONTRACT_SCHEMA_VERSION", "MODEL_DEFINED_UNIT", "DomainStatus", "MetricContract",
    "attach_contract", "contract_summary", "full_state_traces", "NULLCLINE_SCHEMA_VERSION",
    "DEFAULT_RANGES", "PRECISION_COMPARE_SCHEMA_VERSION", "SUPPORTED_OVERFLOW",
    "SUPPORTED_ROUNDING", "MIN_DATA_WIDTH", "MAX_DATA_WIDTH", "OverflowMode", "RoundingMode",
    "resolve_word_format", "ModelInputError", "ModelSimulationFailure", "ODE_MODEL_NAME",
    "MAX_STEPS", "SUPPORTED_PROTOCOLS",
    # extensions: simulators, helpers and the constants of the exact rules
    "SimulateFn", "MODELS", "LIF_DEFAULTS", "FITZHUGH_NAGUMO_DEFAULTS", "lif_neuron",
    "fitzhugh_nagumo", "simulate_equations", "drive_samples", "run_payload", "attractor_sample",
    "rate_modulation", "half_window", "domain_of", "linspace", "logspace", "round_decimals",
    "sequential_sum", "whole_steps", "STEP_TOLERANCE", "MAX_POINTS", "MAX_GRID",
    "MAX_INTEGER_POWER", "SENSITIVITY_DECIMALS", "ERROR_DECIMALS", "REASON_ZERO_PARAMETER",
    "REASON_ZERO_RATE", "REASON_NO_CHANGE", "TAU", "HALF_PI", "DEGREES_PER_RADIAN",
]
