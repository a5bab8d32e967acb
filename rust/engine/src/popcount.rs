//! SIMD popcount kernels with runtime dispatch.
//!
//! Each tier implements the small `Kernel` trait (a vector of `LANES`
//! 64-bit words with load, AND+popcount+accumulate and horizontal sum). The
//! generic drivers below are `#[inline(always)]` and get instantiated inside a
//! `#[target_feature]` entry point per tier, so the whole loop nest is compiled
//! for that instruction set. Entry points are `unsafe` to call; the dispatch
//! functions call them only for a tier that [`Tier::checked`] confirmed.
//!
//! The central kernel is a popcount "GEMM": for packed matrices `W`
//! (`rows × k` words) and `X` (`nb × k` words) it accumulates
//! `counts[o, b] += Σ_k popcount(W[o, k] & X[b, k])`, register-blocked over
//! `MR` weight rows × `NR` input rows so each loaded weight vector is reused
//! `NR` times from registers and each input vector `MR` times, and blocked over
//! `k` so a tile of weight rows stays in L1 while the whole batch passes by.

use crate::simd::Tier;

/// A SIMD tier's vector operations on packed `u64` words.
///
/// # Safety
/// Every method may use instructions of the implementing tier: callers must
/// make sure the running CPU supports it.
pub(crate) trait Kernel {
    /// 64-bit words per vector.
    const LANES: usize;
    /// The vector type (also used as a per-lane `u64` accumulator).
    type V: Copy;
    /// All-zero vector.
    unsafe fn zero() -> Self::V;
    /// Loads the first `LANES` words of `s` (panics if `s` is shorter).
    unsafe fn load(s: &[u64]) -> Self::V;
    /// Loads `s.len() < LANES` words, zero-filling the remaining lanes.
    unsafe fn load_partial(s: &[u64]) -> Self::V;
    /// `acc + popcount(a & b)` per lane.
    unsafe fn and_pop_add(acc: Self::V, a: Self::V, b: Self::V) -> Self::V;
    /// `acc + popcount(a)` per lane.
    unsafe fn pop_add(acc: Self::V, a: Self::V) -> Self::V;
    /// Sum of all lanes.
    unsafe fn hsum(acc: Self::V) -> u64;
    /// Stores `popcount` of each lane of `a` into `out[..LANES]` (panics if
    /// `out` is shorter).
    unsafe fn pop_store(a: Self::V, out: &mut [u64]);
}

/// Plain Rust tier.
pub(crate) struct Portable;

impl Kernel for Portable {
    const LANES: usize = 1;
    type V = u64;
    #[inline(always)]
    unsafe fn zero() -> u64 {
        0
    }
    #[inline(always)]
    unsafe fn load(s: &[u64]) -> u64 {
        s[0]
    }
    #[inline(always)]
    unsafe fn load_partial(_s: &[u64]) -> u64 {
        0
    }
    #[inline(always)]
    unsafe fn and_pop_add(acc: u64, a: u64, b: u64) -> u64 {
        acc + u64::from((a & b).count_ones())
    }
    #[inline(always)]
    unsafe fn pop_add(acc: u64, a: u64) -> u64 {
        acc + u64::from(a.count_ones())
    }
    #[inline(always)]
    unsafe fn hsum(acc: u64) -> u64 {
        acc
    }
    #[inline(always)]
    unsafe fn pop_store(a: u64, out: &mut [u64]) {
        out[0] = u64::from(a.count_ones());
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Kernel;
    use std::arch::x86_64::*;

    /// AVX2 tier: 4 words per vector, nibble-table popcount.
    pub(crate) struct Avx2;

    /// Per-64-bit-lane popcount of `v`: byte counts from a 16-entry nibble
    /// table (`vpshufb`), summed per lane by `vpsadbw` against zero.
    #[inline(always)]
    unsafe fn popcnt_lanes_avx2(v: __m256i) -> __m256i {
        // SAFETY: register-only AVX2 arithmetic; the caller guarantees AVX2.
        unsafe {
            let lut = _mm256_setr_epi8(
                0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, //
                0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
            );
            let nib = _mm256_set1_epi8(0x0F);
            let lo = _mm256_and_si256(v, nib);
            let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(v), nib);
            let bytes = _mm256_add_epi8(_mm256_shuffle_epi8(lut, lo), _mm256_shuffle_epi8(lut, hi));
            _mm256_sad_epu8(bytes, _mm256_setzero_si256())
        }
    }

