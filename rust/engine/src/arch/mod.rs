//! The SIMD tiers as code: CPU-feature tokens, their vector primitives, and
//! the one place where a tier is turned into running code.
//!
//! * [`portable`] (every target), `x86_64::avx2` and `x86_64::avx512` each
//!   define a *token*: a zero-sized value that proves the running CPU executes
//!   that tier. The x86-64 tokens have a private field and are made only by
//!   their `detect()`, after runtime feature detection succeeded, so their
//!   primitives ([`PopcountLanes`], [`WindowCompare`]) are safe methods.
//! * A kernel family (popcount, AND+popcount GEMM, element-wise operations,
//!   LFSR compare-and-pack) describes one call as a [`Kernel`] value whose
//!   `run` is generic over the token and `#[inline(always)]`.
//! * Each x86-64 token runs a [`Kernel`] inside its one `#[target_feature]`
//!   trampoline, so the whole loop nest is compiled for that instruction set;
//!   calling the trampoline is that tier's only `unsafe` dispatch, justified
//!   by the token.
//! * [`Dispatch`] holds the token of the tier chosen for a call; its
//!   [`Dispatch::run`] is the single dispatch point of every kernel family.

use crate::simd::Tier;

pub(crate) mod portable;
#[cfg(target_arch = "x86_64")]
pub(crate) mod x86_64;

pub(crate) use portable::Portable;
#[cfg(target_arch = "x86_64")]
pub(crate) use x86_64::{Avx2, Avx512};

/// A tier's vector of `LANES` 64-bit words, as the popcount kernels use it.
pub(crate) trait PopcountLanes: Copy {
    /// 64-bit words per vector.
    const LANES: usize;
    /// The vector type (also used as a per-lane `u64` accumulator).
    type V: Copy;
    /// All-zero vector.
    fn zero(self) -> Self::V;
    /// Loads the first `LANES` words of `s` (panics if `s` is shorter).
    fn load(self, s: &[u64]) -> Self::V;
    /// Loads `s.len() < LANES` words, zero-filling the remaining lanes.
    fn load_partial(self, s: &[u64]) -> Self::V;
    /// `acc + popcount(a & b)` per lane.
    fn and_pop_add(self, acc: Self::V, a: Self::V, b: Self::V) -> Self::V;
    /// `acc + popcount(a)` per lane.
    fn pop_add(self, acc: Self::V, a: Self::V) -> Self::V;
    /// Sum of all lanes.
    fn hsum(self, acc: Self::V) -> u64;
    /// Stores `popcount` of each lane of `a` into `out[..LANES]` (panics if
    /// `out` is shorter).
    fn pop_store(self, a: Self::V, out: &mut [u64]);
    /// The vector with `w` in every lane.
    fn splat(self, w: u64) -> Self::V;
    /// `a + b` per lane (wrapping).
    fn add(self, a: Self::V, b: Self::V) -> Self::V;
    /// Stores the lanes of `a` into `out[..LANES]` (panics if `out` is shorter).
    fn store(self, a: Self::V, out: &mut [u64]);
}

/// A tier's comparator for the stream encoder: bit `j` of
/// `mask(load_window(window), thr)` is `window[j] < thr`, and of
/// `mask(xor_window(load_window(window), m), thr)` is `(window[j] ^ m) < thr`.
/// A window is loaded once and compared against the thresholds of every
/// batch row.
pub(crate) trait WindowCompare: Copy {
    /// A loaded window of 64 sequence values.
    type Win: Copy;
    /// Loads `window[..64]` (panics if shorter).
    fn load_window(self, window: &[u16]) -> Self::Win;
    /// The loaded window with every value XORed with `m`.
    fn xor_window(self, win: Self::Win, m: u16) -> Self::Win;
    /// The 64-bit mask of `win[j] < thr`.
    fn mask(self, win: Self::Win, thr: u16) -> u64;
    /// `mask(load_window(window), thr)` for a window used only once.
    #[inline(always)]
    fn mask_once(self, window: &[u16], thr: u16) -> u64 {
        self.mask(self.load_window(window), thr)
    }
    /// `mask(xor_window(load_window(window), m), thr)` for a window used only once.
    #[inline(always)]
    fn mask_once_xor(self, window: &[u16], m: u16, thr: u16) -> u64 {
        self.mask(self.xor_window(self.load_window(window), m), thr)
    }
}

