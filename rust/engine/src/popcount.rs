//! The popcount kernel families: total, per word, and the AND+popcount
//! "GEMM".
//!
//! The drivers below are generic over a tier's `PopcountLanes` token and
//! `#[inline(always)]`; each family's public function runs its `Kernel`
//! through `Dispatch::run`, which compiles the whole loop nest into that
//! tier's `#[target_feature]` trampoline (see the private `arch` module).
//!
//! The central kernel is a popcount "GEMM": for packed matrices `W`
//! (`rows × k` words) and `X` (`nb × k` words) it accumulates
//! `counts[o, b] += Σ_k popcount(W[o, k] & X[b, k])`, register-blocked over
//! `MR` weight rows × `NR` input rows so each loaded weight vector is reused
//! `NR` times from registers and each input vector `MR` times, and blocked over
//! `k` so a tile of weight rows stays in L1 while the whole batch passes by.

use crate::arch::{Dispatch, Kernel, PopcountLanes, Token};
use crate::simd::Tier;

// ---------------------------------------------------------------------------
// Total and per-word popcount.

/// The total number of set bits of `words`.
struct Total<'a> {
    words: &'a [u64],
}

impl Kernel for Total<'_> {
    type Output = u64;
    #[inline(always)]
    fn run<T: Token>(self, t: T) -> u64 {
        let words = self.words;
        let mut acc = [t.zero(); 4];
        let mut chunks = words.chunks_exact(4 * T::LANES);
        for c in &mut chunks {
            for (j, a) in acc.iter_mut().enumerate() {
                *a = t.pop_add(*a, t.load(&c[j * T::LANES..]));
            }
        }
        let mut rest = chunks.remainder();
        while rest.len() >= T::LANES {
            acc[0] = t.pop_add(acc[0], t.load(rest));
            rest = &rest[T::LANES..];
        }
        if !rest.is_empty() {
            acc[1] = t.pop_add(acc[1], t.load_partial(rest));
        }
        acc.iter().map(|&a| t.hsum(a)).sum()
    }
}

/// `dst[j] = popcount(src[j])` for `j < min(src.len(), dst.len())`.
struct PerWord<'a, 'b> {
    src: &'a [u64],
    dst: &'b mut [u64],
}

impl Kernel for PerWord<'_, '_> {
    type Output = ();
    #[inline(always)]
    fn run<T: Token>(self, t: T) {
        let n = self.src.len().min(self.dst.len());
        let (src, dst) = (&self.src[..n], &mut self.dst[..n]);
        let full = n - n % T::LANES;
        for (s, d) in src[..full]
            .chunks_exact(T::LANES)
            .zip(dst[..full].chunks_exact_mut(T::LANES))
        {
            t.pop_store(t.load(s), d);
        }
        for (s, d) in src[full..].iter().zip(dst[full..].iter_mut()) {
            *d = u64::from(s.count_ones());
        }
    }
}

/// Total number of set bits in `words` on tier `tier` (portable if the CPU
/// lacks it). Single-threaded.
pub fn popcount_total_serial(tier: Tier, words: &[u64]) -> u64 {
    Dispatch::new(tier).run(Total { words })
}

/// `dst[j] = popcount(src[j])` for `j < min(src.len(), dst.len())`, on tier
/// `tier` (portable if the CPU lacks it). Single-threaded.
pub fn popcount_per_word_serial(tier: Tier, src: &[u64], dst: &mut [u64]) {
    Dispatch::new(tier).run(PerWord { src, dst })
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
/// `counts[(o + r) * nb + b + j]`. (Indices are bounds-checked.)
#[inline(always)]
fn tile<T: PopcountLanes, const MR: usize, const NR: usize>(
    t: T,
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
    let zero = t.zero();
    let mut acc = [[zero; NR]; MR];
    let mut xv = [zero; NR];
    let mut kk = 0;
    while kk + T::LANES <= len {
        for j in 0..NR {
            xv[j] = t.load(&xr[j][kk..]);
        }
        for r in 0..MR {
            let wv = t.load(&wr[r][kk..]);
            for j in 0..NR {
                acc[r][j] = t.and_pop_add(acc[r][j], wv, xv[j]);
            }
        }
        kk += T::LANES;
    }
    if kk < len {
        for j in 0..NR {
            xv[j] = t.load_partial(&xr[j][kk..]);
        }
        for r in 0..MR {
            let wv = t.load_partial(&wr[r][kk..]);
            for j in 0..NR {
                acc[r][j] = t.and_pop_add(acc[r][j], wv, xv[j]);
            }
        }
    }
    for r in 0..MR {
        for j in 0..NR {
            counts[(o + r) * a.nb + b + j] += t.hsum(acc[r][j]);
        }
    }
}

/// The whole GEMM of `a` into `counts` with `MR × NR` register tiles.
/// (Indices are bounds-checked.)
#[inline(always)]
fn gemm_tiled<T: PopcountLanes, const MR: usize, const NR: usize>(
    t: T,
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
            .next_multiple_of(T::LANES)
            .max(T::LANES)
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
                    (true, true) => tile::<T, MR, NR>(t, a, o, b, kr, counts),
                    (true, false) => {
                        for bb in b..b + nr {
                            tile::<T, MR, 1>(t, a, o, bb, kr, counts);
                        }
                    }
                    (false, true) => {
                        for oo in o..o + mr {
                            tile::<T, 1, NR>(t, a, oo, b, kr, counts);
                        }
                    }
                    (false, false) => {
                        for oo in o..o + mr {
                            for bb in b..b + nr {
                                tile::<T, 1, 1>(t, a, oo, bb, kr, counts);
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

/// One GEMM call (operands already checked).
struct Gemm<'a, 'b> {
    a: &'b GemmArgs<'a>,
    counts: &'b mut [u64],
}

impl Kernel for Gemm<'_, '_> {
    type Output = ();
    #[inline(always)]
    fn run<T: Token>(self, t: T) {
        let Gemm { a, counts } = self;
        // Register tiles per tier (`T::TIER` is a constant, so only one arm
        // is compiled per tier). A single input streams several weight rows
        // at a time. AVX2 keeps its tiles small to leave room in the 16 ymm
        // registers for the nibble-table constants; AVX-512 uses 4 x 4 tiles
        // for a batch (16 of the 32 zmm registers as accumulators).
        match (T::TIER, a.nb == 1) {
            (Tier::Avx512, true) => gemm_tiled::<T, 8, 1>(t, a, counts),
            (Tier::Avx512, false) => gemm_tiled::<T, 4, 4>(t, a, counts),
            (Tier::Avx2, true) => gemm_tiled::<T, 4, 1>(t, a, counts),
            (Tier::Avx2, false) | (Tier::Portable, _) => gemm_tiled::<T, 2, 2>(t, a, counts),
        }
    }
}

/// Adds `Σ_k popcount(w[o, k] & x[b, k])` into `counts[o * nb + b]` (see
/// [`GemmArgs`] for the layout), single-threaded, on tier `tier` (portable if
/// the CPU lacks it).
///
/// Panics if the operands are inconsistent (callers validate first).
pub fn and_popcount_gemm_serial(tier: Tier, a: &GemmArgs<'_>, counts: &mut [u64]) {
    gemm_on(Dispatch::new(tier), a, counts);
}

/// [`and_popcount_gemm_serial`] on an already chosen tier.
pub(crate) fn gemm_on(dispatch: Dispatch, a: &GemmArgs<'_>, counts: &mut [u64]) {
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
    dispatch.run(Gemm { a, counts });
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
    use crate::testutil::{SplitMix64, tiers};

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
