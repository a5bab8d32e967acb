//! The AVX-512 tier (AVX-512F + AVX-512BW + AVX-512 VPOPCNTDQ): 8 words per
//! vector with `vpopcntq`, unsigned 16-bit compares into mask registers for
//! the encoder.

use std::arch::x86_64::*;

use crate::arch::{
    CELL_SUM_RUN, CellGeometry, CellLookup, Kernel, PopcountLanes, PrefixLookup, Token,
    WindowCompare, cell_sums_inputs, prefix_sum_scalar,
};
use crate::simd::Tier;

/// Proof that this CPU supports AVX-512F, AVX-512BW and AVX-512 VPOPCNTDQ
/// (and POPCNT): made only by [`Avx512::detect`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Avx512 {
    _detected: (),
}

impl Token for Avx512 {
    const TIER: Tier = Tier::Avx512;
}

impl Avx512 {
    /// The token, if this CPU supports all three extensions (and POPCNT).
    pub(crate) fn detect() -> Option<Avx512> {
        let found = std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vpopcntdq")
            && std::arch::is_x86_feature_detected!("popcnt");
        found.then_some(Avx512 { _detected: () })
    }

    /// Runs `kernel` compiled for AVX-512F/BW/VPOPCNTDQ.
    #[inline(always)]
    pub(crate) fn run<K: Kernel>(self, kernel: K) -> K::Output {
        // SAFETY: `run_avx512` requires only that the CPU supports
        // AVX-512F/BW/VPOPCNTDQ and POPCNT, and `self` exists only because
        // `detect` found all four.
        unsafe { run_avx512(self, kernel) }
    }
}

/// The AVX-512 trampoline: `kernel`'s inlined loop nest compiled for
/// AVX-512F/BW/VPOPCNTDQ (and scalar POPCNT, which every such CPU has).
#[target_feature(enable = "avx512f,avx512bw,avx512vpopcntdq,popcnt")]
fn run_avx512<K: Kernel>(token: Avx512, kernel: K) -> K::Output {
    kernel.run(token)
}

// Every `unsafe` below runs AVX-512F/BW/VPOPCNTDQ instructions, which `self`
// (an `Avx512` token) proves this CPU supports; memory accesses are argued
// one by one.

impl PopcountLanes for Avx512 {
    const LANES: usize = 8;
    type V = __m512i;
    #[inline(always)]
    fn zero(self) -> __m512i {
        // SAFETY: register zeroing; `self` proves AVX-512F.
        unsafe { _mm512_setzero_si512() }
    }
    #[inline(always)]
    fn load(self, s: &[u64]) -> __m512i {
        let s = &s[..8];
        // SAFETY: `s` holds exactly 8 words (64 bytes); unaligned load;
        // `self` proves AVX-512F.
        unsafe { _mm512_loadu_si512(s.as_ptr().cast()) }
    }
    #[inline(always)]
    fn load_partial(self, s: &[u64]) -> __m512i {
        let n = s.len().min(8);
        let mask: __mmask8 = ((1u32 << n) - 1) as __mmask8;
        // SAFETY: a masked load reads only the lanes whose mask bit is set,
        // i.e. the first `n <= s.len()` words of `s`; masked-off lanes are
        // not accessed (no fault) and read as zero; `self` proves AVX-512F.
        unsafe { _mm512_maskz_loadu_epi64(mask, s.as_ptr().cast()) }
    }
    #[inline(always)]
    fn and_pop_add(self, acc: __m512i, a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: register-only arithmetic; `self` proves AVX-512F/VPOPCNTDQ.
        unsafe { _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_and_si512(a, b))) }
    }
    #[inline(always)]
    fn pop_add(self, acc: __m512i, a: __m512i) -> __m512i {
        // SAFETY: register-only arithmetic; `self` proves AVX-512F/VPOPCNTDQ.
        unsafe { _mm512_add_epi64(acc, _mm512_popcnt_epi64(a)) }
    }
    #[inline(always)]
    fn hsum(self, acc: __m512i) -> u64 {
        // SAFETY: register-only reduction; `self` proves AVX-512F.
        unsafe { _mm512_reduce_add_epi64(acc) as u64 }
    }
    #[inline(always)]
    fn pop_store(self, a: __m512i, out: &mut [u64]) {
        let out = &mut out[..8];
        // SAFETY: `out` holds exactly 8 words (64 bytes); unaligned store;
        // `self` proves AVX-512F/VPOPCNTDQ.
        unsafe { _mm512_storeu_si512(out.as_mut_ptr().cast(), _mm512_popcnt_epi64(a)) }
    }
    #[inline(always)]
    fn splat(self, w: u64) -> __m512i {
        // SAFETY: register-only broadcast; `self` proves AVX-512F.
        unsafe { _mm512_set1_epi64(w as i64) }
    }
    #[inline(always)]
    fn add(self, a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: register-only arithmetic; `self` proves AVX-512F.
        unsafe { _mm512_add_epi64(a, b) }
    }
    #[inline(always)]
    fn store(self, a: __m512i, out: &mut [u64]) {
        let out = &mut out[..8];
        // SAFETY: `out` holds exactly 8 words (64 bytes); unaligned store;
        // `self` proves AVX-512F.
        unsafe { _mm512_storeu_si512(out.as_mut_ptr().cast(), a) }
    }
}

