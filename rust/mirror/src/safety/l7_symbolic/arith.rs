//! Exactly specified arithmetic: the left-to-right sums, means, deviations
//! and clips every L7 rule is written with (Python: `_l7/arith.py`).

/// Left-to-right sum starting from the first term (`0.0` for no term).
pub(crate) fn seqsum(mut terms: impl Iterator<Item = f64>) -> f64 {
    match terms.next() {
        None => 0.0,
        Some(first) => terms.fold(first, |acc, x| acc + x),
    }
}

/// `seqsum(x) / len(x)` of a non-empty slice.
pub(crate) fn mean(x: &[f64]) -> f64 {
    seqsum(x.iter().copied()) / x.len() as f64
}

/// Population standard deviation `sqrt(seqsum((x - mean(x))^2) / len(x))`.
pub(crate) fn pop_std(x: &[f64]) -> f64 {
    let mu = mean(x);
    (seqsum(x.iter().map(|v| (v - mu) * (v - mu))) / x.len() as f64).sqrt()
}

/// `0.0 if x <= 0.0 else (1.0 if x >= 1.0 else x)` (maps `-0.0` to `0.0`).
#[allow(clippy::manual_clamp)] // `clamp` keeps `-0.0`, which the contract maps to `0.0`
pub(crate) fn clip01(x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if x >= 1.0 {
        1.0
    } else {
        x
    }
}

/// `-1.0 if x < -1.0 else (1.0 if x > 1.0 else x)` (keeps `-0.0`).
#[allow(clippy::manual_clamp)] // spelled out to mirror the Python rule exactly
pub(crate) fn clip_unit_ball(x: f64) -> f64 {
    if x < -1.0 {
        -1.0
    } else if x > 1.0 {
        1.0
    } else {
        x
    }
}

/// The values sorted from the largest to the smallest (no NaN: checked inputs).
pub(crate) fn descending(x: &[f64]) -> Vec<f64> {
    let mut s = x.to_vec();
    s.sort_by(|a, b| b.partial_cmp(a).unwrap_or(std::cmp::Ordering::Equal));
    s
}
