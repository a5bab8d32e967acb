//! Safety and contract mirrors of the higher-level Python surfaces
//! (docs/safety-mirrors.md). Each module re-implements one Python module in
//! safe, std-only Rust, refuses every invalid input with a
//! [`MirrorError`](crate::MirrorError) naming the argument (never a panic), and
//! is checked in its `#[cfg(test)]` module against `parity/golden/<name>.txt`
//! with [`golden_check`](crate::golden_check) — the same file pytest checks the
//! Python surface against.
//!
//! | module | Python surface | golden file |
//! |---|---|---|
//! | `analysis` | `sc_neurocore.studio.analysis` | `parity/golden/analysis.txt` |
//! | `dna_mapper` | `sc_neurocore.bridges.dna_mapper` | `parity/golden/dna_mapper.txt` |
//! | `l7_symbolic` | `sc_neurocore.scpn.layers.l7_symbolic` | `parity/golden/l7_symbolic.txt` |
//! | `predictive_model` | `sc_neurocore.world_model.predictive_model` | `parity/golden/predictive_model.txt` |
//!
//! Each surface replaces its own commented line below with `pub mod <name>;`
//! (the lines are kept apart so that the four edits merge cleanly).

// studio.analysis:
pub mod analysis;

// bridges.dna_mapper:
pub mod dna_mapper;

// scpn.layers.l7_symbolic:
pub mod l7_symbolic;

// world_model.predictive_model:
pub mod predictive_model;
