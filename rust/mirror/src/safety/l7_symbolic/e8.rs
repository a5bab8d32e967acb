//! The E8 root system and the alignment of the E8 state with it (Python:
//! `_l7/e8.py`).

use super::arith::seqsum;
use super::geometry::NEUTRAL;
use crate::array::NdArray;
use crate::checks::{Form, real_array};
use crate::error::Result;

/// Dimension of the E8 state (the rank of E8).
pub const E8_DIM: usize = 8;
/// Number of roots of E8.
pub const N_E8_ROOTS: usize = 240;

/// The 240 roots of E8: the 112 roots `±e_i ± e_j` (`i < j` lexicographic,
/// signs `(-,-), (-,+), (+,-), (+,+)`), then the 128 roots `0.5 (±1)^8` with
/// an even number of minus signs (masks `0..255` of even popcount in
/// increasing order; bit `k` set: component `k` is `-0.5`).
pub fn e8_roots() -> Vec<[f64; E8_DIM]> {
    let mut roots = Vec::with_capacity(N_E8_ROOTS);
    for i in 0..E8_DIM {
        for j in i + 1..E8_DIM {
            for si in [-1.0, 1.0] {
                for sj in [-1.0, 1.0] {
                    let mut r = [0.0; E8_DIM];
                    r[i] = si;
                    r[j] = sj;
                    roots.push(r);
                }
            }
        }
    }
    for mask in 0u32..256 {
        if mask.count_ones() % 2 == 0 {
            let mut r = [0.5; E8_DIM];
            for (k, c) in r.iter_mut().enumerate() {
                if (mask >> k) & 1 == 1 {
                    *c = -0.5;
                }
            }
            roots.push(r);
        }
    }
    roots
}

/// Alignments of a checked 8-vector with every root (all `0` for the zero vector).
pub(crate) fn root_alignments(e: &[f64]) -> Vec<f64> {
    let mx = e.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
    if mx == 0.0 {
        return vec![0.0; N_E8_ROOTS];
    }
    let u: Vec<f64> = e.iter().map(|v| v / mx).collect();
    let den = (2.0 * seqsum(u.iter().map(|v| v * v))).sqrt();
    e8_roots()
        .iter()
        .map(|r| {
            let d = seqsum(r.iter().zip(&u).map(|(rk, uk)| rk * uk));
            (d.abs() / den).min(1.0)
        })
        .collect()
}

/// The alignment of a checked state: the largest root alignment, `0.5` for zero.
pub(crate) fn alignment_of(e: &[f64]) -> f64 {
    if e.iter().all(|&v| v == 0.0) {
        return NEUTRAL;
    }
    root_alignments(e).into_iter().fold(0.0, f64::max)
}

/// `|r . e| / (|r| |e|)` for each root, in [`e8_roots`] order: `mx = max|e|`,
/// `u = e / mx`, `den = sqrt(2 seqsum(u^2))`, `min(1, |seqsum(r u)| / den)`;
/// `e8_state` of shape `(8,)`, finite.
pub fn e8_root_alignments(e8_state: &NdArray<f64>) -> Result<Vec<f64>> {
    Ok(root_alignments(real_array(
        "e8_state",
        e8_state,
        Form::Shape(&[E8_DIM]),
    )?))
}

/// The E8 alignment (largest root alignment), `0.5` for the zero state.
pub fn e8_alignment(e8_state: &NdArray<f64>) -> Result<f64> {
    Ok(alignment_of(real_array(
        "e8_state",
        e8_state,
        Form::Shape(&[E8_DIM]),
    )?))
}
