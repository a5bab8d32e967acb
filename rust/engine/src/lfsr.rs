//! The 16-bit Fibonacci LFSR comparator encoder (docs/design.md#encoder).
//!
//! Input `i` with probability `p_i` becomes the packed bitstream whose bit `t`
//! is `r_t < x_i`, where `x_i = round_half_even(p_i * 65536)` and `r_t` is the
//! LFSR register after `t` steps from `r_0 = (seed + i) mod 65536` (0 → 1).
//! The LFSR (taps 16, 14, 13, 11) cycles through all 65535 non-zero states, so
//! the table `seq[k]` (state after `k` steps from state 1) and its inverse
//! `pos[state]` turn the stream into `seq[(pos[r_0] + t) mod 65535] < x_i`:
//! one table window and one vector comparison per 64 output bits.

use crate::error::{EngineError, Result, checked_size, try_zeroed};
use crate::simd::Tier;
use crate::threads;

/// Number of non-zero LFSR states, the period of the sequence.
pub const PERIOD: usize = 65535;

/// One LFSR step exactly as docs/design.md#encoder writes it.
#[inline]
pub const fn lfsr_step(r: u16) -> u16 {
    let r = r as u32;
    let fb = ((r >> 15) ^ (r >> 13) ^ (r >> 12) ^ (r >> 10)) & 1;
    (((r << 1) | fb) & 0xFFFF) as u16
}

/// The precomputed LFSR sequence.
pub struct Tables {
    /// `seq[k]` = state after `k` steps from state 1, for `k` in
    /// `0..PERIOD + 64`; entries past `PERIOD` repeat the start, so any window
    /// of 64 consecutive entries starting below `PERIOD` is contiguous.
    pub seq: [u16; PERIOD + 64],
    /// `seqm1[k] = seq[k] - 1` (0..=65534). The encoder compares
    /// `seqm1 < x - 1` instead of `seq < x`: the same bits, but every
    /// threshold `x` in `1..=65536` then fits in 16 bits (`x = 0` maps to 0,
    /// which also gives no bits).
    pub seqm1: [u16; PERIOD + 64],
    /// `pos[state]` = `k` with `seq[k] == state`; `pos[0]` is unused (0).
    pub pos: [u16; 65536],
}

/// Builds the tables (at compile time: see [`TABLES`]).
const fn build_tables() -> Tables {
    let mut seq = [0u16; PERIOD + 64];
    let mut seqm1 = [0u16; PERIOD + 64];
    let mut pos = [0u16; 65536];
    let mut r: u16 = 1;
    let mut k = 0;
    while k < PERIOD {
        seq[k] = r;
        seqm1[k] = r - 1;
        pos[r as usize] = k as u16;
        r = lfsr_step(r);
        k += 1;
    }
    // Maximal length: the register is back at 1 after exactly PERIOD steps.
    assert!(r == 1, "LFSR period is not 65535");
    let mut k = 0;
    while k < 64 {
        seq[PERIOD + k] = seq[k];
        seqm1[PERIOD + k] = seqm1[k];
        k += 1;
    }
    Tables { seq, seqm1, pos }
}

/// The tables, computed by the compiler: no lazy initialisation, so no
/// first-use lock that a `fork()` in the middle of it could leave held.
static TABLES: Tables = build_tables();

/// The shared tables.
pub fn tables() -> &'static Tables {
    &TABLES
}

/// `x = clip(round_half_even(p * 65536), 0, 65536)` for a validated `p`.
#[inline]
pub fn threshold(p: f64) -> u32 {
    // p * 65536 is exact in binary floating point; p in [0, 1] is validated.
    let x = (p * 65536.0).round_ties_even();
    x.clamp(0.0, 65536.0) as u32
}

/// Register seed for input index `i`: `(seed + i) mod 65536`, 0 → 1.
#[inline]
pub fn register_seed(seed: u32, i: usize) -> u16 {
    let r = ((u64::from(seed) + i as u64) & 0xFFFF) as u16;
    if r == 0 { 1 } else { r }
}

/// Number of 64-bit words holding `length` bits: `ceil(length / 64)`.
#[inline]
pub fn n_words(length: usize) -> usize {
    length.div_ceil(64)
}