/// `vpermt2w` indices that reorder a 64-entry window so that `vpacksswb` of
/// the two halves (which interleaves 8-lane groups per 128-bit lane) leaves
/// the bytes in stream order: first half `16 * (e / 8) + e % 8`, second half
/// the same plus 8.
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

impl WindowCompare for Avx512 {
    type Win = [__m512i; 2];
    #[inline(always)]
    fn load_window(self, window: &[u16]) -> Self::Win {
        let w = &window[..64];
        // SAFETY: `w` has exactly 64 u16 = 128 bytes, read as two unaligned
        // 64-byte loads; each `PACK_ORDER` row is 32 u16 = 64 bytes; `self`
        // proves AVX-512F/BW.
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
    fn xor_window(self, win: Self::Win, m: u16) -> Self::Win {
        // SAFETY: register-only arithmetic; `self` proves AVX-512F. XOR with
        // one value in every lane commutes with `load_window`'s lane order.
        unsafe {
            let m = _mm512_set1_epi16(m as i16);
            [_mm512_xor_si512(win[0], m), _mm512_xor_si512(win[1], m)]
        }
    }
    #[inline(always)]
    fn mask(self, win: Self::Win, thr: u16) -> u64 {
        // SAFETY: register-only arithmetic; `self` proves AVX-512F/BW.
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
    fn mask_once(self, window: &[u16], thr: u16) -> u64 {
        let w = &window[..64];
        // SAFETY: `w` has exactly 64 u16 = 128 bytes, read as two unaligned
        // 64-byte loads; `self` proves AVX-512F/BW.
        unsafe {
            let p = w.as_ptr().cast::<__m512i>();
            let t = _mm512_set1_epi16(thr as i16);
            let lo = _mm512_cmplt_epu16_mask(_mm512_loadu_si512(p), t);
            let hi = _mm512_cmplt_epu16_mask(_mm512_loadu_si512(p.add(1)), t);
            u64::from(lo) | (u64::from(hi) << 32)
        }
    }
    #[inline(always)]
    fn mask_once_xor(self, window: &[u16], m: u16, thr: u16) -> u64 {
        let w = &window[..64];
        // SAFETY: `w` has exactly 64 u16 = 128 bytes, read as two unaligned
        // 64-byte loads; `self` proves AVX-512F/BW.
        unsafe {
            let p = w.as_ptr().cast::<__m512i>();
            let t = _mm512_set1_epi16(thr as i16);
            let m = _mm512_set1_epi16(m as i16);
            let lo = _mm512_cmplt_epu16_mask(_mm512_xor_si512(_mm512_loadu_si512(p), m), t);
            let hi = _mm512_cmplt_epu16_mask(_mm512_xor_si512(_mm512_loadu_si512(p.add(1)), m), t);
            u64::from(lo) | (u64::from(hi) << 32)
        }
    }
}

/// Eight inputs at a time: their pairs gathered (`vpgatherqq`) by index,
/// masked, counted (`vpopcntq`) and summed per lane.
impl PrefixLookup for Avx512 {
    #[inline(always)]
    fn prefix_sum(self, ks: &[u32], table: &[u64], stride: usize) -> u64 {
        let n = ks.len();
        assert!(
            stride >= 2 && table.len() >= n * stride,
            "prefix table too short"
        );
        let full = n - n % 8;
        let last = (stride / 2 - 1) as u64;
        // SAFETY: `self` proves AVX-512F/VPOPCNTDQ. Each `ks` load reads 8
        // u32 = 32 bytes at `ks[i..i + 8]`, `i + 8 <= full <= n`. Lane `j`
        // of a gather reads word `(i + j) * stride + 2 * min(k / 64, last)`
        // (+ 1 for the prefix) `<= (i + j) * stride + stride - 1 <
        // n * stride <= table.len()`: inside `table`.
        let sum = unsafe {
            let ptr = table.as_ptr().cast::<i64>();
            let lane = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
            let stride_v = _mm512_set1_epi64(stride as i64);
            let mut base = _mm512_mul_epu32(lane, stride_v);
            let step = _mm512_set1_epi64((8 * stride) as i64);
            let last_v = _mm512_set1_epi64(last as i64);
            let (one, low6) = (_mm512_set1_epi64(1), _mm512_set1_epi64(63));
            let mut acc = _mm512_setzero_si512();
            let mut i = 0;
            while i < full {
                let k = _mm512_cvtepu32_epi64(_mm256_loadu_si256(ks.as_ptr().add(i).cast()));
                let w = _mm512_min_epu64(_mm512_srli_epi64::<6>(k), last_v);
                let at = _mm512_add_epi64(base, _mm512_slli_epi64::<1>(w));
                let word = _mm512_i64gather_epi64::<8>(at, ptr);
                let prefix = _mm512_i64gather_epi64::<8>(_mm512_add_epi64(at, one), ptr);
                let mask = _mm512_sub_epi64(_mm512_sllv_epi64(one, _mm512_and_si512(k, low6)), one);
                let count = _mm512_popcnt_epi64(_mm512_and_si512(word, mask));
                acc = _mm512_add_epi64(acc, _mm512_add_epi64(prefix, count));
                base = _mm512_add_epi64(base, step);
                i += 8;
            }
            _mm512_reduce_add_epi64(acc) as u64
        };
        sum + prefix_sum_scalar(&ks[full..], &table[full * stride..], stride)
    }
}

/// Groups of 32 cells selected by permutes up to this many (256 cells, 4096
/// bits); longer streams gather their cells.
const PERMUTE_GROUPS: usize = 8;

/// Cell-table lookups sixteen output rows at a time: a 16 x 16 tile of `k`
/// (rows by inputs) is transposed in registers, so each vector holds one
/// input's `k` for the sixteen rows, and that input's cells are picked by
/// two-table permutes (`vpermt2d`) from its whole table (or gathered, for
/// long streams), masked and counted (`vpopcntd`).
impl CellLookup for Avx512 {
    /// The words' sixteen counts (`vpopcntd`) summed across lanes in four
    /// shift-and-add steps.
    #[inline(always)]
    fn cells_of(self, words: [u64; 4], prefix: u32, out: &mut [u32]) -> u32 {
        let out = &mut out[..16];
        let [a, b, c, d] = words.map(|w| w as i64);
        // SAFETY: `self` proves AVX-512F/VPOPCNTDQ; the store writes the 16
        // u32 of `out`.
        unsafe {
            let word = _mm512_cvtepu16_epi32(_mm256_set_epi64x(d, c, b, a));
            let count = _mm512_popcnt_epi32(word);
            let zero = _mm512_setzero_si512();
            // Lane j: the counts of lanes 0..=j.
            let mut upto = count;
            upto = _mm512_add_epi32(upto, _mm512_alignr_epi32::<15>(upto, zero));
            upto = _mm512_add_epi32(upto, _mm512_alignr_epi32::<14>(upto, zero));
            upto = _mm512_add_epi32(upto, _mm512_alignr_epi32::<12>(upto, zero));
            upto = _mm512_add_epi32(upto, _mm512_alignr_epi32::<8>(upto, zero));
            let before = _mm512_add_epi32(
                _mm512_sub_epi32(upto, count),
                _mm512_set1_epi32(prefix as i32),
            );
            let cells = _mm512_or_si512(_mm512_slli_epi32::<16>(before), word);
            _mm512_storeu_si512(out.as_mut_ptr().cast(), cells);
            let total = _mm512_reduce_add_epi32(count) as u32;
            prefix + total
        }
    }

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
        let mut i0 = 0;
        while i0 < n {
            let i1 = (i0 + CELL_SUM_RUN).min(n);
            let mut lanes = [0u32; 16];
            // SAFETY: `self` proves AVX-512F/BW/VPOPCNTDQ. `cell_run` reads
            // `k` at `q * k_stride + i` for rows `q < rows` and inputs `i <
            // i1 <= n` only (inside `k`, as `cell_sums_inputs` asserted),
            // and the cells of inputs `i < n` only (inside `cells`, which
            // holds `n * stride`); the store writes the 16 u32 of `lanes`.
            unsafe {
                let sum = cell_run(self, (k, k_stride, rows), cells, g, (i0, i1));
                _mm512_storeu_si512(lanes.as_mut_ptr().cast(), sum);
            }
            for (a, &s) in acc.iter_mut().zip(&lanes).take(rows) {
                *a += u64::from(s);
            }
            i0 = i1;
        }
    }
}

/// The 32-bit lane sums (lane `q` for row `q`) of inputs `i0..i1` of
/// [`CellLookup::cell_sums`].
///
/// # Safety
///
/// The CPU supports AVX-512F/BW/VPOPCNTDQ (`_token`); `rows <= 16`; `k`
/// holds `(rows - 1) * k_stride + i1` values; `cells` holds `i1` inputs of
/// geometry `g` (whose `stride` is a multiple of 32 and at least `n_cells
/// >= 1`).
#[inline(always)]
unsafe fn cell_run(
    _token: Avx512,
    k: (&[u32], usize, usize),
    cells: &[u32],
    g: CellGeometry,
    inputs: (usize, usize),
) -> __m512i {
    let (k, k_stride, rows) = k;
    let (i0, i1) = inputs;
    let groups = g.n_cells.div_ceil(32);
    // SAFETY: the caller's contract. Masked loads read only their live
    // lanes: row `q < rows`, inputs `i .. i + m <= i1`. An input's table
    // loads read cells `32j .. 32j + 32 <= 32 * groups = stride` of its own
    // stride; its gather reads cell `c <= n_cells - 1`.
    unsafe {
        let one = _mm512_set1_epi32(1);
        let sixteen = _mm512_set1_epi32(16);
        let last = _mm512_set1_epi32((g.n_cells - 1) as i32);
        let mut sum = _mm512_setzero_si512();
        let mut i = i0;
        while i < i1 {
            let m = (i1 - i).min(16);
            let live = ((1u32 << m) - 1) as __mmask16;
            let mut tile = [_mm512_setzero_si512(); 16];
            for (q, row) in tile.iter_mut().enumerate().take(rows) {
                *row = _mm512_maskz_loadu_epi32(live, k.as_ptr().add(q * k_stride + i).cast());
            }
            transpose16(_token, &mut tile);
            for (p, &kv) in tile.iter().enumerate().take(m) {
                let table = cells.as_ptr().add((i + p) * g.stride);
                let c = _mm512_min_epu32(_mm512_srli_epi32::<4>(kv), last);
                let low =
                    _mm512_min_epu32(_mm512_sub_epi32(kv, _mm512_slli_epi32::<4>(c)), sixteen);
                let cell = if groups <= PERMUTE_GROUPS {
                    permute_cells(table, c, groups)
                } else {
                    _mm512_i32gather_epi32::<4>(c, table.cast())
                };
                let mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, low), one);
                let count = _mm512_popcnt_epi32(_mm512_and_si512(cell, mask));
                sum = _mm512_add_epi32(sum, _mm512_add_epi32(_mm512_srli_epi32::<16>(cell), count));
            }
            i += m;
        }
        sum
    }
}

