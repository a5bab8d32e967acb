//! `sc_neurocore._engine`: the Rust engine of `sc_neurocore.accel`.
//!
//! Pure-Rust kernels (usable and tested without Python):
//!
//! * [`lfsr`] — the 16-bit LFSR comparator encoder of docs/design.md#encoder,
//!   which every stream generator shares;
//! * [`generators`] — the stream generators of docs/design.md#stream-generators
//!   (`"lfsr"`, `"sobol"`, `"lfsr_pair"`): their tables and per-input windows;
//! * [`pack`] — packing 0/1 bytes into `u64` words and back;
//! * [`popcount`] — popcount / AND+popcount kernels (total, per word, GEMM);
//! * [`ops`] — element-wise packed operations and popcount totals;
//! * [`forward`] — `sc_forward`, single input and batch;
//! * [`prepared`] — the counts of a prepared layer's forward pass;
//! * [`simd`] — tier names, detection and forcing; [`threads`] — the private pool;
//!   [`pool_stats`] — counters of whether its helpers join the calls;
//! * `arch` — each tier's code: CPU-feature tokens, vector primitives and the
//!   one dispatch point of every kernel family;
//! * [`validate`] — every argument check, worded as Python's checks;
//! * [`error`] — [`EngineError`], naming the bad argument and expected form.
//!
//! With the `python` feature, `python` defines the PyO3 module `_engine`, and
//! `lgssm` binds the linear-Gaussian state-space mirror of `rust/mirror` (the
//! `backend="rust"` path of `sc_neurocore.world_model.predictive_model`).

#![warn(clippy::undocumented_unsafe_blocks)]

mod arch;
pub mod error;
pub mod forward;
pub mod generators;
pub mod lfsr;
pub mod ops;
pub mod pack;
pub mod pool_stats;
pub mod popcount;
pub mod prepared;
mod scratch;
pub mod simd;
pub mod threads;
pub mod validate;

#[cfg(feature = "python")]
mod python;

#[cfg(feature = "python")]
mod lgssm;

#[cfg(test)]
mod testutil;

pub use error::{EngineError, Result};
pub use forward::{ForwardDims, sc_forward, sc_forward_stream_with, sc_forward_with};
pub use generators::{Generator, Role};
pub use lfsr::{encode_packed, encode_stream_with};
pub use ops::{Op, popcount as popcount_total};
pub use pack::{pack_bits, unpack_bits};
pub use prepared::{PreparedDims, PreparedOperands, prepared_counts, prepared_counts_with};
pub use simd::Tier;