/// Checks `length >= 1`.
pub fn check_length(length: usize) -> Result<()> {
    if length == 0 {
        return Err(EngineError::value(
            "length",
            "length must be a positive int (>= 1), got 0",
        ));
    }
    Ok(())
}

/// Checks `seed` in `[0, 2**32)` and narrows it.
pub fn check_seed(seed: u64) -> Result<u32> {
    u32::try_from(seed).map_err(|_| {
        EngineError::value(
            "seed",
            format!("seed must be an int in [0, 2**32), got {seed}"),
        )
    })
}

/// Checks every probability is finite and in `[0, 1]`, naming the first bad
/// element as `arg[i]` (or `arg[b, i]` when `two_d`, with `cols` per row).
pub fn check_probs(probs: &[f64], cols: usize, two_d: bool, arg: &'static str) -> Result<()> {
    let Some(bad) = probs
        .iter()
        .position(|p| !(p.is_finite() && (0.0..=1.0).contains(p)))
    else {
        return Ok(());
    };
    let index = if two_d {
        format!("[{}, {}]", bad / cols.max(1), bad % cols.max(1))
    } else {
        format!("[{bad}]")
    };
    Err(EngineError::value(
        arg,
        format!(
            "{arg} must be finite and in [0, 1]; {arg}{index} = {}",
            py_float(probs[bad])
        ),
    ))
}

/// Formats a float the way Python's `repr` does for the values that matter
/// in messages (`nan`, `inf`, `-inf`, shortest round-trip digits otherwise).
pub(crate) fn py_float(v: f64) -> String {
    if v.is_nan() {
        "nan".to_string()
    } else if v.is_infinite() {
        if v > 0.0 {
            "inf".to_string()
        } else {
            "-inf".to_string()
        }
    } else {
        format!("{v:?}")
    }
}

/// Mask of the valid bits of the last word of a `length`-bit stream.
#[inline]
fn last_word_mask(length: usize) -> u64 {
    match length % 64 {
        0 => u64::MAX,
        r => (1u64 << r) - 1,
    }
}

/// Comparator kernels: bit `j` of `mask(load(window), thr)` is
/// `window[j] < thr`, where the window comes from `seqm1` and `thr = x - 1`
/// (saturating). The window is loaded once and compared against the
/// thresholds of every batch row.
trait Compare {
    /// A loaded window of 64 sequence values.
    type Win: Copy;
    /// Loads `window[..64]` (panics if shorter).
    ///
    /// # Safety
    /// The CPU must support the implementing tier.
    unsafe fn load(window: &[u16]) -> Self::Win;
    /// The 64-bit comparison mask.
    ///
    /// # Safety
    /// The CPU must support the implementing tier.
    unsafe fn mask(win: Self::Win, thr: u16) -> u64;
    /// `mask(load(window), thr)` for a window used only once.
    ///
    /// # Safety
    /// The CPU must support the implementing tier.
    #[inline(always)]
    unsafe fn mask_once(window: &[u16], thr: u16) -> u64 {
        // SAFETY: forwarded caller contract (tier support).
        unsafe { Self::mask(Self::load(window), thr) }
    }
}

struct PortableCmp;

impl Compare for PortableCmp {
    type Win = [u16; 64];
    #[inline(always)]
    unsafe fn load(window: &[u16]) -> [u16; 64] {
        let mut w = [0u16; 64];
        w.copy_from_slice(&window[..64]);
        w
    }
    #[inline(always)]
    unsafe fn mask(win: [u16; 64], thr: u16) -> u64 {
        let mut m = 0u64;
        for (j, &s) in win.iter().enumerate() {
            m |= u64::from(s < thr) << j;
        }
        m
    }
}

#[cfg(target_arch = "x86_64")]
struct Avx2Cmp;