    impl Kernel for Avx2 {
        const LANES: usize = 4;
        type V = __m256i;
        #[inline(always)]
        unsafe fn zero() -> __m256i {
            // SAFETY: AVX register zeroing; the caller guarantees AVX2.
            unsafe { _mm256_setzero_si256() }
        }
        #[inline(always)]
        unsafe fn load(s: &[u64]) -> __m256i {
            let s = &s[..4];
            // SAFETY: `s` holds exactly 4 words (32 bytes); unaligned load.
            unsafe { _mm256_loadu_si256(s.as_ptr().cast()) }
        }
        #[inline(always)]
        unsafe fn load_partial(s: &[u64]) -> __m256i {
            let mut buf = [0u64; 4];
            let n = s.len().min(4);
            buf[..n].copy_from_slice(&s[..n]);
            // SAFETY: `buf` is a local 32-byte array; unaligned load.
            unsafe { _mm256_loadu_si256(buf.as_ptr().cast()) }
        }
        #[inline(always)]
        unsafe fn and_pop_add(acc: __m256i, a: __m256i, b: __m256i) -> __m256i {
            // SAFETY: register-only AVX2 arithmetic; the caller guarantees AVX2.
            unsafe { _mm256_add_epi64(acc, popcnt_lanes_avx2(_mm256_and_si256(a, b))) }
        }
        #[inline(always)]
        unsafe fn pop_add(acc: __m256i, a: __m256i) -> __m256i {
            // SAFETY: register-only AVX2 arithmetic; the caller guarantees AVX2.
            unsafe { _mm256_add_epi64(acc, popcnt_lanes_avx2(a)) }
        }
        #[inline(always)]
        unsafe fn hsum(acc: __m256i) -> u64 {
            let mut buf = [0u64; 4];
            // SAFETY: stores 32 bytes into the local 32-byte array `buf`.
            unsafe { _mm256_storeu_si256(buf.as_mut_ptr().cast(), acc) };
            buf.iter().sum()
        }
        #[inline(always)]
        unsafe fn pop_store(a: __m256i, out: &mut [u64]) {
            let out = &mut out[..4];
            // SAFETY: `out` holds exactly 4 words; unaligned store; AVX2 is
            // guaranteed by the caller.
            unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), popcnt_lanes_avx2(a)) }
        }
    }

    /// AVX-512 VPOPCNTDQ tier: 8 words per vector, `vpopcntq`.
    pub(crate) struct Avx512;

    impl Kernel for Avx512 {
        const LANES: usize = 8;
        type V = __m512i;
        #[inline(always)]
        unsafe fn zero() -> __m512i {
            // SAFETY: AVX-512F register zeroing; the caller guarantees it.
            unsafe { _mm512_setzero_si512() }
        }
        #[inline(always)]
        unsafe fn load(s: &[u64]) -> __m512i {
            let s = &s[..8];
            // SAFETY: `s` holds exactly 8 words (64 bytes); unaligned load.
            unsafe { _mm512_loadu_si512(s.as_ptr().cast()) }
        }
        #[inline(always)]
        unsafe fn load_partial(s: &[u64]) -> __m512i {
            let n = s.len().min(8);
            let mask: __mmask8 = ((1u32 << n) - 1) as __mmask8;
            // SAFETY: a masked load reads only the lanes whose mask bit is set,
            // i.e. the first `n <= s.len()` words of `s`; masked-off lanes are
            // not accessed (no fault) and read as zero.
            unsafe { _mm512_maskz_loadu_epi64(mask, s.as_ptr().cast()) }
        }
        #[inline(always)]
        unsafe fn and_pop_add(acc: __m512i, a: __m512i, b: __m512i) -> __m512i {
            // SAFETY: register-only AVX-512F/VPOPCNTDQ arithmetic; the caller
            // guarantees both.
            unsafe { _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_and_si512(a, b))) }
        }
        #[inline(always)]
        unsafe fn pop_add(acc: __m512i, a: __m512i) -> __m512i {
            // SAFETY: as for `and_pop_add`.
            unsafe { _mm512_add_epi64(acc, _mm512_popcnt_epi64(a)) }
        }
        #[inline(always)]
        unsafe fn hsum(acc: __m512i) -> u64 {
            // SAFETY: register-only AVX-512F reduction.
            unsafe { _mm512_reduce_add_epi64(acc) as u64 }
        }
        #[inline(always)]
        unsafe fn pop_store(a: __m512i, out: &mut [u64]) {
            let out = &mut out[..8];
            // SAFETY: `out` holds exactly 8 words; unaligned store.
            unsafe { _mm512_storeu_si512(out.as_mut_ptr().cast(), _mm512_popcnt_epi64(a)) }
        }
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) use x86::{Avx2, Avx512};

