//! The 16-bit Fibonacci LFSR comparator encoder (docs/design.md#encoder),
//! and the encoder every stream generator shares
//! (docs/design.md#stream-generators, [`crate::generators`]).
//!
//! Input `i` with probability `p_i` becomes the packed bitstream whose bit `t`
//! is `r_t < x_i`, where `x_i = round_half_even(p_i * 65536)` and `r_t` is the
//! LFSR register after `t` steps from `r_0 = (seed + i) mod 65536` (0 → 1).
//! The LFSR (taps 16, 14, 13, 11) cycles through all 65535 non-zero states, so
//! the table `seq[k]` (state after `k` steps from state 1) and its inverse
//! `pos[state]` turn the stream into `seq[(pos[r_0] + t) mod 65535] < x_i`:
//! one table window and one vector comparison per 64 output bits.

use crate::arch::{Dispatch, Kernel, Token};
use crate::error::{Result, try_zeroed};
use crate::generators::{Generator, Role, Stream, Window};
use crate::simd::Tier;
use crate::{threads, validate};

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

/// Mask of the valid bits of the last word of a `length`-bit stream.
#[inline]
fn last_word_mask(length: usize) -> u64 {
    match length % 64 {
        0 => u64::MAX,
        r => (1u64 << r) - 1,
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

/// Validated encoder operands: `probs` is `(rows, n)` row-major and input
/// index `i` reads the window [`Stream::window`] gives it whatever its row;
/// the tier is chosen once, in `dispatch`.
#[derive(Clone, Copy)]
pub(crate) struct Encoder<'a> {
    /// The tier every block is encoded on.
    pub dispatch: Dispatch,
    /// The probabilities, finite and in `[0, 1]`.
    pub probs: &'a [f64],
    /// Probabilities per row.
    pub n: usize,
    /// Stream length in bits (>= 1).
    pub length: usize,
    /// The generator's side and the seed (docs/design.md#stream-generators).
    pub stream: Stream,
}

/// One [`Block`] of an [`Encoder`], as a kernel call.
struct EncodeBlock<'e, 'a, 'o> {
    enc: &'e Encoder<'a>,
    blk: Block,
    out: &'o mut [u64],
}

/// How the words of one (row, input) are made: compared with `Compare`'s
/// threshold, or all ones (threshold 65536 of a table stored as it is).
#[derive(Clone, Copy)]
enum Rule {
    Compare(u16),
    Ones,
}

/// The rule of probability `p` for a table stored minus one (`minus_one`)
/// or as it is.
#[inline(always)]
fn rule(p: f64, minus_one: bool) -> Rule {
    let x = threshold(p);
    if minus_one {
        // value < x  <=>  value - 1 < x - 1, and x - 1 <= 65535 fits.
        Rule::Compare(x.saturating_sub(1) as u16)
    } else if x > 0xFFFF {
        Rule::Ones
    } else {
        Rule::Compare(x as u16)
    }
}

/// The 64-value windows of `table` from position `start` on, one per word,
/// wrapping at `period` (`table` holds 64 values past it, and every window
/// starts below it, so each is one slice).
#[inline(always)]
fn windows(table: &[u16], start: usize, period: usize) -> impl Iterator<Item = &[u16]> {
    let mut s = start;
    std::iter::from_fn(move || {
        let win = &table[s..s + 64];
        s += 64;
        if s >= period {
            s -= period;
        }
        Some(win)
    })
}

impl Kernel for EncodeBlock<'_, '_, '_> {
    type Output = ();
    /// Compares each window of the stream's sequence (XORed with the input's
    /// mask) against the thresholds of the block's inputs (indices are
    /// bounds-checked).
    #[inline(always)]
    fn run<T: Token>(self, cmp: T) {
        let EncodeBlock { enc, blk, out } = self;
        let (probs, n, stream) = (enc.probs, enc.n, enc.stream);
        let (table, period, minus_one) = (stream.table(), stream.period(), stream.minus_one());
        let nw = n_words(enc.length);
        let tail = last_word_mask(enc.length);
        let ni = blk.cols.1 - blk.cols.0;
        if blk.rows.1 - blk.rows.0 == 1 {
            // One batch row: every window is used once, compare it straight away.
            let b = blk.rows.0;
            for (i, dst) in (blk.cols.0..blk.cols.1).zip(out.chunks_exact_mut(nw)) {
                let Window { start, mask } = stream.window(i);
                let wins = windows(table, start, period);
                match rule(probs[b * n + i], minus_one) {
                    Rule::Ones => dst.fill(u64::MAX),
                    Rule::Compare(thr) if mask == 0 => {
                        for (d, win) in dst.iter_mut().zip(wins) {
                            *d = cmp.mask_once(win, thr);
                        }
                    }
                    Rule::Compare(thr) => {
                        for (d, win) in dst.iter_mut().zip(wins) {
                            *d = cmp.mask_once_xor(win, mask, thr);
                        }
                    }
                }
                dst[nw - 1] &= tail;
            }
            return;
        }
        let ib = (WINDOW_BUDGET / nw).max(1);
        let mut wins: Vec<T::Win> = Vec::with_capacity(ib.min(ni) * nw);
        let mut i0 = blk.cols.0;
        while i0 < blk.cols.1 {
            let i1 = (i0 + ib).min(blk.cols.1);
            wins.clear();
            for i in i0..i1 {
                let Window { start, mask } = stream.window(i);
                for win in windows(table, start, period).take(nw) {
                    let win = cmp.load_window(win);
                    wins.push(if mask == 0 {
                        win
                    } else {
                        cmp.xor_window(win, mask)
                    });
                }
            }
            for b in blk.rows.0..blk.rows.1 {
                for i in i0..i1 {
                    let base = ((b - blk.rows.0) * ni + (i - blk.cols.0)) * nw;
                    let dst = &mut out[base..base + nw];
                    match rule(probs[b * n + i], minus_one) {
                        Rule::Ones => dst.fill(u64::MAX),
                        Rule::Compare(thr) => {
                            let src = &wins[(i - i0) * nw..(i - i0 + 1) * nw];
                            for (d, &win) in dst.iter_mut().zip(src) {
                                *d = cmp.mask(win, thr);
                            }
                        }
                    }
                    dst[nw - 1] &= tail;
                }
            }
            i0 = i1;
        }
    }
}