#[cfg(target_arch = "x86_64")]
impl Compare for Avx2Cmp {
    /// The window with the sign bit flipped, so signed compares order it as
    /// unsigned values.
    type Win = [std::arch::x86_64::__m256i; 4];
    #[inline(always)]
    unsafe fn load(window: &[u16]) -> Self::Win {
        use std::arch::x86_64::*;
        let w = &window[..64];
        // SAFETY: `w` has exactly 64 u16 = 128 bytes, read as four unaligned
        // 32-byte loads; the caller guarantees AVX2.
        unsafe {
            let flip = _mm256_set1_epi16(i16::MIN);
            let p = w.as_ptr().cast::<__m256i>();
            [
                _mm256_xor_si256(_mm256_loadu_si256(p), flip),
                _mm256_xor_si256(_mm256_loadu_si256(p.add(1)), flip),
                _mm256_xor_si256(_mm256_loadu_si256(p.add(2)), flip),
                _mm256_xor_si256(_mm256_loadu_si256(p.add(3)), flip),
            ]
        }
    }
    #[inline(always)]
    unsafe fn mask(win: Self::Win, thr: u16) -> u64 {
        use std::arch::x86_64::*;
        // SAFETY: register-only AVX2 arithmetic; the caller guarantees AVX2.
        unsafe {
            // Unsigned a < t  <=>  signed (a ^ 0x8000) < (t ^ 0x8000).
            let t = _mm256_set1_epi16((thr ^ 0x8000) as i16);
            let c0 = _mm256_cmpgt_epi16(t, win[0]);
            let c1 = _mm256_cmpgt_epi16(t, win[1]);
            let c2 = _mm256_cmpgt_epi16(t, win[2]);
            let c3 = _mm256_cmpgt_epi16(t, win[3]);
            // packs interleaves 128-bit lanes: [c0lo c1lo | c0hi c1hi];
            // permute 64-bit quarters (0, 2, 1, 3) back into stream order.
            let b01 = _mm256_permute4x64_epi64::<0xD8>(_mm256_packs_epi16(c0, c1));
            let b23 = _mm256_permute4x64_epi64::<0xD8>(_mm256_packs_epi16(c2, c3));
            let lo = _mm256_movemask_epi8(b01) as u32;
            let hi = _mm256_movemask_epi8(b23) as u32;
            u64::from(lo) | (u64::from(hi) << 32)
        }
    }
}

#[cfg(target_arch = "x86_64")]
struct Avx512Cmp;

/// `vpermt2w` indices that reorder a 64-entry window so that `vpacksswb` of
/// the two halves (which interleaves 8-lane groups per 128-bit lane) leaves
/// the bytes in stream order: first half `16 * (e / 8) + e % 8`, second half
/// the same plus 8.
#[cfg(target_arch = "x86_64")]
static PACK_ORDER: [[u16; 32]; 2] = {
    let mut idx = [[0u16; 32]; 2];
    let mut e = 0;
    while e < 32 {
        idx[0][e] = (16 * (e / 8) + e % 8) as u16;
        idx[1][e] = (16 * (e / 8) + 8 + e % 8) as u16;
        e += 1;
    }
    idx
};

#[cfg(target_arch = "x86_64")]
impl Compare for Avx512Cmp {
    type Win = [std::arch::x86_64::__m512i; 2];
    #[inline(always)]
    unsafe fn load(window: &[u16]) -> Self::Win {
        use std::arch::x86_64::*;
        let w = &window[..64];
        // SAFETY: `w` has exactly 64 u16 = 128 bytes, read as two unaligned
        // 64-byte loads; each `PACK_ORDER` row is 32 u16 = 64 bytes; the
        // caller guarantees AVX-512F/BW.
        unsafe {
            let p = w.as_ptr().cast::<__m512i>();
            let (v0, v1) = (_mm512_loadu_si512(p), _mm512_loadu_si512(p.add(1)));
            let ia = _mm512_loadu_si512(PACK_ORDER[0].as_ptr().cast());
            let ib = _mm512_loadu_si512(PACK_ORDER[1].as_ptr().cast());
            [
                _mm512_permutex2var_epi16(v0, ia, v1),
                _mm512_permutex2var_epi16(v0, ib, v1),
            ]
        }
    }
    #[inline(always)]
    unsafe fn mask(win: Self::Win, thr: u16) -> u64 {
        use std::arch::x86_64::*;
        // SAFETY: register-only AVX-512F/BW arithmetic; the caller guarantees
        // both.
        unsafe {
            let t = _mm512_set1_epi16(thr as i16);
            // thr -sat- s is non-zero exactly where s < thr; the signed-
            // saturating pack keeps non-zero words non-zero bytes.
            let d0 = _mm512_subs_epu16(t, win[0]);
            let d1 = _mm512_subs_epu16(t, win[1]);
            let bytes = _mm512_packs_epi16(d0, d1);
            _mm512_test_epi8_mask(bytes, bytes)
        }
    }
    #[inline(always)]
    unsafe fn mask_once(window: &[u16], thr: u16) -> u64 {
        use std::arch::x86_64::*;
        let w = &window[..64];
        // SAFETY: `w` has exactly 64 u16 = 128 bytes, read as two unaligned
        // 64-byte loads; the caller guarantees AVX-512F/BW.
        unsafe {
            let p = w.as_ptr().cast::<__m512i>();
            let t = _mm512_set1_epi16(thr as i16);
            let lo = _mm512_cmplt_epu16_mask(_mm512_loadu_si512(p), t);
            let hi = _mm512_cmplt_epu16_mask(_mm512_loadu_si512(p.add(1)), t);
            u64::from(lo) | (u64::from(hi) << 32)
        }
    }
}

