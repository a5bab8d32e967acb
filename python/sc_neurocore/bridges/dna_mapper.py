"""Compile stochastic-computing (SC) logic to DNA strand-displacement and enzymatic circuits.

An SC signal is a probability ``p`` carried by a bitstream; here it is carried by the
concentration of a DNA signal strand, ``c = 200 nM * p``. This module is the public face
of ``sc_neurocore.bridges._dna`` (one concept per module) and speaks the API of the
reference project's ``sc_neurocore.bridges.dna_mapper``: the same 31 public names, fields,
signatures and result shapes, with every argument checked, the science fixed where the
reference's code contradicted it (docs/safety/dna_mapper.md lists each case), and every
numerical function mirrored in Rust (``rust/mirror/src/safety/dna_mapper/``) and checked
against ``parity/golden/dna_mapper.txt``.

* Data: ``GateType``, ``CompilationMethod``, ``DNAStrand``, ``DNAGate``,
  ``DNACircuitDesign``.
* Design and compilation: ``SequenceDesigner``, ``StrandDisplacementCompiler``,
  ``EnzymaticGateCompiler``, ``BitstreamToDNA``, ``SCNetworkBridge``, ``DualRailEncoder``,
  ``GateOptimizer``.
* Thermodynamics and structure: ``NUPACKInterface``, ``CrossHybridizationChecker``,
  ``HairpinChecker``, ``TopologicalAnalyzer``.
* Kinetics and robustness: ``KineticSimulator``, ``NoiseModel``,
  ``ConcentrationOptimizer``, ``SCPrecisionAnalyzer``, ``DegradationModel``.
* Coding: ``GF4ErrorCorrection``.
* Laboratory output: ``export_fasta``, ``export_genbank``, ``export_json``,
  ``export_nupack_input``, ``estimate_cost``, ``generate_protocol``, ``PlateLayout``,
  ``visualize_circuit``, ``visualize_kinetics``.

Additions beyond the reference: ``reverse_complement`` and the constants ``NN_STACKS``,
``SALT_CORRECTIONS``, ``NA_RANGE_M``.
"""

from __future__ import annotations

from ._dna.coding import GF4ErrorCorrection
from ._dna.compilers import EnzymaticGateCompiler, StrandDisplacementCompiler
from ._dna.constants import NA_RANGE_M, NN_STACKS, SALT_CORRECTIONS
from ._dna.degradation import DegradationModel
from ._dna.design import SequenceDesigner
from ._dna.dual_rail import DualRailEncoder
from ._dna.export import export_fasta, export_genbank, export_json, export_nupack_input
from ._dna.gate_optimizer import GateOptimizer
from ._dna.kinetics import KineticSimulator
from ._dna.lab import PlateLayout, estimate_cost, generate_protocol
from ._dna.network import BitstreamToDNA, SCNetworkBridge
from ._dna.noise import NoiseModel
from ._dna.nupack import NUPACKInterface
from ._dna.optimization import ConcentrationOptimizer
from ._dna.precision import SCPrecisionAnalyzer
from ._dna.sequences import reverse_complement
from ._dna.structure_checks import CrossHybridizationChecker, HairpinChecker
from ._dna.topology import TopologicalAnalyzer
from ._dna.types import CompilationMethod, DNACircuitDesign, DNAGate, DNAStrand, GateType
from ._dna.visualize import visualize_circuit, visualize_kinetics

__all__ = [
    "BitstreamToDNA", "CompilationMethod", "ConcentrationOptimizer",
    "CrossHybridizationChecker", "DNACircuitDesign", "DNAGate", "DNAStrand",
    "DegradationModel", "DualRailEncoder", "EnzymaticGateCompiler", "GF4ErrorCorrection",
    "GateOptimizer", "GateType", "HairpinChecker", "KineticSimulator", "NUPACKInterface",
    "NoiseModel", "PlateLayout", "SCNetworkBridge", "SCPrecisionAnalyzer",
    "SequenceDesigner", "StrandDisplacementCompiler", "TopologicalAnalyzer",
    "estimate_cost", "export_fasta", "export_genbank", "export_json", "export_nupack_input",
    "generate_protocol", "visualize_circuit", "visualize_kinetics",
    "reverse_complement", "NN_STACKS", "SALT_CORRECTIONS", "NA_RANGE_M",
]

REFERENCE_NAMES: tuple[str, ...] = tuple(__all__[:31])
"""The 31 public names of the reference project's module."""

for _name in REFERENCE_NAMES:
    _obj = globals()[_name]
    if hasattr(_obj, "__module__"):
        _obj.__module__ = __name__
del _name, _obj