/// Outputs with at least this many words are encoded in parallel.
const PARALLEL_ENCODE_WORDS: usize = 1 << 15;

impl Encoder<'_> {
    /// Encodes one [`Block`] into `out` (laid out as
    /// `[b - rows.0][i - cols.0][word]`).
    pub(crate) fn encode_block(&self, blk: Block, out: &mut [u64]) {
        self.dispatch.run(EncodeBlock {
            enc: self,
            blk,
            out,
        });
    }

    /// Encodes every row into `out` (`probs.len() * n_words(length)` words),
    /// on the engine's threads when large.
    fn encode_into(&self, out: &mut [u64]) {
        let (n, nw) = (self.n, n_words(self.length));
        assert_eq!(
            out.len(),
            self.probs.len() * nw,
            "encode_into: wrong output size"
        );
        if out.is_empty() || n == 0 {
            return;
        }
        let rows = self.probs.len() / n;
        let threads = if out.len() >= PARALLEL_ENCODE_WORDS {
            threads::effective_threads()
        } else {
            1
        };
        if threads <= 1 {
            let blk = Block {
                rows: (0, rows),
                cols: (0, n),
            };
            self.encode_block(blk, out);
        } else if rows == 1 {
            // One row: split the input indices (contiguous in `out`).
            let per = threads::chunk_len(n, threads * 4);
            threads::for_each_chunk_mut(true, out, per * nw, |c, dst| {
                let i0 = c * per;
                let blk = Block {
                    rows: (0, 1),
                    cols: (i0, i0 + dst.len() / nw),
                };
                self.encode_block(blk, dst);
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
                self.encode_block(blk, dst);
            });
        }
    }
}

/// Encodes `probs` (`rows` rows of `n` probabilities, row-major; `two_d`
/// tells how to name bad indices) into packed streams of shape
/// `(rows, n, ceil(length / 64))` with the `role` side of `generator`
/// (docs/design.md#stream-generators), using SIMD tier `tier` (falls back to
/// portable if unsupported). Validates everything first.
#[allow(clippy::too_many_arguments)]
pub fn encode_stream_with(
    tier: Tier,
    probs: &[f64],
    n: usize,
    two_d: bool,
    length: usize,
    seed: u64,
    generator: Generator,
    role: Role,
) -> Result<Vec<u64>> {
    let seed = validate::encode_args(probs, n, two_d, length, seed)?;
    let total = validate::checked_size(probs.len(), n_words(length), "length")?;
    let mut out = try_zeroed::<u64>(total, "the encoded bitstreams")?;
    let enc = Encoder {
        dispatch: Dispatch::new(tier),
        probs,
        n,
        length,
        stream: Stream {
            generator,
            role,
            seed,
        },
    };
    enc.encode_into(&mut out);
    Ok(out)
}

/// [`encode_stream_with`] of the reference LFSR (the input side, which for
/// the LFSR is also the weight side).
pub fn encode_packed_with(
    tier: Tier,
    probs: &[f64],
    n: usize,
    two_d: bool,
    length: usize,
    seed: u64,
) -> Result<Vec<u64>> {
    let (generator, role) = (Generator::Lfsr, Role::Input);
    encode_stream_with(tier, probs, n, two_d, length, seed, generator, role)
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
    use crate::testutil::{SplitMix64, tiers};

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
        // (seed, input index, register seed)
        let cases = [
            (65535, 1, 1),
            (0, 0, 1),
            (65535, 0, 65535),
            (u32::MAX, 0, 65535),
            (u32::MAX, 1, 1),
            (u32::MAX, 2, 1),
            (65534, 3, 1),
        ];
        for (seed, i, want) in cases {
            assert_eq!(register_seed(seed, i), want, "seed {seed}, input {i}");
        }
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
            for tier in tiers() {
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
            for tier in tiers() {
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
        assert_eq!(e.to_string(), "probs must be finite, got nan at index (1,)");
        let e = encode_packed(&[0.5, 0.1, 0.2, 1.5], 2, true, 10, 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "probs must be in [0, 1], got 1.5 at index (1, 1)"
        );
        let e = encode_packed(&[-0.0, -1e-300], 2, false, 10, 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "probs must be in [0, 1], got -1e-300 at index (1,)"
        );
        let e = encode_packed(&[f64::INFINITY], 1, false, 10, 1).unwrap_err();
        assert_eq!(e.to_string(), "probs must be finite, got inf at index (0,)");
    }

    #[test]
    fn empty_inputs() {
        assert!(encode_packed(&[], 0, false, 10, 1).unwrap().is_empty());
        assert!(encode_packed(&[], 4, true, 10, 1).unwrap().is_empty());
    }
}
