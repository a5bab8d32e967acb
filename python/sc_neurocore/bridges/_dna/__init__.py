"""Private implementation of :mod:`sc_neurocore.bridges.dna_mapper`, one concept per module.

Import the public names from :mod:`sc_neurocore.bridges.dna_mapper`; these modules
and their layout may change.

* ``constants``: lengths, design targets, thermodynamic tables and limits;
* ``_checks``: argument checks shared by every module;
* ``sequences``: sequence functions (reverse complement, runs, similarity);
* ``thermodynamics``: nearest-neighbour ΔH, ΔS, ΔG and melting temperature;
* ``types``: ``GateType``, ``CompilationMethod``, ``DNAStrand``, ``DNAGate``,
  ``DNACircuitDesign``;
* ``design``: ``SequenceDesigner``;
* ``folding``: the built-in secondary-structure model (MFE, pair probabilities);
* ``nupack``: ``NUPACKInterface``;
* ``compilers``: ``StrandDisplacementCompiler``, ``EnzymaticGateCompiler``;
* ``specs``: gate specifications (the dicts ``compile_network`` takes);
* ``network``: ``BitstreamToDNA``, ``SCNetworkBridge``;
* ``kinetics``: gate functions and ``KineticSimulator``;
* ``noise``, ``optimization``, ``precision``, ``degradation``: the analyses built on it;
* ``coding``: ``GF4ErrorCorrection``; ``dual_rail``: ``DualRailEncoder``;
* ``structure_checks``: ``CrossHybridizationChecker``, ``HairpinChecker``;
* ``topology``: ``TopologicalAnalyzer``; ``gate_optimizer``: ``GateOptimizer``;
* ``export``: FASTA, GenBank, JSON and NUPACK files; ``lab``: cost, protocol,
  plate layout; ``visualize``: text diagrams and matplotlib figures.
"""
