"""sc_neurocore.bridges: mappings from stochastic-computing logic to other substrates.

* [`sc_neurocore.bridges.dna_mapper`][sc_neurocore.bridges.dna_mapper] compiles SC logic
  networks to DNA strand-displacement and enzymatic circuits (the reference project's
  31-name API: sequence design, nearest-neighbour thermodynamics, kinetics with a
  stability guard, GF(4) coding, structure checks, laboratory exports). Its Rust mirror is
  ``rust/mirror/src/safety/dna_mapper/``; both are checked against
  ``parity/golden/dna_mapper.txt`` (docs/safety/dna_mapper.md).

The submodules are imported on demand; importing this package loads nothing beyond NumPy.
"""

__all__ = ["dna_mapper"]
