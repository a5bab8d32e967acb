//! The AVX2 tier: 4 words per vector, nibble-table popcount (`vpshufb` +
//! `vpsadbw`), signed 16-bit compares for the encoder.

use std::arch::x86_64::*;

use crate::arch::{
    CELL_SUM_RUN, CellGeometry, CellLookup, Kernel, PopcountLanes, PrefixLookup, Token,
    WindowCompare, cell_count, cell_index, cell_sums_inputs, cell_sums_scalar,
};
use crate::simd::Tier;

/// Proof that this CPU supports AVX2 (and POPCNT, for scalar counts): made
/// only by [`Avx2::detect`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Avx2 {
    _detected: (),
}

impl Token for Avx2 {
    const TIER: Tier = Tier::Avx2;
}

impl Avx2 {
    /// The token, if this CPU supports AVX2 and POPCNT.
    pub(crate) fn detect() -> Option<Avx2> {
        let found = std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("popcnt");
        found.then_some(Avx2 { _detected: () })
    }

    /// Runs `kernel` compiled for AVX2.
    #[inline(always)]
    pub(crate) fn run<K: Kernel>(self, kernel: K) -> K::Output {
        // SAFETY: `run_avx2` requires only that the CPU supports AVX2 and
        // POPCNT, and `self` exists only because `detect` found both.
        unsafe { run_avx2(self, kernel) }
    }
}

/// The AVX2 trampoline: `kernel`'s inlined loop nest compiled for AVX2 (and
/// scalar POPCNT).
#[target_feature(enable = "avx2,popcnt")]
fn run_avx2<K: Kernel>(token: Avx2, kernel: K) -> K::Output {
    kernel.run(token)
}

// Every `unsafe` below runs AVX2 instructions, which `self` (an `Avx2`
// token) proves this CPU supports; memory accesses are argued one by one.

/// Per-64-bit-lane popcount of `v`: byte counts from a 16-entry nibble table
/// (`vpshufb`), summed per lane by `vpsadbw` against zero.
#[inline(always)]
fn popcnt_lanes(_token: Avx2, v: __m256i) -> __m256i {
    // SAFETY: register-only AVX2 arithmetic; `_token` proves AVX2.
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

impl PopcountLanes for Avx2 {
    const LANES: usize = 4;
    type V = __m256i;
    #[inline(always)]
    fn zero(self) -> __m256i {
        // SAFETY: AVX register zeroing; `self` proves AVX2.
        unsafe { _mm256_setzero_si256() }
    }
    #[inline(always)]
    fn load(self, s: &[u64]) -> __m256i {
        let s = &s[..4];
        // SAFETY: `s` holds exactly 4 words (32 bytes); unaligned load;
        // `self` proves AVX2.
        unsafe { _mm256_loadu_si256(s.as_ptr().cast()) }
    }
    #[inline(always)]
    fn load_partial(self, s: &[u64]) -> __m256i {
        let mut buf = [0u64; 4];
        let n = s.len().min(4);
        buf[..n].copy_from_slice(&s[..n]);
        // SAFETY: `buf` is a local 32-byte array; unaligned load; `self`
        // proves AVX2.
        unsafe { _mm256_loadu_si256(buf.as_ptr().cast()) }
    }
    #[inline(always)]
    fn and_pop_add(self, acc: __m256i, a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: register-only AVX2 arithmetic; `self` proves AVX2.
        unsafe { _mm256_add_epi64(acc, popcnt_lanes(self, _mm256_and_si256(a, b))) }
    }
    #[inline(always)]
    fn pop_add(self, acc: __m256i, a: __m256i) -> __m256i {
        // SAFETY: register-only AVX2 arithmetic; `self` proves AVX2.
        unsafe { _mm256_add_epi64(acc, popcnt_lanes(self, a)) }
    }
    #[inline(always)]
    fn hsum(self, acc: __m256i) -> u64 {
        let mut buf = [0u64; 4];
        // SAFETY: stores 32 bytes into the local 32-byte array `buf`; `self`
        // proves AVX2.
        unsafe { _mm256_storeu_si256(buf.as_mut_ptr().cast(), acc) };
        buf.iter().sum()
    }
    #[inline(always)]
    fn pop_store(self, a: __m256i, out: &mut [u64]) {
        let out = &mut out[..4];
        let counts = popcnt_lanes(self, a);
        // SAFETY: `out` holds exactly 4 words (32 bytes); unaligned store;
        // `self` proves AVX2.
        unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), counts) }
    }
    #[inline(always)]
    fn splat(self, w: u64) -> __m256i {
        // SAFETY: register-only AVX broadcast; `self` proves AVX2.
        unsafe { _mm256_set1_epi64x(w as i64) }
    }
    #[inline(always)]
    fn add(self, a: __m256i, b: __m256i) -> __m256i {
        // SAFETY: register-only AVX2 arithmetic; `self` proves AVX2.
        unsafe { _mm256_add_epi64(a, b) }
    }
    #[inline(always)]
    fn store(self, a: __m256i, out: &mut [u64]) {
        let out = &mut out[..4];
        // SAFETY: `out` holds exactly 4 words (32 bytes); unaligned store;
        // `self` proves AVX2.
        unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), a) }
    }
}