/// A tier's prefix lookups for the prepared path (`crate::prepared`).
///
/// `table` holds, per input `i`, `stride` words from `i * stride`: pairs
/// `(word, prefix)`, where `prefix` counts the set bits of the words before
/// `word`. Input `i`'s lookup for `k` reads pair `w = k / 64` (the last
/// pair if `k / 64` is past it) and counts `prefix + popcount(word & low
/// k % 64 bits)`.
pub(crate) trait PrefixLookup: Copy {
    /// `Σ_i lookup(i, ks[i])` for `i < ks.len()` (panics if `table` holds
    /// fewer than `ks.len() * stride` words or `stride < 2`).
    #[inline(always)]
    fn prefix_sum(self, ks: &[u32], table: &[u64], stride: usize) -> u64 {
        prefix_sum_scalar(ks, table, stride)
    }
}

/// [`PrefixLookup::prefix_sum`], one input at a time.
#[inline(always)]
pub(crate) fn prefix_sum_scalar(ks: &[u32], table: &[u64], stride: usize) -> u64 {
    assert!(
        stride >= 2 && table.len() >= ks.len() * stride,
        "prefix table too short"
    );
    let last = stride / 2 - 1;
    let mut sum = 0u64;
    for (cells, &k) in table.chunks_exact(stride).zip(ks) {
        let at = 2 * (k as usize / 64).min(last);
        let low = (1u64 << (k % 64)) - 1;
        sum += cells[at + 1] + u64::from((cells[at] & low).count_ones());
    }
    sum
}

/// The geometry of the prepared path's single-row cell table
/// (`crate::prepared`): per input, `stride` u32 cells, of which the first
/// `n_cells` are the input's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CellGeometry {
    /// Cells of one input, `ceil(length / 16)` (at least 1).
    pub(crate) n_cells: usize,
    /// Cells from one input to the next: `n_cells` rounded up to a multiple
    /// of [`CellGeometry::ALIGN`], so a tier may load whole groups of 32.
    pub(crate) stride: usize,
}

impl CellGeometry {
    /// `stride` is a multiple of this.
    pub(crate) const ALIGN: usize = 32;

    /// The geometry for streams of `length >= 1` bits.
    pub(crate) fn new(length: usize) -> CellGeometry {
        let n_cells = length.div_ceil(16).max(1);
        CellGeometry {
            n_cells,
            stride: n_cells.next_multiple_of(Self::ALIGN),
        }
    }
}

/// Inputs whose lookups a tier may sum in 32-bit lanes before it widens the
/// sums: one lookup counts at most 65536 (a cell table holds streams of at
/// most 65536 bits), so a run's lane sums stay below 2^31.
pub(crate) const CELL_SUM_RUN: usize = 1 << 15;

/// The count of one lookup in a cell table: `cell` is `prefix << 16 |
/// word`, `c` its index and `k` the prefix length in bits; counts `prefix +
/// popcount(word & low (k - 16c) bits)` (at most 16 bits of `word`).
#[inline(always)]
pub(crate) fn cell_count(cell: u32, k: u32, c: usize) -> u32 {
    let low = (k as usize).saturating_sub(16 * c).min(16);
    (cell >> 16) + (cell & ((1u32 << low) - 1)).count_ones()
}

/// The cell that input `k`'s lookup reads: `min(k / 16, n_cells - 1)`.
#[inline(always)]
pub(crate) fn cell_index(k: u32, g: CellGeometry) -> usize {
    (k as usize / 16).min(g.n_cells - 1)
}

/// A tier's lookups in the prepared path's single-row cell table
/// (`crate::prepared`).
///
/// `cells` holds, per input `i`, cells `i * stride ..` of a
/// [`CellGeometry`]: cell `c` is `prefix << 16 | word`, where `word` holds
/// bits `16c .. 16c + 16` of the input's ordered bits and `prefix` counts the
/// set bits before them. Input `i`'s lookup for `k` reads cell `c =
/// min(k / 16, n_cells - 1)` and counts [`cell_count`].
pub(crate) trait CellLookup: Copy {
    /// Writes the sixteen cells of the 256 bits `words` (16-bit words in
    /// order, low bits first) into `out[..16]`, their prefixes counted from
    /// `prefix`; returns `prefix` plus the set bits of `words` (panics if
    /// `out` is shorter).
    #[inline(always)]
    fn cells_of(self, words: [u64; 4], prefix: u32, out: &mut [u32]) -> u32 {
        cells_of_scalar(words, prefix, out)
    }

    /// For `rows <= 16` output rows: `acc[r] += Σ_i lookup(i, k[r * k_stride
    /// + i])` over the `cells.len() / stride` inputs of `cells` (panics if
    /// `k` or `acc` is too short, `rows > 16` or the geometry is not one of
    /// [`CellGeometry::new`]).
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
        cell_sums_scalar(k, k_stride, rows, cells, g, acc);
    }
}

