//! `sc_neurocore_mirror`: a safe, deliberately plain Rust implementation of
//! every kernel of `parity/FORMAT.md`, with the full validation contract.
//!
//! It exists for two reasons:
//!
//! * it is the **reference the unsafe engine is checked against**: the engine
//!   (`rust/engine`) uses SIMD intrinsics, lookup tables and its own thread
//!   pool; this crate forbids `unsafe`, uses no tables and no threads, and
//!   follows DESIGN §3–§5 line by line, so its answers can be trusted by
//!   reading it (tests/engine_crosscheck.rs compares the two);
//! * it is a **golden-vector consumer**: [`golden`] reads
//!   `parity/golden/*.txt` with the standard library alone and [`dispatch`]
//!   runs each case through the kernels and compares the outputs
//!   (tests/golden_vectors.rs).
//!
//! Kernels ([`kernels`], [`encode`], [`lif`]) never panic on bad input: every
//! invalid class of FORMAT.md is an [`MirrorError`] whose `arg` names the
//! offending argument (with FORMAT.md's argument names).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod array;
pub mod dispatch;
pub mod encode;
pub mod error;
pub mod golden;
pub mod kernels;
pub mod lif;

pub use array::NdArray;
pub use encode::{encode, sc_forward};
pub use error::{ErrorKind, MirrorError, Result};
pub use kernels::{pack, popcount_per_word, unpack, vec_and, vec_mux, vec_not, vec_xnor};
pub use lif::{LifParams, lif_step};
