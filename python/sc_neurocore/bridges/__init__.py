"""sc_neurocore.bridges: mappings from stochastic-computing logic to other substrates.

* [`sc_neurocore.bridges.dna_mapper`][sc_neurocore.bridges.dna_mapper] compiles SC logic
  networks to DNA strand-displacement and enzymatic circuits (the reference project's
  31-name API: sequence design, nearest-neighbour thermodynamics, kinetics with a
  stability guard, GF(4) coding, structure checks, laboratory exports). Its Rust mirror is
  ``rust/mirror/src/safety/dna_mapper/``; both are checked against
  ``parity/golden/dna_mapper.txt`` (docs/safety/dna_mapper.md).

As in the reference project, the package re-exports those 31 names (``from
sc_neurocore.bridges import BitstreamToDNA``). The submodules are imported on
demand, on the first use of such a name; importing this package loads nothing
beyond NumPy.
"""

from sc_neurocore._public import lazy_reexport

_DNA_NAMES = (
    "BitstreamToDNA", "CompilationMethod", "ConcentrationOptimizer", "CrossHybridizationChecker",
    "DNACircuitDesign", "DNAGate", "DNAStrand", "DegradationModel", "DualRailEncoder",
    "EnzymaticGateCompiler", "GF4ErrorCorrection", "GateOptimizer", "GateType", "HairpinChecker",
    "KineticSimulator", "NUPACKInterface", "NoiseModel", "PlateLayout", "SCNetworkBridge",
    "SCPrecisionAnalyzer", "SequenceDesigner", "StrandDisplacementCompiler", "TopologicalAnalyzer",
    "estimate_cost", "export_fasta", "export_genbank", "export_json", "export_nupack_input",
    "generate_protocol", "visualize_circuit", "visualize_kinetics",
)

__all__ = ["dna_mapper", *_DNA_NAMES]

__getattr__, __dir__ = lazy_reexport(__name__, "dna_mapper", _DNA_NAMES)
