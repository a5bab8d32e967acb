//! The sacred-geometry metrics of the symbol activations (Python:
//! `_l7/geometry.py`): Phi alignment, Fibonacci alignment, Metatron flow,
//! Platonic coherence.

use super::arith::{descending, mean, pop_std, seqsum};
use super::checks::unit_values;
use crate::array::NdArray;
use crate::checks::{Bounds, check_real};
use crate::error::Result;

/// The golden ratio: the double nearest `(1 + sqrt 5) / 2`.
pub const PHI: f64 = 1.618033988749895;
/// The first twelve Fibonacci numbers.
pub const FIBONACCI: [u32; 12] = [1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144];
/// The Platonic solids and their vertex counts, in averaging order.
pub const PLATONIC_VERTICES: [(&str, usize); 5] = [
    ("tetrahedron", 4),
    ("cube", 8),
    ("octahedron", 6),
    ("dodecahedron", 20),
    ("icosahedron", 12),
];
/// The value of a metric the activations cannot define.
pub const NEUTRAL: f64 = 0.5;
/// Phi and Fibonacci alignments need an activation above this.
pub const ACTIVITY_FLOOR: f64 = 0.01;
/// Added to every denominator of the Phi ratios.
pub const RATIO_GUARD: f64 = 1e-8;
/// The spheres of Metatron's Cube: the first 13 symbols.
pub const METATRON_NODES: usize = 13;
/// A Metatron node is active above this.
pub const METATRON_THRESHOLD: f64 = 0.5;

const FIB_TERMS: usize = 8;
/// Mean of the first eight Fibonacci numbers, `54 / 8`.
const FIB_MEAN: f64 = 6.75;
/// `seqsum((profile - 6.75)^2)` of the eight-term profile (exact).
const FIB_SS: f64 = 349.5;

/// The first eight Fibonacci numbers in descending order, minus their mean.
fn fib_deviations() -> [f64; FIB_TERMS] {
    let mut dev = [0.0; FIB_TERMS];
    for (k, d) in dev.iter_mut().enumerate() {
        *d = f64::from(FIBONACCI[FIB_TERMS - 1 - k]) - FIB_MEAN;
    }
    dev
}

pub(crate) fn phi_of(a: &[f64]) -> f64 {
    let s = descending(a);
    if s[1] <= ACTIVITY_FLOOR {
        return NEUTRAL;
    }
    let d: Vec<f64> = s
        .windows(2)
        .map(|w| (w[0] / (w[1] + RATIO_GUARD) - PHI).abs())
        .collect();
    (-mean(&d)).exp()
}

/// `exp(-mean(|s[i] / (s[i+1] + 1e-8) - PHI|))` over the descending sort `s`
/// when `s[1] > 0.01`, else `0.5`; 1-D, at least 2 values in `[0, 1]`.
pub fn phi_alignment(activations: &NdArray<f64>) -> Result<f64> {
    Ok(phi_of(unit_values("activations", activations, 2)?))
}

pub(crate) fn fibonacci_of(a: &[f64]) -> f64 {
    if a.len() < FIB_TERMS {
        return NEUTRAL;
    }
    let t = &descending(a)[..FIB_TERMS];
    if t[0] <= ACTIVITY_FLOOR {
        return NEUTRAL;
    }
    let mt = mean(t);
    let dt: Vec<f64> = t.iter().map(|v| v - mt).collect();
    let sxx = seqsum(dt.iter().map(|v| v * v));
    if sxx == 0.0 {
        return NEUTRAL;
    }
    let sxy = seqsum(dt.iter().zip(fib_deviations()).map(|(x, y)| x * y));
    let r = (sxy / (sxx * FIB_SS).sqrt()).clamp(-1.0, 1.0);
    (r + 1.0) / 2.0
}

/// `(r + 1) / 2`, `r` the Pearson correlation of the 8 largest activations
/// (descending) with `(21, 13, 8, 5, 3, 2, 1, 1)`; `0.5` with fewer than 8
/// values, a largest value `<= 0.01` or eight equal values.
pub fn fibonacci_alignment(activations: &NdArray<f64>) -> Result<f64> {
    Ok(fibonacci_of(unit_values("activations", activations, 1)?))
}

pub(crate) fn metatron_of(a: &[f64], noise: f64) -> f64 {
    let k = METATRON_NODES.min(a.len());
    let active = a[..k].iter().filter(|&&v| v > METATRON_THRESHOLD).count();
    0.9 * (active as f64 / k as f64) + 0.1 * noise
}

/// `0.9 * (m / k) + 0.1 * noise`: `m` of the first `k = min(13, n)` symbols
/// above `0.5`; `noise` in `[0, 1]`.
pub fn metatron_flow(activations: &NdArray<f64>, noise: f64) -> Result<f64> {
    let a = unit_values("activations", activations, 1)?;
    let u = check_real("noise", noise, Bounds::within(0.0, 1.0))?;
    Ok(metatron_of(a, u))
}

pub(crate) fn platonic_of(a: &[f64]) -> f64 {
    let terms: Vec<f64> = PLATONIC_VERTICES
        .iter()
        .map(|&(_, v)| 1.0 - pop_std(&a[..v.min(a.len())]))
        .collect();
    mean(&terms)
}

/// `mean(1 - std(a[:min(v, n)]))` over the vertex counts `4, 8, 6, 20, 12`.
pub fn platonic_coherence(activations: &NdArray<f64>) -> Result<f64> {
    Ok(platonic_of(unit_values("activations", activations, 1)?))
}