impl WindowCompare for Avx2 {
    /// The window with the sign bit flipped, so signed compares order it as
    /// unsigned values.
    type Win = [__m256i; 4];
    #[inline(always)]
    fn load_window(self, window: &[u16]) -> Self::Win {
        let w = &window[..64];
        // SAFETY: `w` has exactly 64 u16 = 128 bytes, read as four unaligned
        // 32-byte loads; `self` proves AVX2.
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
    fn xor_window(self, win: Self::Win, m: u16) -> Self::Win {
        // SAFETY: register-only AVX2 arithmetic; `self` proves AVX2. XOR
        // commutes with the sign flip `load_window` applied.
        unsafe {
            let m = _mm256_set1_epi16(m as i16);
            win.map(|v| _mm256_xor_si256(v, m))
        }
    }
    #[inline(always)]
    fn mask(self, win: Self::Win, thr: u16) -> u64 {
        // SAFETY: register-only AVX2 arithmetic; `self` proves AVX2.
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

/// Scalar lookups (with POPCNT): AVX2 gathers are not faster than them.
impl PrefixLookup for Avx2 {}

/// Cell-table lookups one output row at a time: eight inputs' cells
/// gathered at once (`vpgatherdd`), masked, and counted by the nibble table.
impl CellLookup for Avx2 {
    #[inline(always)]
    fn cell_sums(
        self,
        k: &[u32],
        k_stride: usize,
        rows: usize,
        cells: &[u32],
        g: CellGeometry,
        acc: &mut [u64],
    ) {
        let n = cell_sums_inputs(k, k_stride, rows, cells, g, acc);
        if n == 0 {
            return;
        }
        if i32::try_from(cells.len()).is_err() {
            // Gather offsets are i32 (the engine's blocks are far smaller).
            cell_sums_scalar(k, k_stride, rows, cells, g, acc);
            return;
        }
        let full = n - n % 8;
        for (r, total) in acc.iter_mut().enumerate().take(rows) {
            let ks = &k[r * k_stride..r * k_stride + n];
            let mut sum = 0u64;
            let mut i0 = 0;
            while i0 < full {
                let i1 = (i0 + CELL_SUM_RUN).min(full);
                // SAFETY: `self` proves AVX2; `gather_run` reads `ks[i0..i1]`
                // (`i1 <= full <= n = ks.len()`) and cells of inputs `i <
                // i1 <= n` at index `c <= n_cells - 1 < stride`, inside
                // `cells` (`n * stride` long, whose length fits i32).
                sum += unsafe { gather_run(self, ks, cells, g, (i0, i1)) };
                i0 = i1;
            }
            for (i, &kk) in (full..n).zip(&ks[full..]) {
                let c = cell_index(kk, g);
                sum += u64::from(cell_count(cells[i * g.stride + c], kk, c));
            }
            *total += sum;
        }
    }
}

/// The counts of inputs `i0..i1` (a multiple of 8 apart) for the `k` values
/// `ks`, eight inputs per gather.
///
/// # Safety
///
/// The CPU supports AVX2 (`token`); `i1 <= ks.len()`; `cells` holds `i1`
/// inputs of geometry `g` and its length fits i32.
#[inline(always)]
unsafe fn gather_run(
    token: Avx2,
    ks: &[u32],
    cells: &[u32],
    g: CellGeometry,
    inputs: (usize, usize),
) -> u64 {
    let (i0, i1) = inputs;
    let stride = g.stride as i32;
    // SAFETY: the caller's contract: each `ks` load reads 8 u32 at `i + 8 <=
    // i1`; gather lane `j` reads cell `(i + j) * stride + c` with `i + j <
    // i1` and `c <= n_cells - 1 < stride`, inside `cells`, and that offset
    // fits i32 because `cells.len()` does.
    unsafe {
        let one = _mm256_set1_epi32(1);
        let sixteen = _mm256_set1_epi32(16);
        let last = _mm256_set1_epi32((g.n_cells - 1) as i32);
        let lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        let mut base = _mm256_mullo_epi32(
            _mm256_add_epi32(lane, _mm256_set1_epi32(i0 as i32)),
            _mm256_set1_epi32(stride),
        );
        let step = _mm256_set1_epi32(8 * stride);
        // Prefixes summed in 32-bit lanes (a run's stay below 2^31), the
        // popcounts per 64-bit lane.
        let (mut prefixes, mut counts) = (_mm256_setzero_si256(), _mm256_setzero_si256());
        let mut i = i0;
        while i < i1 {
            let kv = _mm256_loadu_si256(ks.as_ptr().add(i).cast());
            let c = _mm256_min_epu32(_mm256_srli_epi32::<4>(kv), last);
            let low = _mm256_min_epu32(_mm256_sub_epi32(kv, _mm256_slli_epi32::<4>(c)), sixteen);
            let cell =
                _mm256_i32gather_epi32::<4>(cells.as_ptr().cast(), _mm256_add_epi32(base, c));
            let mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, low), one);
            counts = _mm256_add_epi64(counts, popcnt_lanes(token, _mm256_and_si256(cell, mask)));
            prefixes = _mm256_add_epi32(prefixes, _mm256_srli_epi32::<16>(cell));
            base = _mm256_add_epi32(base, step);
            i += 8;
        }
        let (mut p, mut q) = ([0u32; 8], [0u64; 4]);
        _mm256_storeu_si256(p.as_mut_ptr().cast(), prefixes);
        _mm256_storeu_si256(q.as_mut_ptr().cast(), counts);
        p.iter().map(|&v| u64::from(v)).sum::<u64>() + q.iter().sum::<u64>()
    }
}
