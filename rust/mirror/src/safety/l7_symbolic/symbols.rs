//! The symbol ring: external drive, diffusion and decay, bitstreams (Python:
//! `_l7/symbols.py`).

use super::arith::clip01;
use super::checks::{check_dt, check_rate, unit_values};
use crate::array::NdArray;
use crate::checks::check_finite;
use crate::error::{MirrorError, Result};
use crate::splitmix::SplitMix64;

/// External symbol input is scaled by this before it is added.
pub const SYMBOL_DRIVE_GAIN: f64 = 0.2;

/// The first `n` values of `symbol_input` (flattened, C order), checked finite.
pub(crate) fn check_symbol_input(symbol_input: &NdArray<f64>, n: usize) -> Result<Vec<f64>> {
    let values = symbol_input.data();
    if values.len() < n {
        return Err(MirrorError::value(
            "symbol_input",
            format!(
                "symbol_input must contain at least n_symbols = {n} values, got {}",
                values.len()
            ),
        ));
    }
    let used = NdArray::from_vec(values[..n].to_vec());
    check_finite("symbol_input", &used)?;
    Ok(used.into_parts().1)
}

/// `clip01(a + 0.2 x)` of checked values.
pub(crate) fn add_drive(a: &[f64], x: &[f64]) -> Vec<f64> {
    a.iter()
        .zip(x)
        .map(|(v, s)| clip01(v + SYMBOL_DRIVE_GAIN * s))
        .collect()
}

/// `clip01(a + 0.2 x)`, `x` the first `n` values of `symbol_input`.
pub fn drive_symbols(
    symbol_activations: &NdArray<f64>,
    symbol_input: &NdArray<f64>,
) -> Result<Vec<f64>> {
    let a = unit_values("symbol_activations", symbol_activations, 1)?;
    let x = check_symbol_input(symbol_input, a.len())?;
    Ok(add_drive(a, &x))
}

/// Checked ring diffusion, decay and clip.
pub(crate) fn diffuse(a: &[f64], dt: f64, decay: f64, coupling: f64) -> Vec<f64> {
    let n = a.len();
    let f = 1.0 - decay * dt;
    (0..n)
        .map(|i| {
            let m = a[(i + n - 1) % n] + a[(i + 1) % n];
            let b = a[i] + (coupling * (m / 2.0 - a[i])) * dt;
            clip01(b * f)
        })
        .collect()
}

/// `clip01((a[i] + (c ((a[i-1] + a[i+1]) / 2 - a[i])) dt) (1 - decay dt))`,
/// with `decay dt <= 1` and `c dt <= 1`.
pub fn diffuse_symbols(
    symbol_activations: &NdArray<f64>,
    dt: f64,
    symbol_decay: f64,
    symbol_coupling: f64,
) -> Result<Vec<f64>> {
    let a = unit_values("symbol_activations", symbol_activations, 1)?;
    let decay = check_rate("symbol_decay", symbol_decay)?;
    let coupling = check_rate("symbol_coupling", symbol_coupling)?;
    let dt = check_dt(dt, Some(decay), Some(coupling))?;
    Ok(diffuse(a, dt, decay, coupling))
}

/// `(n, length)` bits, row-major: bit `(i, t)` is `uniform < p[i]` for the
/// `(i * length + t)`-th of the next `n * length` uniforms of `rng`.
pub(crate) fn bernoulli_bitstreams(p: &[f64], length: usize, rng: &mut SplitMix64) -> Vec<u8> {
    let mut bits = Vec::with_capacity(p.len() * length);
    for &pi in p {
        for _ in 0..length {
            bits.push(u8::from(rng.uniform() < pi));
        }
    }
    bits
}
