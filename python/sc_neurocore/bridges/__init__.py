"""sc_neurocore.bridges: mappings from stochastic-computing logic to other substrates.

* [`sc_neurocore.bridges.dna_mapper`][sc_neurocore.bridges.dna_mapper] compiles SC logic
  networks to DNA strand-displacement circuits (sequence design, nearest-neighbour
  thermodynamics, an effective kinetic simulator). Its Rust mirror is
  ``rust/mirror/src/safety/dna_mapper.rs``; both are checked against
  ``parity/golden/dna_mapper.txt`` (docs/safety-mirrors.md).

The submodules are imported on demand; importing this package loads nothing
beyond NumPy.
"""

__all__ = ["dna_mapper"]