/// Lane `q`: cell `c[q]` of the table at `table` (`groups` groups of 32
/// cells), picked from each group by a two-table permute and kept where
/// `c[q] / 32` is that group.
///
/// # Safety
///
/// AVX-512F; `table` points at `32 * groups` readable u32.
#[inline(always)]
unsafe fn permute_cells(table: *const u32, c: __m512i, groups: usize) -> __m512i {
    // SAFETY: the caller's contract: group `j < groups` reads `table[32j ..
    // 32j + 32]`.
    unsafe {
        let pick = |j: usize| {
            let lo = _mm512_loadu_si512(table.add(32 * j).cast());
            let hi = _mm512_loadu_si512(table.add(32 * j + 16).cast());
            _mm512_permutex2var_epi32(lo, c, hi)
        };
        let mut cell = pick(0);
        let group = _mm512_srli_epi32::<5>(c);
        for j in 1..groups {
            let here = _mm512_cmpeq_epi32_mask(group, _mm512_set1_epi32(j as i32));
            cell = _mm512_mask_mov_epi32(cell, here, pick(j));
        }
        cell
    }
}

/// Transposes a 16 x 16 tile of u32 in place: afterwards lane `q` of `r[p]`
/// is what lane `p` of `r[q]` was.
#[inline(always)]
fn transpose16(_token: Avx512, r: &mut [__m512i; 16]) {
    // SAFETY: register-only AVX-512F shuffles; `_token` proves AVX-512F.
    unsafe {
        let mut t = [_mm512_setzero_si512(); 16];
        // Rows 2j, 2j + 1 interleaved by 32-bit element.
        for j in 0..8 {
            t[2 * j] = _mm512_unpacklo_epi32(r[2 * j], r[2 * j + 1]);
            t[2 * j + 1] = _mm512_unpackhi_epi32(r[2 * j], r[2 * j + 1]);
        }
        // Within each 128-bit lane, rows 4j .. 4j + 4 transposed: r[4j + e]
        // holds element e of those four rows.
        for j in 0..4 {
            for h in 0..2 {
                let (a, b) = (t[4 * j + h], t[4 * j + 2 + h]);
                r[4 * j + 2 * h] = _mm512_unpacklo_epi64(a, b);
                r[4 * j + 2 * h + 1] = _mm512_unpackhi_epi64(a, b);
            }
        }
        // The 128-bit lanes: first pairs of row groups, then the halves.
        for j in 0..2 {
            for h in 0..4 {
                let (a, b) = (r[8 * j + h], r[8 * j + 4 + h]);
                t[8 * j + h] = _mm512_shuffle_i32x4::<0x88>(a, b);
                t[8 * j + 4 + h] = _mm512_shuffle_i32x4::<0xdd>(a, b);
            }
        }
        for h in 0..8 {
            r[h] = _mm512_shuffle_i32x4::<0x88>(t[h], t[8 + h]);
            r[8 + h] = _mm512_shuffle_i32x4::<0xdd>(t[h], t[8 + h]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose16_transposes() {
        let Some(token) = Avx512::detect() else {
            // The CPU lacks the tier; `supported_tiers` leaves it out of
            // every cross-check too.
            return;
        };
        let m: Vec<u32> = (0..256).collect();
        let mut out = [[0u32; 16]; 16];
        // SAFETY: `token` proves AVX-512F; each load reads row `q`'s 16 u32
        // of `m` (256 long), each store writes the 16 u32 of `out[p]`.
        unsafe {
            let mut r = [_mm512_setzero_si512(); 16];
            for (q, row) in r.iter_mut().enumerate() {
                *row = _mm512_loadu_si512(m.as_ptr().add(16 * q).cast());
            }
            transpose16(token, &mut r);
            for (p, row) in out.iter_mut().enumerate() {
                _mm512_storeu_si512(row.as_mut_ptr().cast(), r[p]);
            }
        }
        for (p, row) in out.iter().enumerate() {
            for (q, &v) in row.iter().enumerate() {
                assert_eq!(v as usize, 16 * q + p, "lane {q} of row {p}");
            }
        }
    }
}