/// A block of the encoding: batch rows `rows.0..rows.1` × input indices
/// `cols.0..cols.1` of the `(batch, n)` probabilities `probs`, written to
/// `out[((b - rows.0) * (cols.1 - cols.0) + (i - cols.0)) * nw + w]`.
#[derive(Clone, Copy)]
pub(crate) struct Block {
    /// Batch rows `rows.0..rows.1`.
    pub rows: (usize, usize),
    /// Input indices `cols.0..cols.1`.
    pub cols: (usize, usize),
}

/// Loaded windows kept per block of inputs (128 windows = 16 KiB of AVX-512
/// registers' worth), so the windows stay in L1 while every batch row is
/// compared against them and each row's output is written sequentially.
const WINDOW_BUDGET: usize = 128;

/// Encodes one [`Block`].
///
/// # Safety
/// The CPU must support tier `C`. (Indices are bounds-checked.)
#[inline(always)]
unsafe fn encode_block<C: Compare>(
    probs: &[f64],
    n: usize,
    blk: Block,
    length: usize,
    seed: u32,
    out: &mut [u64],
) {
    let t = tables();
    let nw = n_words(length);
    let tail = last_word_mask(length);
    let ni = blk.cols.1 - blk.cols.0;
    if blk.rows.1 - blk.rows.0 == 1 {
        // One batch row: every window is used once, compare it straight away.
        let b = blk.rows.0;
        for (i, dst) in (blk.cols.0..blk.cols.1).zip(out.chunks_exact_mut(nw)) {
            let mut s = usize::from(t.pos[usize::from(register_seed(seed, i))]);
            let thr = threshold(probs[b * n + i]).saturating_sub(1) as u16;
            for d in dst.iter_mut() {
                // SAFETY: tier support is the caller's contract; s < PERIOD
                // keeps the window inside `seqm1` (bounds-checked).
                *d = unsafe { C::mask_once(&t.seqm1[s..s + 64], thr) };
                s += 64;
                if s >= PERIOD {
                    s -= PERIOD;
                }
            }
            dst[nw - 1] &= tail;
        }
        return;
    }
    let ib = (WINDOW_BUDGET / nw).max(1);
    let mut wins: Vec<C::Win> = Vec::with_capacity(ib.min(ni) * nw);
    let mut i0 = blk.cols.0;
    while i0 < blk.cols.1 {
        let i1 = (i0 + ib).min(blk.cols.1);
        wins.clear();
        for i in i0..i1 {
            let mut s = usize::from(t.pos[usize::from(register_seed(seed, i))]);
            for _ in 0..nw {
                // SAFETY: tier support is the caller's contract; s < PERIOD
                // keeps the 64-entry window inside `seqm1` (bounds-checked).
                wins.push(unsafe { C::load(&t.seqm1[s..s + 64]) });
                s += 64;
                if s >= PERIOD {
                    s -= PERIOD;
                }
            }
        }
        for b in blk.rows.0..blk.rows.1 {
            for i in i0..i1 {
                // seq < x  <=>  seqm1 < x - 1, and x - 1 <= 65535 fits.
                let thr = threshold(probs[b * n + i]).saturating_sub(1) as u16;
                let base = ((b - blk.rows.0) * ni + (i - blk.cols.0)) * nw;
                let dst = &mut out[base..base + nw];
                let src = &wins[(i - i0) * nw..(i - i0 + 1) * nw];
                for (d, &win) in dst.iter_mut().zip(src) {
                    // SAFETY: tier support is the caller's contract.
                    *d = unsafe { C::mask(win, thr) };
                }
                dst[nw - 1] &= tail;
            }
        }
        i0 = i1;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn encode_block_avx2(
    probs: &[f64],
    n: usize,
    blk: Block,
    length: usize,
    seed: u32,
    out: &mut [u64],
) {
    // SAFETY: this function is only called after AVX2 was detected.
    unsafe { encode_block::<Avx2Cmp>(probs, n, blk, length, seed, out) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn encode_block_avx512(
    probs: &[f64],
    n: usize,
    blk: Block,
    length: usize,
    seed: u32,
    out: &mut [u64],
) {
    // SAFETY: this function is only called after AVX-512F/BW were detected.
    unsafe { encode_block::<Avx512Cmp>(probs, n, blk, length, seed, out) }
}

/// Encodes one [`Block`] of validated probabilities into `out` (laid out as
/// `[b - rows.0][i - cols.0][word]`) on tier `tier`.
pub(crate) fn encode_block_dispatch(
    tier: Tier,
    probs: &[f64],
    n: usize,
    blk: Block,
    length: usize,
    seed: u32,
    out: &mut [u64],
) {
    match tier.checked() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `checked()` returned Avx512 only because the CPU supports it.
        Tier::Avx512 => unsafe { encode_block_avx512(probs, n, blk, length, seed, out) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `checked()` returned Avx2 only because the CPU supports it.
        Tier::Avx2 => unsafe { encode_block_avx2(probs, n, blk, length, seed, out) },
        // SAFETY: the portable comparator needs no CPU feature.
        _ => unsafe { encode_block::<PortableCmp>(probs, n, blk, length, seed, out) },
    }
}

/// Outputs with at least this many words are encoded in parallel.
const PARALLEL_ENCODE_WORDS: usize = 1 << 15;

/// Encodes already-validated probabilities into `out` (`probs.len() *
/// n_words(length)` words): `probs` is `(rows, n)` row-major, input index `i`
/// uses register seed `(seed + i) mod 65536` whatever its row. Runs on the
/// engine's threads when `parallel` and large.
pub(crate) fn encode_into(
    tier: Tier,
    probs: &[f64],
    n: usize,
    length: usize,
    seed: u32,
    out: &mut [u64],
    parallel: bool,
) {
    let nw = n_words(length);
    assert_eq!(
        out.len(),
        probs.len() * nw,
        "encode_into: wrong output size"
    );
    if out.is_empty() || n == 0 {
        return;
    }
    let rows = probs.len() / n;
    let threads = if parallel && out.len() >= PARALLEL_ENCODE_WORDS {
        threads::effective_threads()
    } else {
        1
    };
    if threads <= 1 {
        let blk = Block {
            rows: (0, rows),
            cols: (0, n),
        };
        encode_block_dispatch(tier, probs, n, blk, length, seed, out);
    } else if rows == 1 {
        // One row: split the input indices (contiguous in `out`).
        let per = threads::chunk_len(n, threads * 4);
        threads::for_each_chunk_mut(true, out, per * nw, |c, dst| {
            let i0 = c * per;
            let blk = Block {
                rows: (0, 1),
                cols: (i0, i0 + dst.len() / nw),
            };
            encode_block_dispatch(tier, probs, n, blk, length, seed, dst);
        });
    } else {
        // Several rows: split the batch (each block of rows is contiguous).
        let per = threads::chunk_len(rows, threads * 4);
        threads::for_each_chunk_mut(true, out, per * n * nw, |c, dst| {
            let b0 = c * per;
            let blk = Block {
                rows: (b0, b0 + dst.len() / (n * nw)),
                cols: (0, n),
            };
            encode_block_dispatch(tier, probs, n, blk, length, seed, dst);
        });
    }
}

/// [`encode_into`] into a new `(rows, n, n_words)` buffer, parallel when large.
pub(crate) fn encode_validated(
    tier: Tier,
    probs: &[f64],
    n: usize,
    length: usize,
    seed: u32,
) -> Result<Vec<u64>> {
    let nw = n_words(length);
    let total = checked_size(probs.len(), nw, "length")?;
    let mut out = try_zeroed::<u64>(total, "the encoded bitstreams")?;
    encode_into(tier, probs, n, length, seed, &mut out, true);
    Ok(out)
}

/// Encodes `probs` (`rows` rows of `n` probabilities, row-major; `two_d`
/// tells how to name bad indices) into packed streams of shape
/// `(rows, n, ceil(length / 64))`, using SIMD tier `tier` (falls back to
/// portable if unsupported). Validates everything first.
pub fn encode_packed_with(
    tier: Tier,
    probs: &[f64],
    n: usize,
    two_d: bool,
    length: usize,
    seed: u64,
) -> Result<Vec<u64>> {
    check_length(length)?;
    let seed = check_seed(seed)?;
    if n == 0 && !probs.is_empty() {
        return Err(EngineError::value(
            "probs",
            "probs has elements but rows of length 0",
        ));
    }
    if n != 0 && !probs.len().is_multiple_of(n) {
        return Err(EngineError::value(
            "probs",
            format!(
                "probs has {} elements, not a multiple of the row length {n}",
                probs.len()
            ),
        ));
    }
    check_probs(probs, n, two_d, "probs")?;
    encode_validated(tier, probs, n, length, seed)
}

/// [`encode_packed_with`] on the active SIMD tier.
pub fn encode_packed(
    probs: &[f64],
    n: usize,
    two_d: bool,
    length: usize,
    seed: u64,
) -> Result<Vec<u64>> {
    encode_packed_with(crate::simd::active_tier(), probs, n, two_d, length, seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::SplitMix64;

    /// Bit-by-bit transcription of docs/design.md#encoder, no tables.
    fn naive(probs: &[f64], length: usize, seed: u32) -> Vec<u64> {
        let nw = n_words(length);
        let mut out = vec![0u64; probs.len() * nw];
        for (i, &p) in probs.iter().enumerate() {
            let x = (p * 65536.0).round_ties_even().clamp(0.0, 65536.0) as u32;
            let mut r = ((u64::from(seed) + i as u64) % 65536) as u32;
            if r == 0 {
                r = 1;
            }
            for t in 0..length {
                if r < x {
                    out[i * nw + t / 64] |= 1u64 << (t % 64);
                }
                let fb = ((r >> 15) ^ (r >> 13) ^ (r >> 12) ^ (r >> 10)) & 1;
                r = ((r << 1) | fb) & 0xFFFF;
            }
        }
        out
    }

    fn random_probs(rng: &mut SplitMix64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|_| match rng.below(6) {
                0 => 0.0,
                1 => 1.0,
                2 => rng.below(65537) as f64 / 65536.0, // on the 2^-16 grid
                3 => (rng.below(65536) as f64 + 0.5) / 65536.0, // exact ties
                _ => rng.unit_f64(),                    // off-grid
            })
            .collect()
    }

    #[test]
    fn period_and_inverse() {
        let t = tables();
        assert_eq!(t.seq.len(), PERIOD + 64);
        let mut seen = vec![false; 65536];
        for k in 0..PERIOD {
            let s = usize::from(t.seq[k]);
            assert_ne!(s, 0);
            assert!(!seen[s]);
            seen[s] = true;
            assert_eq!(usize::from(t.pos[s]), k);
        }
        for k in 0..64 {
            assert_eq!(t.seq[PERIOD + k], t.seq[k]);
        }
    }

    #[test]
    fn threshold_rounds_half_even() {
        assert_eq!(threshold(0.0), 0);
        assert_eq!(threshold(1.0), 65536);
        assert_eq!(threshold(0.5 / 65536.0), 0);
        assert_eq!(threshold(1.5 / 65536.0), 2);
        assert_eq!(threshold(2.5 / 65536.0), 2);
        assert_eq!(threshold(0.5), 32768);
    }

    #[test]
    fn register_seed_wraps_and_skips_zero() {
        assert_eq!(register_seed(65535, 1), 1);
        assert_eq!(register_seed(0, 0), 1);
        assert_eq!(register_seed(65535, 0), 65535);
        assert_eq!(register_seed(u32::MAX, 0), 65535);
        assert_eq!(register_seed(u32::MAX, 1), 1);
        assert_eq!(register_seed(u32::MAX, 2), 1);
        assert_eq!(register_seed(65534, 3), 1);
    }

    #[test]
    fn matches_naive_all_tiers() {
        let mut rng = SplitMix64::new(7);
        let mut lengths: Vec<usize> = (1..=300).collect();
        lengths.extend([511, 512, 513, 1024, 4096, 65535, 65536, 65600, 140_000]);
        let seeds: [u32; 7] = [0, 1, 44257, 65534, 65535, 65536 * 3 + 7, u32::MAX];
        for (c, &length) in lengths.iter().enumerate() {
            let n = if length > 5000 {
                3
            } else {
                1 + rng.below(9) as usize
            };
            let probs = random_probs(&mut rng, n);
            let seed = seeds[c % seeds.len()];
            let want = naive(&probs, length, seed);
            for tier in Tier::ALL.into_iter().filter(|t| t.is_supported()) {
                let got =
                    encode_packed_with(tier, &probs, n, false, length, u64::from(seed)).unwrap();
                assert_eq!(got, want, "tier {tier:?} length {length} seed {seed}");
            }
        }
    }

    #[test]
    fn seeds_hitting_zero() {
        // seed = 65535 with i = 1 and seed = 2**32 - 1 with i = 1 hit register 0 -> 1.
        let probs = [0.3, 0.7, 0.5, 1.0, 0.0];
        for seed in [65535u32, u32::MAX, 65534] {
            let want = naive(&probs, 200, seed);
            for tier in Tier::ALL.into_iter().filter(|t| t.is_supported()) {
                let got = encode_packed_with(tier, &probs, 5, false, 200, u64::from(seed)).unwrap();
                assert_eq!(got, want);
            }
        }
    }

    /// Encodes a random `rows x n` batch and checks every row against the
    /// bit-by-bit definition applied to that row alone.
    fn assert_batch_rows_match_naive(
        rng_seed: u64,
        rows: usize,
        n: usize,
        length: usize,
        seed: u32,
    ) {
        let mut rng = SplitMix64::new(rng_seed);
        let probs = random_probs(&mut rng, rows * n);
        let batch = encode_packed(&probs, n, true, length, u64::from(seed)).unwrap();
        let nw = n_words(length);
        for b in 0..rows {
            let single = naive(&probs[b * n..(b + 1) * n], length, seed);
            assert_eq!(&batch[b * n * nw..(b + 1) * n * nw], &single[..]);
        }
    }

    #[test]
    fn batch_rows_encode_like_single_rows() {
        assert_batch_rows_match_naive(11, 5, 7, 130, 44257);
    }

    #[test]
    fn large_parallel_encode_matches_naive() {
        assert_batch_rows_match_naive(3, 6, 300, 1000, 12345);
    }

    #[test]
    fn errors_name_the_argument() {
        let e = encode_packed(&[0.5], 1, false, 0, 1).unwrap_err();
        assert_eq!(e.arg(), Some("length"));
        let e = encode_packed(&[0.5], 1, false, 10, 1u64 << 32).unwrap_err();
        assert_eq!(e.arg(), Some("seed"));
        let e = encode_packed(&[0.5, f64::NAN], 2, false, 10, 1).unwrap_err();
        assert_eq!(e.arg(), Some("probs"));
        assert!(e.to_string().contains("probs[1]"), "{e}");
        let e = encode_packed(&[0.5, 0.1, 0.2, 1.5], 2, true, 10, 1).unwrap_err();
        assert!(e.to_string().contains("probs[1, 1]"), "{e}");
        let e = encode_packed(&[-0.0, -1e-300], 2, false, 10, 1).unwrap_err();
        assert!(e.to_string().contains("probs[1]"), "{e}");
        let e = encode_packed(&[f64::INFINITY], 1, false, 10, 1).unwrap_err();
        assert!(e.to_string().contains("inf"), "{e}");
    }

    #[test]
    fn empty_inputs() {
        assert!(encode_packed(&[], 0, false, 10, 1).unwrap().is_empty());
        assert!(encode_packed(&[], 4, true, 10, 1).unwrap().is_empty());
    }
}
