//! The symbolic health (weighted mean of the five metrics) and the glyph
//! vector (Python: `_l7/glyph.py`).

use crate::array::NdArray;
use crate::checks::{Bounds, Form, check_real, real_array};
use crate::error::{MirrorError, Result};

/// Components of the glyph vector: Phi, Fibonacci, Metatron, Platonic, E8, health.
pub const GLYPH_DIMENSIONS: usize = 6;
/// Added to the largest glyph component before dividing by it.
pub const GLYPH_GUARD: f64 = 1e-8;
/// The health weights' names, in metric order.
pub const WEIGHT_NAMES: [&str; 5] = [
    "phi_alignment_weight",
    "fibonacci_weight",
    "metatron_weight",
    "platonic_weight",
    "e8_weight",
];
const METRIC_NAMES: [&str; 5] = [
    "phi_alignment",
    "fibonacci_alignment",
    "metatron_flow",
    "platonic_coherence",
    "e8_alignment",
];

/// The five health weights, in metric order (Phi, Fibonacci, Metatron, Platonic, E8).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HealthWeights(pub [f64; 5]);

impl Default for HealthWeights {
    /// The reference's defaults `0.25, 0.2, 0.2, 0.15, 0.2` (sum exactly 1).
    fn default() -> Self {
        HealthWeights([0.25, 0.2, 0.2, 0.15, 0.2])
    }
}

impl HealthWeights {
    /// Each weight finite and `>= 0` with a finite left-to-right sum `> 0`; an
    /// overflow names the weight that causes it, a zero sum the first weight.
    pub fn check(&self) -> Result<()> {
        let mut total = 0.0;
        for (k, (&w, name)) in self.0.iter().zip(WEIGHT_NAMES).enumerate() {
            let w = check_real(name, w, Bounds::at_least(0.0))?;
            total = if k == 0 { w } else { total + w };
            if !total.is_finite() {
                return Err(MirrorError::value(
                    name,
                    format!("{name} makes the sum of the weights overflow"),
                ));
            }
        }
        if total <= 0.0 {
            return Err(MirrorError::value(
                WEIGHT_NAMES[0],
                "weights must sum to a value > 0",
            ));
        }
        Ok(())
    }
}

/// The weighted mean of checked metrics: `min(1, seqsum(w m) / seqsum(w))`.
pub(crate) fn health_of(metrics: &[f64; 5], w: &HealthWeights) -> f64 {
    let mut t = w.0[0] * metrics[0];
    let mut total = w.0[0];
    for (wk, mk) in w.0.iter().zip(metrics).skip(1) {
        t += wk * mk;
        total += wk;
    }
    (t / total).min(1.0)
}

/// The symbolic health of the metrics (Phi, Fibonacci, Metatron, Platonic,
/// E8; each finite in `[0, 1]`) with `weights`.
pub fn symbolic_health(metrics: [f64; 5], weights: &HealthWeights) -> Result<f64> {
    for (&m, name) in metrics.iter().zip(METRIC_NAMES) {
        check_real(name, m, Bounds::within(0.0, 1.0))?;
    }
    weights.check()?;
    Ok(health_of(&metrics, weights))
}

/// `g / (max(g) + 1e-8)` of a 1-D, non-empty, finite, non-negative glyph vector.
pub fn normalize_glyph(glyph_vector: &NdArray<f64>) -> Result<Vec<f64>> {
    let g = real_array("glyph_vector", glyph_vector, Form::Ndim(1))?;
    if g.is_empty() {
        return Err(MirrorError::value(
            "glyph_vector",
            "glyph_vector must hold at least one value, got 0",
        ));
    }
    if let Some(k) = g.iter().position(|&v| v < 0.0) {
        return Err(MirrorError::value(
            "glyph_vector",
            format!("glyph_vector must be >= 0, got {:?} at index ({k},)", g[k]),
        ));
    }
    let den = g.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v)) + GLYPH_GUARD;
    Ok(g.iter().map(|v| v / den).collect())
}