/// [`CellLookup::cells_of`], one cell at a time.
#[inline(always)]
pub(crate) fn cells_of_scalar(words: [u64; 4], mut prefix: u32, out: &mut [u32]) -> u32 {
    for (c, cell) in out[..16].iter_mut().enumerate() {
        let word = (words[c / 4] >> (16 * (c % 4))) as u16;
        *cell = (prefix << 16) | u32::from(word);
        prefix += word.count_ones();
    }
    prefix
}

/// Checks the arguments of [`CellLookup::cell_sums`] (panicking as it
/// documents) and returns the number of inputs to add, 0 when there is
/// nothing to add; past it, every tier may rely on `k`'s rows of `n`
/// counts, `acc`'s `rows` sums and `cells`' `n * g.stride` cells.
#[inline(always)]
pub(crate) fn cell_sums_inputs(
    k: &[u32],
    k_stride: usize,
    rows: usize,
    cells: &[u32],
    g: CellGeometry,
    acc: &[u64],
) -> usize {
    assert!(
        rows <= 16 && acc.len() >= rows,
        "cell_sums takes at most 16 rows"
    );
    assert!(
        g.stride.is_multiple_of(CellGeometry::ALIGN) && (1..=g.stride).contains(&g.n_cells),
        "not a cell geometry"
    );
    let n = cells.len() / g.stride;
    if rows == 0 || n == 0 {
        return 0;
    }
    assert!(k.len() >= (rows - 1) * k_stride + n, "k too short");
    n
}

/// [`CellLookup::cell_sums`], one lookup at a time.
#[inline(always)]
pub(crate) fn cell_sums_scalar(
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
    for (r, total) in acc.iter_mut().enumerate().take(rows) {
        let ks = &k[r * k_stride..r * k_stride + n];
        // A local sum: adding into `total` each time would chain every
        // lookup through memory.
        let mut sum = 0u64;
        for (input, &kk) in cells.chunks_exact(g.stride).zip(ks) {
            let c = cell_index(kk, g);
            sum += u64::from(cell_count(input[c], kk, c));
        }
        *total += sum;
    }
}

/// Proof that the running CPU executes one tier, and that tier's primitives.
pub(crate) trait Token:
    PopcountLanes + WindowCompare + PrefixLookup + CellLookup + Send + Sync
{
    /// The tier this token proves.
    const TIER: Tier;
}

/// One call of a kernel family, to be run with some tier's primitives.
pub(crate) trait Kernel {
    /// What the call returns.
    type Output;
    /// Runs the call with the primitives of `token`'s tier. Implementations
    /// are `#[inline(always)]` so that they are compiled into the tier's
    /// `#[target_feature]` trampoline.
    fn run<T: Token>(self, token: T) -> Self::Output;
}

/// The token of the tier a call runs on.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Dispatch {
    /// Plain Rust.
    Portable(Portable),
    /// x86-64 AVX2.
    #[cfg(target_arch = "x86_64")]
    Avx2(Avx2),
    /// x86-64 AVX-512F + BW + VPOPCNTDQ.
    #[cfg(target_arch = "x86_64")]
    Avx512(Avx512),
}

impl Dispatch {
    /// The token of `tier`, or portable's when this CPU lacks `tier`.
    pub(crate) fn new(tier: Tier) -> Dispatch {
        match tier {
            #[cfg(target_arch = "x86_64")]
            Tier::Avx512 => Avx512::detect().map_or(Dispatch::Portable(Portable), Dispatch::Avx512),
            #[cfg(target_arch = "x86_64")]
            Tier::Avx2 => Avx2::detect().map_or(Dispatch::Portable(Portable), Dispatch::Avx2),
            _ => Dispatch::Portable(Portable),
        }
    }

    /// The tier of the token.
    pub(crate) fn tier(self) -> Tier {
        match self {
            Dispatch::Portable(_) => Tier::Portable,
            #[cfg(target_arch = "x86_64")]
            Dispatch::Avx2(_) => Tier::Avx2,
            #[cfg(target_arch = "x86_64")]
            Dispatch::Avx512(_) => Tier::Avx512,
        }
    }

    /// Runs `kernel` on this tier: the dispatch point of every kernel family.
    #[inline(always)]
    pub(crate) fn run<K: Kernel>(self, kernel: K) -> K::Output {
        match self {
            Dispatch::Portable(token) => kernel.run(token),
            #[cfg(target_arch = "x86_64")]
            Dispatch::Avx2(token) => token.run(kernel),
            #[cfg(target_arch = "x86_64")]
            Dispatch::Avx512(token) => token.run(kernel),
        }
    }
}
