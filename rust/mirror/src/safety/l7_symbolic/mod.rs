//! Mirror of `sc_neurocore.scpn.layers.l7_symbolic`, the geometric-symbolic
//! layer (SCPN L7): sacred-geometry metrics of a ring of symbol activations
//! (Phi, Fibonacci, Metatron, Platonic), the E8 alignment of an 8-D state,
//! meridian Qi driven by L6, acupoints, the glyph vector and Bernoulli
//! bitstreams. One concept per module, as in the Python package `_l7`:
//!
//! | module | Python | contents |
//! |---|---|---|
//! | [`e8`] | `_l7/e8.py` | roots, root alignments, E8 alignment |
//! | [`geometry`] | `_l7/geometry.py` | Phi, Fibonacci, Metatron, Platonic |
//! | [`glyph`] | `_l7/glyph.py` | health weights, symbolic health, glyph normalisation |
//! | [`meridians`] | `_l7/meridians.py` | L6 effect, Qi flow, acupoints, acupoint map |
//! | [`symbols`] | `_l7/symbols.py` | symbol drive, ring diffusion, bitstreams |
//! | [`params`] | `_l7/params.py` | parameters and size limits |
//! | [`layer`] | `_l7/layer.py` | the layer and its step |
//!
//! Every rule is the Python module docstring's, operation for operation, so
//! the answers to `parity/golden/l7_symbolic.txt` match bit for bit, except
//! the outputs that go through `exp` (Phi alignment) or the Box–Muller
//! normals of the E8 walk (`ln`, `cos`), compared within the file's
//! `rtol 1e-12`.
//!
//! Randomness (docs/safety-mirrors.md, "Consumption order per surface"): one
//! `SplitMix64(seed)` per layer; construction draws `n_symbols` uniforms (×
//! 0.3) then 8 (× 0.5); each step draws 1 uniform (Metatron), 8 normals (two
//! words each) and `n_symbols * bitstream_length` uniforms (bits), in order.

mod arith;
mod checks;
pub mod e8;
pub mod geometry;
pub mod glyph;
pub mod layer;
pub mod meridians;
pub mod params;
pub mod symbols;

#[cfg(test)]
mod tests;

pub use e8::{E8_DIM, N_E8_ROOTS, e8_alignment, e8_root_alignments, e8_roots};
pub use geometry::{
    FIBONACCI, PHI, PLATONIC_VERTICES, fibonacci_alignment, metatron_flow, phi_alignment,
    platonic_coherence,
};
pub use glyph::{GLYPH_DIMENSIONS, HealthWeights, normalize_glyph, symbolic_health};
pub use layer::{L7SymbolicLayer, StepOutput};
pub use meridians::{
    ACUPOINT_INDICES, L6Input, acupoint_map, l6_symbolic_effect, update_acupoints,
    update_meridian_qi,
};
pub use params::{L7Params, MAX_SIZE, MAX_STEP_BITS};
pub use symbols::{diffuse_symbols, drive_symbols};
