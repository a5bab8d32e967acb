//! Arithmetic shared with the Python surface, specified down to the operation
//! order (`sc_neurocore.studio._analysis.exact`).

use crate::checks::{Bounds, check_real};
use crate::error::{MirrorError, Result};

/// A ratio this close below an integer counts as that integer (whole steps, whole cycles).
pub const STEP_TOLERANCE: f64 = 1e-9;

/// `n` evenly spaced values from `lo` to `hi`, both included: `[lo]` for
/// `n == 1`, else `x_k = lo + k * step` with `step = (hi - lo) / (n - 1)` and
/// the last value `hi` exactly (NumPy's `linspace`).
pub fn linspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if n == 1 {
        return vec![lo];
    }
    let step = (hi - lo) / (n - 1) as f64;
    let mut values: Vec<f64> = (0..n - 1).map(|k| lo + k as f64 * step).collect();
    values.push(hi);
    values
}

/// `10^y` for each `y` of `linspace(log10(lo), log10(hi), n)` (NumPy's
/// `logspace`; `log10` and `powf` from the math library).
pub fn logspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    linspace(lo.log10(), hi.log10(), n)
        .into_iter()
        .map(|y| 10f64.powf(y))
        .collect()
}

/// Python's `round(x, digits)` of a finite `x`: the double nearest to the
/// exact decimal value of `x` rounded half to even at `digits` decimals
/// (Rust's `{:.N}` formatting rounds the exact value half to even; parsing
/// back is correctly rounded).
pub fn round_decimals(x: f64, digits: usize) -> f64 {
    format!("{x:.digits$}").parse::<f64>().unwrap_or(x)
}

/// `((0.0 + x_0) + x_1) + ...` in the order given.
pub fn sequential_sum(values: impl IntoIterator<Item = f64>) -> f64 {
    values.into_iter().fold(0.0, |acc, x| acc + x)
}

/// `floor(duration / dt + STEP_TOLERANCE)`, for finite `duration >= 0` and
/// `dt > 0` whose ratio stays below `2^53` (checked by the callers).
pub fn whole_steps(duration: f64, dt: f64) -> i64 {
    (duration / dt + STEP_TOLERANCE).floor() as i64
}

/// Two finite reals whose difference `hi - lo` is finite (either order);
/// errors name `lo_name`, `hi_name`.
pub fn finite_span(lo: f64, hi: f64, lo_name: &str, hi_name: &str) -> Result<(f64, f64)> {
    let lo = check_real(lo_name, lo, Bounds::ANY)?;
    let hi = check_real(hi_name, hi, Bounds::ANY)?;
    if !(hi - lo).is_finite() {
        return Err(MirrorError::value(
            hi_name,
            format!("{hi_name} - {lo_name} must be finite, got {hi:?} - {lo:?}"),
        ));
    }
    Ok((lo, hi))
}

/// Python's float `x % m` for `m > 0`: the result has the sign of `m` and is
/// `+0.0` when the remainder is zero.
pub fn python_mod(x: f64, m: f64) -> f64 {
    let r = x % m;
    if r == 0.0 {
        0.0
    } else if r < 0.0 {
        r + m
    } else {
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_pythons() {
        for (x, d, want) in [
            (0.125, 2, 0.12),
            (0.375, 2, 0.38),
            (2.675, 2, 2.67),
            (2.5, 0, 2.0),
            (0.00015, 4, 0.0001),
            (1.00005, 4, 1.0001),
        ] {
            assert_eq!(round_decimals(x, d), want, "{x} {d}");
        }
        assert!(round_decimals(-0.001, 2).is_sign_negative());
        assert_eq!(round_decimals(1e300, 2), 1e300);
    }

    #[test]
    fn grids_steps_and_mod() {
        assert_eq!(linspace(0.1, 0.7, 7)[6], 0.7);
        assert_eq!(linspace(3.0, 3.0, 1), vec![3.0]);
        assert_eq!(whole_steps(0.3, 0.1), 3);
        assert_eq!(whole_steps(0.35, 0.1), 3);
        assert_eq!(python_mod(-190.0, 360.0), 170.0);
        assert_eq!(python_mod(-360.0, 360.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(finite_span(-1e308, 1e308, "a", "b").unwrap_err().arg, "b");
    }
}
