//! Mirror of `sc_neurocore.bridges.dna_mapper` (the Python package
//! `sc_neurocore/bridges/_dna/`), one concept per file as on the Python side,
//! checked against `parity/golden/dna_mapper.txt` (the file pytest checks the
//! Python surface against).
//!
//! Every number is computed with the same IEEE-754 operations in the same
//! order as the Python modules, so results match bit for bit; outputs that go
//! through `exp`, `ln`, `log10`, `log2` (the platform's math library: melting
//! temperature, Arrhenius factors away from 37 °C, leak rates, partition
//! functions, normals, precision figures) are compared within `rtol = 1e-12`.
//!
//! * [`constants`]: tables and limits; [`sequences`]: sequence checks and
//!   functions; [`thermo`]: nearest-neighbour ΔH, ΔS, ΔG, Tm (both salt
//!   corrections) and hairpin loops; [`types`]: gate types, strands, gates,
//!   designs and `validate()`.
//! * [`design`]: `SequenceDesigner` on the shared
//!   [`SplitMix64`](crate::splitmix::SplitMix64), with its exact draw order;
//!   [`compilers`]: the strand-displacement and enzymatic layouts and the leak
//!   estimate; [`specs`]: gate specifications and wiring; [`network`]:
//!   `BitstreamToDNA`, `SCNetworkBridge`, `DualRailEncoder`.
//! * [`kinetics`]: the effective kinetic model with its stability guard;
//!   [`analyses`]: degradation, noise, concentration optimisation, precision.
//! * [`coding`]: the GF(4) single-error-correcting code; [`folding`]: the
//!   built-in MFE and pair-probability model; [`structure`]:
//!   cross-hybridisation and hairpins; [`topology`]: the signal graph;
//!   [`optimizer`]: `GateOptimizer`; [`lab`]: cost and plate layout.

pub mod analyses;
pub mod coding;
pub mod compilers;
pub mod constants;
pub mod design;
pub mod folding;
pub mod kinetics;
pub mod lab;
pub mod network;
pub mod optimizer;
pub mod sequences;
pub mod specs;
pub mod structure;
pub mod thermo;
pub mod topology;
pub mod types;

#[cfg(test)]
mod golden_cases;
#[cfg(test)]
mod unit_tests;

use crate::error::{MirrorError, Result};

/// A value error on `arg`.
pub(crate) fn err<T>(arg: &str, message: impl Into<String>) -> Result<T> {
    Err(MirrorError::value(arg, message))
}
