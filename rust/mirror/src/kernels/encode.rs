//! The 16-bit LFSR comparator encoder and `sc_forward` (docs/design.md#encoder), written
//! bit by bit with no tables: one register per input, advanced once per
//! stream bit exactly as the design states it.

use crate::array::{NdArray, format_shape};
use crate::checks::check_int;
use crate::error::{MirrorError, Result, mul_size, zeroed};

/// The default seed of `sc_forward` (0xACE1).
pub const DEFAULT_SEED: i64 = 44257;

/// `x = clip(round_half_even(p * 65536), 0, 65536)`.
pub fn quantize(p: f64) -> u32 {
    (p * 65536.0).round_ties_even().clamp(0.0, 65536.0) as u32
}

/// The register seed of input `i`: `(seed + i) mod 65536`, and 1 where that is 0.
pub fn register_seed(seed: u32, i: usize) -> u32 {
    let r = ((u128::from(seed) + i as u128) % 65536) as u32;
    if r == 0 { 1 } else { r }
}

/// One LFSR step: `fb = ((r >> 15) ^ (r >> 13) ^ (r >> 12) ^ (r >> 10)) & 1`,
/// `r = ((r << 1) | fb) & 0xFFFF`.
pub fn lfsr_next(r: u32) -> u32 {
    let fb = ((r >> 15) ^ (r >> 13) ^ (r >> 12) ^ (r >> 10)) & 1;
    ((r << 1) | fb) & 0xFFFF
}

/// Number of words of a `length`-bit stream: `ceil(length / 64)`.
pub fn n_words(length: usize) -> usize {
    length.div_ceil(64)
}

/// `length` as a positive size, or a value error.
pub fn check_length(length: i64) -> Result<usize> {
    check_int("length", length, 1, None)
}

/// `seed` in `[0, 2**32)`, or a value error.
pub fn check_seed(seed: i64) -> Result<u32> {
    // check_int bounds the value below 2**32, so the conversion is exact.
    Ok(check_int("seed", seed, 0, Some(1 << 32))? as u32)
}

/// Refuses any probability that is NaN, infinite, `< 0` or `> 1` (by value:
/// `-0.0` is accepted).
pub fn check_probs(arg: &str, probs: &[f64]) -> Result<()> {
    for (k, &p) in probs.iter().enumerate() {
        let ok = (0.0..=1.0).contains(&p);
        if !ok {
            return Err(MirrorError::value(
                arg,
                format!("{arg} must be finite and in [0, 1]; element {k} is {p:?}"),
            ));
        }
    }
    Ok(())
}

/// Writes the `length`-bit stream of probability `p` from register `r` into
/// `dst` (`n_words(length)` words, overwritten).
fn encode_stream(p: f64, mut r: u32, length: usize, dst: &mut [u64]) {
    let x = quantize(p);
    for d in dst.iter_mut() {
        *d = 0;
    }
    for t in 0..length {
        if r < x {
            dst[t / 64] |= 1u64 << (t % 64);
        }
        r = lfsr_next(r);
    }
}

/// `(rows, n)` of probabilities `(n,)` or `(rows, n)`.
fn prob_rows(probs: &NdArray<f64>, form: &str) -> Result<(usize, usize)> {
    match *probs.shape() {
        [n] => Ok((1, n)),
        [rows, n] => Ok((rows, n)),
        _ => Err(MirrorError::value(
            "probs",
            format!(
                "probs must have shape {form}, got a {}-D array of shape {}",
                probs.ndim(),
                format_shape(probs.shape())
            ),
        )),
    }
}

/// Encodes validated `(rows, n)` probabilities into `(rows, n, W)` words;
/// input `i` uses register seed `(seed + i) mod 65536` in every row.
fn encode_rows(probs: &[f64], rows: usize, n: usize, length: usize, seed: u32) -> Result<Vec<u64>> {
    let nw = n_words(length);
    let total = mul_size(mul_size(rows, n, "probs")?, nw, "length")?;
    let mut out = zeroed::<u64>(total, "length")?;
    for b in 0..rows {
        for i in 0..n {
            let start = (b * n + i) * nw;
            let r0 = register_seed(seed, i);
            encode_stream(probs[b * n + i], r0, length, &mut out[start..start + nw]);
        }
    }
    Ok(out)
}

