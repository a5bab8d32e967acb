"""Golden cases of :mod:`sc_neurocore.bridges.dna_mapper` (``parity/golden/dna_mapper.txt``).

The Rust mirror ``rust/mirror/src/safety/dna_mapper/`` answers the same cases. Ops (the
first input of every case) and their inputs; a *network* is ``method``, ``seed``,
``temperature_c``, ``gates`` (strings ``"TYPE in1,in2 out [threshold=x]"``),
``input_names``, ``output_names``, compiled by ``BitstreamToDNA``:

* ``DNAStrand``: ``name``, ``sequence``, ``role``, ``concentration_nM`` -> its properties;
* ``DNAStrand.thermodynamics``: ``sequence``, ``na_conc_M``, ``strand_conc_M``,
  ``salt_correction`` -> ``delta_h``, ``delta_s``, ``delta_g_37``, ``tm`` (``rtol``);
* ``SequenceDesigner.generate``: the designer's arguments, then ``generate(lengths[k],
  names[k])`` in order -> ``sequences``, ``shortfalls``, ``rng_state``;
* ``compile_gates``: ``compiler`` (``displacement``/``enzymatic``), ``seed`` of its designer,
  ``temperature_c``, ``gates`` compiled in order -> strands, gate ids, ``leak_rates``
  (``rtol``), ``rng_state``;
* ``BitstreamToDNA.compile_network``: a network -> its strands (``all_strands`` order),
  gate types, leak rates, ``validate()`` warnings, ``rng_state``;
* ``DNACircuitDesign.validate``: a design of input strands only -> ``warnings``;
* ``KineticSimulator.gate_rate``: the simulator's arguments and gate concentrations ->
  ``temperature_factor``, ``rates`` (``rtol``);
* ``KineticSimulator.simulate``: the simulator's arguments, a network compiled with
  ``hybrid``/seed 42, inputs (``concentration_names``, ``input_concentrations_nM``),
  ``duration_s``, ``dt`` -> ``time``, ``traces`` (one column per gate), ``rates``;
* ``GF4ErrorCorrection.encode`` / ``.decode``: ``n_parity``, ``block_size`` and the text;
* ``NUPACKInterface.compute_mfe`` / ``.compute_pair_probabilities``: the built-in model;
* ``CrossHybridizationChecker.check`` (a network, ``max_complementary_run``),
  ``complementary_run`` (``a``, ``b``), ``HairpinChecker.check_strand``,
  ``TopologicalAnalyzer.analyze`` (bare gates, loops allowed), ``GateOptimizer.optimize``,
  ``DegradationModel.predict_concentration``, ``NoiseModel.sensitivity_analysis``,
  ``ConcentrationOptimizer.optimize`` (truth-table strings ``"A=200,B=0;C=high"``),
  ``SCPrecisionAnalyzer.analyze``, ``estimate_cost`` (unrounded costs), ``PlateLayout.layout``,
  ``DualRailEncoder.encode`` / ``.check_faults``, ``SCNetworkBridge.from_adjacency``,
  ``leak_rate`` and ``BitstreamToDNA.concentration_of``.

Outputs computed through ``exp``/``log``/``log10``/``log2`` (melting temperature, rates away
from 37 °C, leak rates, partition functions, noise, hairpin loops beyond 9 nt, precision)
carry ``rtol 1e-12``; the rest matches bit for bit.
"""

from __future__ import annotations

from ..golden_format import GoldenFile
from ._builder import SafetyBuilder
from ._dna_build import add_cases
from ._dna_run import OPS, run_case

__all__ = ["OPS", "run_case", "build"]

RTOL = 1e-12
RTOL_OUTPUTS = ("tm", "leak_rates", "temperature_factor", "rates", "traces", "probabilities",
                "delta_g", "remaining_nM", "mean", "std", "cv", "min", "max", "best_score",
                "initial_score", "improvement_pct", "best_scale", "final_nM", "noise_std_nM",
                "snr_linear", "snr_db", "effective_bits", "dynamic_range_db", "resolution_nM",
                "total_effective_bits", "leak_rate")


def build() -> GoldenFile:
    """The cases of ``parity/golden/dna_mapper.txt``."""
    b = SafetyBuilder("dna_mapper", "sc_neurocore.bridges.dna_mapper", run_case,
                      rtol={name: RTOL for name in RTOL_OUTPUTS})
    add_cases(b)
    return b.golden()
