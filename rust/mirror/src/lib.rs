//! `sc_neurocore_mirror`: safe, deliberately plain Rust mirrors of
//! sc_neurocore, checked against the shared golden vectors of `parity/golden/`.
//!
//! * [`kernels`]: every kernel of `parity/FORMAT.md` with the full validation
//!   contract. It is the **reference the unsafe engine is checked against**:
//!   the engine (`rust/engine`) uses SIMD intrinsics, lookup tables and its
//!   own thread pool; this crate forbids `unsafe`, uses no tables and no
//!   threads, and follows docs/design.md line by line, so its answers can be
//!   trusted by reading it (tests/engine_crosscheck.rs compares the two).
//! * [`safety`]: mirrors of the higher-level Python surfaces
//!   (docs/safety-mirrors.md).
//! * [`splitmix`]: the SplitMix64 generator shared with
//!   `sc_neurocore.splitmix`.
//! * [`golden`] reads `parity/golden/*.txt` with the standard library alone,
//!   [`fields`] gives typed access to a case's arrays, [`compare`] checks
//!   outputs as FORMAT.md prescribes, and [`checks`] holds the argument
//!   checks every mirror shares.
//!
//! `cargo test --lib --no-default-features` runs every golden case of every
//! file (kernels, splitmix and the safety mirrors). Nothing panics on bad
//! input: every invalid class is a [`MirrorError`] whose `arg` names the
//! offending argument.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod array;
pub mod checks;
pub mod compare;
pub mod error;
pub mod fields;
pub mod golden;
pub mod kernels;
pub mod safety;
pub mod splitmix;

#[cfg(test)]
pub(crate) mod golden_check;

// The kernel modules keep their crate-root paths (`sc_neurocore_mirror::encode`, …).
pub use array::NdArray;
pub use error::{ErrorKind, MirrorError, Result};
pub use kernels::encode::{encode, sc_forward};
pub use kernels::lif::{LifParams, lif_step};
pub use kernels::{dispatch, encode, lif};
pub use kernels::{pack, popcount_per_word, unpack, vec_and, vec_mux, vec_not, vec_xnor};
pub use splitmix::SplitMix64;