/// The `encode` kernel: probabilities `(n,)` or `(B, n)` to packed streams
/// `(n, W)` or `(B, n, W)` with `W = ceil(length / 64)`.
pub fn encode(probs: &NdArray<f64>, length: i64, seed: i64) -> Result<NdArray<u64>> {
    let (rows, n) = prob_rows(probs, "(n,) or (batch, n)")?;
    let length = check_length(length)?;
    let seed = check_seed(seed)?;
    check_probs("probs", probs.data())?;
    let words = encode_rows(probs.data(), rows, n, length, seed)?;
    let mut shape = probs.shape().to_vec();
    shape.push(n_words(length));
    NdArray::new("probs", shape, words)
}

/// `sc_forward`: `out[o] = (Σ_i Σ_w popcount(W[o, i, w] & X[i, w])) / length`,
/// weights `(n_out, n_in, W)`, probabilities `(n_in,)` or `(B, n_in)`,
/// result `(n_out,)` or `(B, n_out)`.
pub fn sc_forward(
    weights: &NdArray<u64>,
    probs: &NdArray<f64>,
    length: i64,
    seed: i64,
) -> Result<NdArray<f64>> {
    let length = check_length(length)?;
    let seed = check_seed(seed)?;
    let nw = n_words(length);
    let [n_out, n_in, w] = *weights.shape() else {
        return Err(MirrorError::value(
            "weights",
            format!(
                "weights must have shape (n_out, n_in, n_words), got a {}-D array of shape {}",
                weights.ndim(),
                format_shape(weights.shape())
            ),
        ));
    };
    if w != nw {
        return Err(MirrorError::value(
            "weights",
            format!("weights must have n_words = ceil(length / 64) = {nw}, got {w}"),
        ));
    }
    let (batch, row_len) = prob_rows(probs, "(n_in,) or (batch, n_in)")?;
    if row_len != n_in {
        return Err(MirrorError::value(
            "probs",
            format!(
                "probs must have n_in = {n_in} values per row to match weights {}, got shape {}",
                format_shape(weights.shape()),
                format_shape(probs.shape())
            ),
        ));
    }
    check_probs("probs", probs.data())?;
    let shape = if probs.ndim() == 2 {
        vec![batch, n_out]
    } else {
        vec![n_out]
    };
    let mut out = zeroed::<f64>(mul_size(batch, n_out, "probs")?, "probs")?;
    if out.is_empty() {
        // Nothing to compute (and no stream worth encoding).
        return NdArray::new("probs", shape, out);
    }
    let x = encode_rows(probs.data(), batch, n_in, length, seed)?;
    for b in 0..batch {
        for o in 0..n_out {
            let mut count: u64 = 0;
            for i in 0..n_in {
                for k in 0..nw {
                    let wv = weights.data()[(o * n_in + i) * nw + k];
                    let xv = x[(b * n_in + i) * nw + k];
                    count += u64::from((wv & xv).count_ones());
                }
            }
            out[b * n_out + o] = count as f64 / length as f64;
        }
    }
    NdArray::new("probs", shape, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lfsr_is_maximal_length() {
        let mut seen = vec![false; 65536];
        let mut r = 1u32;
        for _ in 0..65535 {
            assert!(r != 0 && !seen[r as usize]);
            seen[r as usize] = true;
            r = lfsr_next(r);
        }
        assert_eq!(r, 1);
    }

    #[test]
    fn quantize_rounds_half_even_and_clips() {
        assert_eq!(quantize(0.0), 0);
        assert_eq!(quantize(-0.0), 0);
        assert_eq!(quantize(1.0), 65536);
        assert_eq!(quantize(0.5 / 65536.0), 0);
        assert_eq!(quantize(1.5 / 65536.0), 2);
        assert_eq!(quantize(2.5 / 65536.0), 2);
        assert_eq!(quantize(5e-324), 0);
    }

    #[test]
    fn register_seeds_wrap_and_skip_zero() {
        assert_eq!(register_seed(0, 0), 1);
        assert_eq!(register_seed(65535, 1), 1);
        assert_eq!(register_seed(65535, 2), 1);
        assert_eq!(register_seed(u32::MAX, 0), 65535);
        assert_eq!(register_seed(u32::MAX, 1), 1);
        assert_eq!(register_seed(44257, 3), 44260);
    }

    #[test]
    fn first_bits_follow_the_register() {
        // Register 1 < x for any p >= 1.5/65536; the next states are 2, 4, 8 ...
        let e = encode(&NdArray::from_vec(vec![3.0 / 65536.0]), 5, 1).unwrap();
        // r = 1, 2, 4, 8, 16: only 1 and 2 are < 3.
        assert_eq!(e.data(), &[0b00011]);
        assert_eq!(e.shape(), &[1, 1]);
    }

    #[test]
    fn validation_names_arguments() {
        let p = NdArray::from_vec(vec![0.5]);
        assert_eq!(encode(&p, 0, 1).unwrap_err().arg, "length");
        assert_eq!(encode(&p, 10, -1).unwrap_err().arg, "seed");
        assert_eq!(encode(&p, 10, 1 << 32).unwrap_err().arg, "seed");
        assert!(encode(&p, 10, (1 << 32) - 1).is_ok());
        for bad in [f64::NAN, f64::INFINITY, -1e-300, 1.0 + f64::EPSILON] {
            let e = encode(&NdArray::from_vec(vec![bad]), 10, 1).unwrap_err();
            assert_eq!(e.arg, "probs");
        }
        assert!(encode(&NdArray::from_vec(vec![-0.0]), 10, 1).is_ok());
        let w = NdArray::new("w", vec![1, 1, 2], vec![0u64; 2]).unwrap();
        assert_eq!(sc_forward(&w, &p, 64, 1).unwrap_err().arg, "weights");
        assert!(sc_forward(&w, &p, 65, 1).is_ok());
        let p2 = NdArray::from_vec(vec![0.5, 0.5]);
        assert_eq!(sc_forward(&w, &p2, 65, 1).unwrap_err().arg, "probs");
    }

    #[test]
    fn forward_with_no_outputs_encodes_nothing() {
        // (0, 1, W) weights with a 2^40-bit stream: the result is empty, and
        // must come back at once (no 2^40-bit encoding, no huge allocation).
        let length: i64 = 1 << 40;
        let w = NdArray::new("w", vec![0, 1, 1 << 34], Vec::<u64>::new()).unwrap();
        let out = sc_forward(&w, &NdArray::from_vec(vec![0.5]), length, 1).unwrap();
        assert_eq!(out.shape(), &[0]);
        let p = NdArray::new("p", vec![0, 1], Vec::<f64>::new()).unwrap();
        let w = NdArray::new("w", vec![2, 1, 1 << 34], Vec::<u64>::new());
        assert!(w.is_err()); // 2 x 2^34 words would need data
        let w = NdArray::new("w", vec![2, 1, 1], vec![1u64, 1]).unwrap();
        assert_eq!(sc_forward(&w, &p, 64, 1).unwrap().shape(), &[0, 2]);
    }

    #[test]
    fn forward_counts_and_divides() {
        // All-ones weights: the result is the rate of the encoded stream.
        let len = 100i64;
        let p = NdArray::from_vec(vec![0.25, 1.0]);
        let w = NdArray::new("w", vec![1, 2, 2], vec![u64::MAX; 4]).unwrap();
        let x = encode(&p, len, 7).unwrap();
        let ones: u32 = x.data().iter().map(|w| w.count_ones()).sum();
        let out = sc_forward(&w, &p, len, 7).unwrap();
        assert_eq!(out.data(), &[f64::from(ones) / 100.0]);
    }
}