// ---------------------------------------------------------------------------
// Total and per-word popcount.

#[inline(always)]
unsafe fn total_generic<K: Kernel>(words: &[u64]) -> u64 {
    // SAFETY: tier support is the caller's contract; zero() reads no memory.
    let mut acc = [unsafe { K::zero() }; 4];
    let mut chunks = words.chunks_exact(4 * K::LANES);
    for c in &mut chunks {
        for (j, a) in acc.iter_mut().enumerate() {
            // SAFETY: tier support is the caller's contract; `c` has
            // 4 * LANES words so each sub-slice has LANES.
            *a = unsafe { K::pop_add(*a, K::load(&c[j * K::LANES..])) };
        }
    }
    let mut rest = chunks.remainder();
    while rest.len() >= K::LANES {
        // SAFETY: as above, `rest` has at least LANES words.
        acc[0] = unsafe { K::pop_add(acc[0], K::load(rest)) };
        rest = &rest[K::LANES..];
    }
    if !rest.is_empty() {
        // SAFETY: as above; `rest.len() < LANES`.
        acc[1] = unsafe { K::pop_add(acc[1], K::load_partial(rest)) };
    }
    // SAFETY: as above.
    acc.iter().map(|&a| unsafe { K::hsum(a) }).sum()
}

#[inline(always)]
unsafe fn per_word_generic<K: Kernel>(src: &[u64], dst: &mut [u64]) {
    let n = src.len().min(dst.len());
    let (src, dst) = (&src[..n], &mut dst[..n]);
    let full = n - n % K::LANES;
    for (s, d) in src[..full]
        .chunks_exact(K::LANES)
        .zip(dst[..full].chunks_exact_mut(K::LANES))
    {
        // SAFETY: tier support is the caller's contract; both chunks have
        // exactly LANES words.
        unsafe { K::pop_store(K::load(s), d) };
    }
    for (s, d) in src[full..].iter().zip(dst[full..].iter_mut()) {
        *d = u64::from(s.count_ones());
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn total_avx2(words: &[u64]) -> u64 {
    // SAFETY: called only after AVX2 was detected.
    unsafe { total_generic::<Avx2>(words) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vpopcntdq")]
unsafe fn total_avx512(words: &[u64]) -> u64 {
    // SAFETY: called only after AVX-512F/BW/VPOPCNTDQ were detected.
    unsafe { total_generic::<Avx512>(words) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn per_word_avx2(src: &[u64], dst: &mut [u64]) {
    // SAFETY: called only after AVX2 was detected.
    unsafe { per_word_generic::<Avx2>(src, dst) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vpopcntdq")]
unsafe fn per_word_avx512(src: &[u64], dst: &mut [u64]) {
    // SAFETY: called only after AVX-512F/BW/VPOPCNTDQ were detected.
    unsafe { per_word_generic::<Avx512>(src, dst) }
}

/// Total number of set bits in `words` on tier `tier` (portable if the CPU
/// lacks it). Single-threaded.
pub fn popcount_total_serial(tier: Tier, words: &[u64]) -> u64 {
    match tier.checked() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `checked()` confirmed the CPU supports AVX-512 VPOPCNTDQ.
        Tier::Avx512 => unsafe { total_avx512(words) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `checked()` confirmed the CPU supports AVX2.
        Tier::Avx2 => unsafe { total_avx2(words) },
        // SAFETY: the portable kernel needs no CPU feature.
        _ => unsafe { total_generic::<Portable>(words) },
    }
}

/// `dst[j] = popcount(src[j])` for `j < min(src.len(), dst.len())`.
/// Single-threaded.
pub fn popcount_per_word_serial(tier: Tier, src: &[u64], dst: &mut [u64]) {
    match tier.checked() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `checked()` confirmed the CPU supports AVX-512 VPOPCNTDQ.
        Tier::Avx512 => unsafe { per_word_avx512(src, dst) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `checked()` confirmed the CPU supports AVX2.
        Tier::Avx2 => unsafe { per_word_avx2(src, dst) },
        // SAFETY: the portable kernel needs no CPU feature.
        _ => unsafe { per_word_generic::<Portable>(src, dst) },
    }
}

// ---------------------------------------------------------------------------
// AND + popcount "GEMM".

/// Most words of `k` processed per block when the batch has several register
/// tiles: the block of a 4-row weight tile (64 KiB) and of the whole batch
/// (512 KiB for 32 inputs) stay in L2 while every input tile passes by each
/// weight tile, and the per-block horizontal sums stay negligible.
pub(crate) const KC_BATCH: usize = 2048;

/// The operands of one popcount GEMM call: weight rows are the words
/// `w[o * ld + kr.0 .. o * ld + kr.1]` for `o < rows`, input rows are
/// `x[b * len .. (b + 1) * len]` for `b < nb` (`len = kr.1 - kr.0`), and
/// `counts[o * nb + b]` accumulates their AND+popcount.
#[derive(Clone, Copy)]
pub struct GemmArgs<'a> {
    /// Weight matrix (row stride `ld`).
    pub w: &'a [u64],
    /// Row stride of `w` in words.
    pub ld: usize,
    /// Column range of `w` that pairs with `x`.
    pub kr: (usize, usize),
    /// Number of weight rows.
    pub rows: usize,
    /// Input rows, `nb × len` words.
    pub x: &'a [u64],
    /// Number of input rows.
    pub nb: usize,
}

/// One `MR × NR` register tile over the columns `k0..k1` (inside `a.kr`) of
/// weight rows `o..o + MR` and input rows `b..b + NR`; adds into
/// `counts[(o + r) * nb + b + j]`.
///
/// # Safety
/// The CPU must support tier `K`. (Indices are bounds-checked.)
#[inline(always)]
unsafe fn tile<K: Kernel, const MR: usize, const NR: usize>(
    a: &GemmArgs<'_>,
    o: usize,
    b: usize,
    (k0, k1): (usize, usize),
    counts: &mut [u64],
) {
    let len = k1 - k0;
    let xlen = a.kr.1 - a.kr.0;
    let mut wr: [&[u64]; MR] = [&[]; MR];
    for (r, row) in wr.iter_mut().enumerate() {
        let base = (o + r) * a.ld;
        *row = &a.w[base + k0..base + k1];
    }
    let mut xr: [&[u64]; NR] = [&[]; NR];
    for (j, row) in xr.iter_mut().enumerate() {
        let base = (b + j) * xlen + (k0 - a.kr.0);
        *row = &a.x[base..base + len];
    }
    // Every row slice has exactly `len` words; loads are bounds-checked.
    // SAFETY: tier support is the caller's contract; zero() reads no memory.
    let zero = unsafe { K::zero() };
    let mut acc = [[zero; NR]; MR];
    let mut xv = [zero; NR];
    let mut kk = 0;
    while kk + K::LANES <= len {
        for j in 0..NR {
            // SAFETY: tier support is the caller's contract; `load` bounds-checks.
            xv[j] = unsafe { K::load(&xr[j][kk..]) };
        }
        for r in 0..MR {
            // SAFETY: tier support is the caller's contract; `load` bounds-checks.
            let wv = unsafe { K::load(&wr[r][kk..]) };
            for j in 0..NR {
                // SAFETY: tier support is the caller's contract (registers only).
                acc[r][j] = unsafe { K::and_pop_add(acc[r][j], wv, xv[j]) };
            }
        }
        kk += K::LANES;
    }
    if kk < len {
        for j in 0..NR {
            // SAFETY: tier support is the caller's contract; `load` bounds-checks.
            xv[j] = unsafe { K::load_partial(&xr[j][kk..]) };
        }
        for r in 0..MR {
            // SAFETY: tier support is the caller's contract; `load` bounds-checks.
            let wv = unsafe { K::load_partial(&wr[r][kk..]) };
            for j in 0..NR {
                // SAFETY: tier support is the caller's contract (registers only).
                acc[r][j] = unsafe { K::and_pop_add(acc[r][j], wv, xv[j]) };
            }
        }
    }
    for r in 0..MR {
        for j in 0..NR {
            // SAFETY: tier support is the caller's contract (registers only).
            counts[(o + r) * a.nb + b + j] += unsafe { K::hsum(acc[r][j]) };
        }
    }
}

/// The whole GEMM of `a` into `counts`.
///
/// # Safety
/// The CPU must support tier `K`. (Indices are bounds-checked.)
#[inline(always)]
unsafe fn gemm_generic<K: Kernel, const MR: usize, const NR: usize>(
    a: &GemmArgs<'_>,
    counts: &mut [u64],
) {
    let (rows, nb) = (a.rows, a.nb);
    // With one input register tile there is nothing to reuse a weight tile
    // for, so stream whole rows; otherwise block `k`.
    let len = a.kr.1 - a.kr.0;
    let kc = if nb <= NR {
        len
    } else {
        // Near-equal blocks of at most KC_BATCH words (no short last block).
        len.div_ceil(len.div_ceil(KC_BATCH).max(1))
            .next_multiple_of(K::LANES)
            .max(K::LANES)
    };
    let mut k0 = a.kr.0;
    while k0 < a.kr.1 {
        let kr = (k0, (k0 + kc).min(a.kr.1));
        let mut o = 0;
        while o < rows {
            let mr = MR.min(rows - o);
            let mut b = 0;
            while b < nb {
                let nr = NR.min(nb - b);
                match (mr == MR, nr == NR) {
                    // SAFETY: forwarded caller contract (the CPU supports tier K).
                    (true, true) => unsafe { tile::<K, MR, NR>(a, o, b, kr, counts) },
                    (true, false) => {
                        for bb in b..b + nr {
                            // SAFETY: forwarded caller contract (the CPU supports tier K).
                            unsafe { tile::<K, MR, 1>(a, o, bb, kr, counts) }
                        }
                    }
                    (false, true) => {
                        for oo in o..o + mr {
                            // SAFETY: forwarded caller contract (the CPU supports tier K).
                            unsafe { tile::<K, 1, NR>(a, oo, b, kr, counts) }
                        }
                    }
                    (false, false) => {
                        for oo in o..o + mr {
                            for bb in b..b + nr {
                                // SAFETY: forwarded caller contract (the CPU supports tier K).
                                unsafe { tile::<K, 1, 1>(a, oo, bb, kr, counts) }
                            }
                        }
                    }
                }
                b += nr;
            }
            o += mr;
        }
        k0 = kr.1;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn gemm_avx2(a: &GemmArgs<'_>, counts: &mut [u64]) {
    // SAFETY: called only after AVX2 was detected. Small tiles leave room in
    // the 16 ymm registers for the nibble-table constants.
    unsafe {
        if a.nb == 1 {
            gemm_generic::<Avx2, 4, 1>(a, counts)
        } else {
            gemm_generic::<Avx2, 2, 2>(a, counts)
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vpopcntdq")]
unsafe fn gemm_avx512(a: &GemmArgs<'_>, counts: &mut [u64]) {
    // SAFETY: called only after AVX-512F/BW/VPOPCNTDQ were detected. A single
    // input streams 8 weight rows at a time; a batch uses 4 x 4 tiles (16 of
    // the 32 zmm registers as accumulators).
    unsafe {
        if a.nb == 1 {
            gemm_generic::<Avx512, 8, 1>(a, counts)
        } else {
            gemm_generic::<Avx512, 4, 4>(a, counts)
        }
    }
}

/// Adds `Σ_k popcount(w[o, k] & x[b, k])` into `counts[o * nb + b]` (see
/// [`GemmArgs`] for the layout), single-threaded, on tier `tier` (portable if
/// the CPU lacks it).
///
/// Panics if the operands are inconsistent (callers validate first).
pub fn and_popcount_gemm_serial(tier: Tier, a: &GemmArgs<'_>, counts: &mut [u64]) {
    let len = a.kr.1.checked_sub(a.kr.0).expect("k range is reversed");
    assert_eq!(counts.len(), a.rows * a.nb, "counts has the wrong size");
    assert_eq!(a.x.len(), a.nb * len, "x does not hold nb rows");
    if a.rows == 0 || a.nb == 0 || len == 0 {
        return;
    }
    assert!(a.kr.1 <= a.ld, "k range exceeds the row stride");
    assert!(
        a.w.len() >= (a.rows - 1) * a.ld + a.kr.1,
        "w does not hold the rows"
    );
    match tier.checked() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `checked()` confirmed the CPU supports AVX-512 VPOPCNTDQ.
        Tier::Avx512 => unsafe { gemm_avx512(a, counts) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `checked()` confirmed the CPU supports AVX2.
        Tier::Avx2 => unsafe { gemm_avx2(a, counts) },
        // SAFETY: the portable kernel needs no CPU feature.
        _ => unsafe { gemm_generic::<Portable, 2, 2>(a, counts) },
    }
}

/// [`and_popcount_gemm_serial`] for contiguous `w` (`rows × k`) and `x`
/// (`nb × k`).
pub fn and_popcount_gemm_dense(
    tier: Tier,
    w: &[u64],
    x: &[u64],
    k: usize,
    nb: usize,
    counts: &mut [u64],
) {
    let rows = w.len().checked_div(k).unwrap_or(0);
    assert_eq!(w.len(), rows * k, "w is not a whole number of rows");
    let a = GemmArgs {
        w,
        ld: k,
        kr: (0, k),
        rows,
        x,
        nb,
    };
    and_popcount_gemm_serial(tier, &a, counts);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::SplitMix64;

    fn tiers() -> Vec<Tier> {
        Tier::ALL.into_iter().filter(|t| t.is_supported()).collect()
    }

    #[test]
    fn total_and_per_word_match_portable() {
        let mut rng = SplitMix64::new(1);
        for nwords in 0..=200usize {
            let words: Vec<u64> = (0..nwords).map(|_| rng.sparse_word()).collect();
            let want: u64 = words.iter().map(|w| u64::from(w.count_ones())).sum();
            let want_pw: Vec<u64> = words.iter().map(|w| u64::from(w.count_ones())).collect();
            for t in tiers() {
                assert_eq!(popcount_total_serial(t, &words), want, "{t:?} n={nwords}");
                let mut got = vec![u64::MAX; nwords];
                popcount_per_word_serial(t, &words, &mut got);
                assert_eq!(got, want_pw, "{t:?} n={nwords}");
            }
        }
    }

    fn naive_gemm(w: &[u64], x: &[u64], k: usize, nb: usize) -> Vec<u64> {
        let rows = w.len().checked_div(k).unwrap_or(0);
        let mut c = vec![0u64; rows * nb];
        for o in 0..rows {
            for b in 0..nb {
                for kk in 0..k {
                    c[o * nb + b] += u64::from((w[o * k + kk] & x[b * k + kk]).count_ones());
                }
            }
        }
        c
    }

    #[test]
    fn gemm_matches_naive_all_tiers() {
        let mut rng = SplitMix64::new(2);
        let mut shapes = vec![(1, 1, 1), (4, 4, 8), (5, 3, 17), (9, 7, 200), (3, 1, 1031)];
        for _ in 0..40 {
            shapes.push((
                1 + rng.below(11) as usize,
                1 + rng.below(10) as usize,
                1 + rng.below(700) as usize,
            ));
        }
        // k > KC_BATCH with several input tiles exercises k-blocking.
        shapes.push((6, 9, 2 * KC_BATCH + 13));
        for (rows, nb, k) in shapes {
            let w: Vec<u64> = (0..rows * k).map(|_| rng.sparse_word()).collect();
            let x: Vec<u64> = (0..nb * k).map(|_| rng.sparse_word()).collect();
            let want = naive_gemm(&w, &x, k, nb);
            for t in tiers() {
                let mut got = vec![0u64; rows * nb];
                and_popcount_gemm_dense(t, &w, &x, k, nb, &mut got);
                assert_eq!(got, want, "{t:?} rows={rows} nb={nb} k={k}");
            }
        }
    }

    #[test]
    fn strided_column_ranges_add_up() {
        // Splitting k into column ranges over a strided view gives the dense result.
        let mut rng = SplitMix64::new(8);
        let (rows, nb, k) = (11, 6, 1000);
        let w: Vec<u64> = (0..rows * k).map(|_| rng.sparse_word()).collect();
        let x: Vec<u64> = (0..nb * k).map(|_| rng.sparse_word()).collect();
        let want = naive_gemm(&w, &x, k, nb);
        for t in tiers() {
            let mut got = vec![0u64; rows * nb];
            for kr in [(0, 3), (3, 517), (517, 1000)] {
                let len = kr.1 - kr.0;
                let xs: Vec<u64> = (0..nb)
                    .flat_map(|b| x[b * k + kr.0..b * k + kr.1].to_vec())
                    .collect();
                assert_eq!(xs.len(), nb * len);
                for (o0, o1) in [(0, 5), (5, 11)] {
                    let a = GemmArgs {
                        w: &w[o0 * k..],
                        ld: k,
                        kr,
                        rows: o1 - o0,
                        x: &xs,
                        nb,
                    };
                    and_popcount_gemm_serial(t, &a, &mut got[o0 * nb..o1 * nb]);
                }
            }
            assert_eq!(got, want, "{t:?}");
        }
    }

    #[test]
    fn tier_lanes_by_word_count() {
        // Every length 0..=200 words through the single-row GEMM (pure
        // AND+popcount), per tier against portable.
        let mut rng = SplitMix64::new(5);
        for k in 1..=200usize {
            let w: Vec<u64> = (0..k).map(|_| rng.next_u64()).collect();
            let x: Vec<u64> = (0..k).map(|_| rng.next_u64()).collect();
            let mut want = vec![0u64; 1];
            and_popcount_gemm_dense(Tier::Portable, &w, &x, k, 1, &mut want);
            for t in tiers() {
                let mut got = vec![0u64; 1];
                and_popcount_gemm_dense(t, &w, &x, k, 1, &mut got);
                assert_eq!(got, want, "{t:?} k={k}");
            }
        }
    }
}
