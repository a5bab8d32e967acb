//! `sc_forward`: stochastic-computing inference (docs/design.md#forward-pass).
//!
//! `out[o] = (Σ_i Σ_w popcount(W[o, i, w] & X[i, w])) / length` where `X` is
//! the encoding of the input probabilities (the reference LFSR's, or the
//! input side of another stream generator: docs/design.md#stream-generators). Because `W[o]` and `X` are
//! contiguous, `Σ_i Σ_w` is one AND+popcount over `k = n_in * n_words` words,
//! and a batch turns the whole computation into a popcount "GEMM" of the
//! `(n_out, k)` weight matrix against the `(batch, k)` encoded inputs.
//!
//! Encoding and GEMM run in one parallel region of the engine's threads (see
//! `fused_forward`): blocks of output rows are the units of work, every
//! weight word is read exactly once, and within a batch each weight tile is
//! reused from cache by every input. The count is divided by `length` exactly
//! as written above, so every backend gets bit-identical results.

use std::sync::{Mutex, OnceLock};

use crate::arch::Dispatch;
use crate::error::{Result, try_zeroed};
use crate::generators::{Generator, Role, Stream};
use crate::lfsr::{Block, Encoder};
use crate::popcount::{GemmArgs, gemm_on};
use crate::scratch::Scratch;
use crate::simd::{Tier, active_tier};
use crate::threads;
use crate::validate::{self, checked_size};

/// Below this many word-pairs (`n_out * k * batch`) everything runs on the
/// calling thread.
const PARALLEL_WORK: usize = 1 << 16;

/// The encoded inputs' buffer, kept between calls.
static SCRATCH: Scratch<u64> = Scratch::new("the encoded inputs");

/// Validated dimensions of one `sc_forward` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForwardDims {
    /// Output neurons.
    pub n_out: usize,
    /// Inputs.
    pub n_in: usize,
    /// Words per stream, `ceil(length / 64)`.
    pub n_words: usize,
    /// Batch rows (1 for a 1-D input).
    pub batch: usize,
    /// Whether the input (and so the result) is 2-D.
    pub batched: bool,
}

impl ForwardDims {
    /// Shape of the result: `(n_out,)` or `(batch, n_out)`.
    pub fn out_shape(&self) -> Vec<usize> {
        if self.batched {
            vec![self.batch, self.n_out]
        } else {
            vec![self.n_out]
        }
    }
}

/// Output rows per GEMM task are capped so that a task streams about this
/// many weight words: a thread descheduled in the middle of one holds up
/// little, and a Ctrl-C is noticed between tasks (`threads::interruptible`),
/// also on one thread.
const TASK_WORDS: usize = 1 << 18;

/// Input segments are small enough that encoding one writes at most about
/// this many words, and a GEMM step of one 8-row tile against one segment
/// stays short (it is where a long call checks for Ctrl-C), also on one thread.
const SEGMENT_WORDS: usize = 1 << 20;

/// Encodes the inputs into `x` and accumulates
/// `counts[o * batch + b] = Σ popcount(W[o] & X[b])`, in one parallel region.
///
/// The inputs are split into `S` segments of whole input indices; segment `s`
/// is encoded into its own contiguous piece of `x` (`[b][i - i0][word]`, so
/// each LFSR window is loaded once for the whole batch). Tasks `0..S` encode
/// the segments and publish them; the remaining tasks are blocks of output
/// rows that run the popcount GEMM of their weight rows against every segment
/// (a column range of the weights), in any order (integer sums), taking the
/// published segments first. A segment still not published once the others
/// are done is being encoded by a thread that may well be descheduled, so
/// the task encodes a private copy of it (the same words) instead of waiting:
/// no thread ever waits for another inside the region. With
/// `share_encodings` false every GEMM task encodes privately (tests use it to
/// exercise that path). With one thread the tasks simply run in order.
fn fused_forward(
    enc: &Encoder<'_>,
    weights: &[u64],
    x: &mut [u64],
    counts: &mut [u64],
    dims: ForwardDims,
    threads: usize,
    share_encodings: bool,
) {
    let (n_out, n_in, nw, batch) = (dims.n_out, dims.n_in, dims.n_words, dims.batch);
    let k = n_in * nw;
    // Segments of input indices: two per thread, more when that would make
    // one take long to encode.
    let by_size = (batch * k).div_ceil(SEGMENT_WORDS);
    let n_seg = if threads <= 1 { 1 } else { threads * 2 }
        .max(by_size)
        .min(n_in);
    let seg_in = n_in.div_ceil(n_seg);
    let n_seg = n_in.div_ceil(seg_in);
    let mut pieces: Vec<Mutex<Option<&mut [u64]>>> = Vec::with_capacity(n_seg);
    let mut rest = x;
    for s in 0..n_seg {
        let ni = seg_in.min(n_in - s * seg_in);
        let (piece, tail) = rest.split_at_mut(batch * ni * nw);
        pieces.push(Mutex::new(Some(piece)));
        rest = tail;
    }
    let ready: Vec<OnceLock<&[u64]>> = (0..n_seg).map(|_| OnceLock::new()).collect();
    // Output-row blocks: multiples of the 8-row register tile, about eight per
    // thread and at most about TASK_WORDS weight words each (but never under
    // 8 rows), so the work is balanced dynamically in small pieces.
    let by_size = (TASK_WORDS / k.saturating_mul(batch).max(1)).max(1);
    let rows = if threads <= 1 {
        by_size
    } else {
        threads::chunk_len(n_out, threads * 8).min(by_size)
    }
    .next_multiple_of(8)
    .min(n_out);
    let n_blocks = n_out.div_ceil(rows);
    let mut blocks: Vec<Mutex<Option<&mut [u64]>>> = Vec::with_capacity(n_blocks);
    for c in counts.chunks_mut(rows * batch) {
        blocks.push(Mutex::new(Some(c)));
    }
    let segment_inputs = |s: usize| {
        let i0 = s * seg_in;
        (i0, seg_in.min(n_in - i0))
    };
    threads::for_each_task(threads > 1, n_seg + n_blocks, |t| {
        if t < n_seg {
            let piece = take(&pieces[t]);
            let (i0, ni) = segment_inputs(t);
            let blk = Block {
                rows: (0, batch),
                cols: (i0, i0 + ni),
            };
            enc.encode_block(blk, piece);
            let shared: &[u64] = piece;
            // Each segment is published exactly once, by the task that owns it.
            let _ = ready[t].set(shared);
            return;
        }
        let blk = t - n_seg;
        let c = take(&blocks[blk]);
        let o0 = blk * rows;
        let o_rows = c.len() / batch;
        // Segments this task encoded itself (see above), by index.
        let mut own: Vec<Option<Vec<u64>>> = Vec::new();
        let published = |s: usize| {
            if share_encodings {
                ready[s].get().copied()
            } else {
                None
            }
        };
        let mut later: Vec<usize> = Vec::with_capacity(n_seg);
        // A single input streams 8-row tiles through every segment (whole
        // weight rows, in address order); a batch runs each segment across
        // the block so weight tiles are reused from L1 by every input.
        let tile_rows = if batch == 1 { 8 } else { o_rows };
        let mut r0 = 0;
        while r0 < o_rows {
            let r1 = (r0 + tile_rows).min(o_rows);
            let gemm = |s: usize, xs: &[u64], c: &mut [u64]| {
                let (i0, ni) = segment_inputs(s);
                let a = GemmArgs {
                    w: &weights[(o0 + r0) * k..],
                    ld: k,
                    kr: (i0 * nw, (i0 + ni) * nw),
                    rows: r1 - r0,
                    x: xs,
                    nb: batch,
                };
                gemm_on(enc.dispatch, &a, &mut c[r0 * batch..r1 * batch]);
            };
            later.clear();
            for s in 0..n_seg {
                threads::check_interrupt();
                match segment_words(published(s), &own, s) {
                    Some(xs) => gemm(s, xs, c),
                    None => later.push(s),
                }
            }
            for &s in &later {
                threads::check_interrupt();
                if segment_words(published(s), &own, s).is_none() {
                    let (i0, ni) = segment_inputs(s);
                    let mut private = vec![0u64; batch * ni * nw];
                    let blk = Block {
                        rows: (0, batch),
                        cols: (i0, i0 + ni),
                    };
                    enc.encode_block(blk, &mut private);
                    if own.is_empty() {
                        own.resize_with(n_seg, || None);
                    }
                    own[s] = Some(private);
                }
                let xs = segment_words(published(s), &own, s).expect("published or encoded above");
                gemm(s, xs, c);
            }
            r0 = r1;
        }
    });
}

/// The words of segment `s`: the published ones, else a task's own copy.
fn segment_words<'a>(
    published: Option<&'a [u64]>,
    own: &'a [Option<Vec<u64>>],
    s: usize,
) -> Option<&'a [u64]> {
    published.or_else(|| own.get(s).and_then(|o| o.as_deref()))
}

/// Takes the one-time mutable piece out of its slot.
fn take<'a>(slot: &Mutex<Option<&'a mut [u64]>>) -> &'a mut [u64] {
    slot.lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
        .expect("every task runs exactly once")
}

/// `sc_forward` on SIMD tier `tier` (portable if the CPU lacks it), the
/// inputs encoded by the input side of `generator`.
///
/// * `weights`: `(n_out, n_in, n_words)` row-major words, shape `w_shape`;
/// * `probs`: `(n_in,)` or `(batch, n_in)` row-major, shape `p_shape`;
/// * returns `(n_out,)` or `(batch, n_out)` row-major and the dims.
#[allow(clippy::too_many_arguments)]
pub fn sc_forward_stream_with(
    tier: Tier,
    weights: &[u64],
    w_shape: &[usize],
    probs: &[f64],
    p_shape: &[usize],
    length: usize,
    seed: u64,
    generator: Generator,
) -> Result<(Vec<f64>, ForwardDims)> {
    let (dims, seed) =
        validate::forward_args(weights.len(), w_shape, probs, p_shape, length, seed)?;
    let (n_out, n_in, nw, batch) = (dims.n_out, dims.n_in, dims.n_words, dims.batch);
    // Word-pairs to AND and count. The helpers are readied before the
    // allocations, so that their wake-up overlaps this set-up rather than the
    // region (see `threads::ready_helpers`).
    let work = n_out
        .saturating_mul(n_in)
        .saturating_mul(nw)
        .saturating_mul(batch);
    let threads = if work >= PARALLEL_WORK {
        threads::ready_helpers()
    } else {
        1
    };
    let mut out = try_zeroed::<f64>(checked_size(batch, n_out, "input_probs")?, "the result")?;
    if out.is_empty() || n_in == 0 {
        return Ok((out, dims));
    }
    let k = checked_size(n_in, nw, "weights_packed")?;
    let x_len = checked_size(batch, k, "input_probs")?;
    let mut x_buf = SCRATCH.take(x_len)?;
    let mut counts = try_zeroed::<u64>(n_out * batch, "the popcount accumulators")?;
    let enc = Encoder {
        dispatch: Dispatch::new(tier),
        probs,
        n: n_in,
        length,
        stream: Stream {
            generator,
            role: Role::Input,
            seed,
        },
    };
    fused_forward(
        &enc,
        weights,
        &mut x_buf[..x_len],
        &mut counts,
        dims,
        threads,
        true,
    );
    SCRATCH.give_back(x_buf);
    let len = length as f64;
    for (o, row) in counts.chunks_exact(batch).enumerate() {
        for (b, &c) in row.iter().enumerate() {
            out[b * n_out + o] = c as f64 / len;
        }
    }
    Ok((out, dims))
}

/// [`sc_forward_stream_with`] of the reference LFSR.
pub fn sc_forward_with(
    tier: Tier,
    weights: &[u64],
    w_shape: &[usize],
    probs: &[f64],
    p_shape: &[usize],
    length: usize,
    seed: u64,
) -> Result<(Vec<f64>, ForwardDims)> {
    let lfsr = Generator::Lfsr;
    sc_forward_stream_with(tier, weights, w_shape, probs, p_shape, length, seed, lfsr)
}

/// [`sc_forward_with`] on the active SIMD tier.
pub fn sc_forward(
    weights: &[u64],
    w_shape: &[usize],
    probs: &[f64],
    p_shape: &[usize],
    length: usize,
    seed: u64,
) -> Result<(Vec<f64>, ForwardDims)> {
    sc_forward_with(
        active_tier(),
        weights,
        w_shape,
        probs,
        p_shape,
        length,
        seed,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lfsr::{encode_packed_with, n_words};
    use crate::testutil::{SplitMix64, layer_shapes, tiers};

    /// Straight loop over docs/design.md#forward-pass on top of the (separately tested) encoder.
    fn naive(
        weights: &[u64],
        n_out: usize,
        probs: &[f64],
        n_in: usize,
        length: usize,
        seed: u32,
    ) -> Vec<f64> {
        let nw = n_words(length);
        let batch = probs.len().checked_div(n_in).unwrap_or(0);
        let x =
            encode_packed_with(Tier::Portable, probs, n_in, true, length, u64::from(seed)).unwrap();
        let mut out = vec![0.0; batch * n_out];
        for b in 0..batch {
            for o in 0..n_out {
                let mut c = 0u64;
                for i in 0..n_in {
                    for w in 0..nw {
                        let wv = weights[(o * n_in + i) * nw + w];
                        let xv = x[(b * n_in + i) * nw + w];
                        c += u64::from((wv & xv).count_ones());
                    }
                }
                out[b * n_out + o] = c as f64 / length as f64;
            }
        }
        out
    }

    /// `sc_forward_with` of `(n_out, n_in, n_words)` weights and probabilities
    /// of shape `p_shape` (`n_in` values per row), which must succeed.
    fn forward_on(
        t: Tier,
        w: &[u64],
        n_out: usize,
        probs: &[f64],
        p_shape: &[usize],
        length: usize,
        seed: u32,
    ) -> (Vec<f64>, ForwardDims) {
        let n_in = *p_shape.last().expect("1-D or 2-D");
        let w_shape = [n_out, n_in, n_words(length)];
        sc_forward_with(t, w, &w_shape, probs, p_shape, length, u64::from(seed)).unwrap()
    }

    fn random_weights(rng: &mut SplitMix64, n: usize, length: usize) -> Vec<u64> {
        let nw = n_words(length);
        let mut w: Vec<u64> = (0..n * nw).map(|_| rng.sparse_word()).collect();
        // Keep the packing invariant: bits past `length` are 0.
        if !length.is_multiple_of(64) {
            let mask = (1u64 << (length % 64)) - 1;
            for s in w.chunks_exact_mut(nw) {
                s[nw - 1] &= mask;
            }
        }
        w
    }

    fn random_probs(rng: &mut SplitMix64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|_| match rng.below(4) {
                0 => 0.0,
                1 => 1.0,
                _ => rng.unit_f64(),
            })
            .collect()
    }

    #[test]
    fn single_and_batch_match_naive_all_tiers() {
        let mut rng = SplitMix64::new(21);
        let fixed = [
            (1, 1, 1, 1),
            (3, 5, 64, 1),
            (4, 4, 65, 4),
            (7, 9, 300, 6),
            (130, 20, 1000, 1),
            (9, 40, 1100, 9),
        ];
        for (n_out, n_in, length, batch) in layer_shapes(&mut rng, &fixed, 25, [13, 30, 400, 7]) {
            let w = random_weights(&mut rng, n_out * n_in, length);
            let probs = random_probs(&mut rng, batch * n_in);
            let seed = rng.below(1 << 32) as u32;
            let want = naive(&w, n_out, &probs, n_in, length, seed);
            for t in tiers() {
                let (got, dims) = forward_on(t, &w, n_out, &probs, &[batch, n_in], length, seed);
                assert_eq!(dims.out_shape(), vec![batch, n_out]);
                assert_eq!(
                    got, want,
                    "{t:?} n_out={n_out} n_in={n_in} length={length} batch={batch}"
                );
                // Each batch row equals the 1-D call on that row.
                if batch > 1 {
                    let b = batch - 1;
                    let (one, dims1) =
                        forward_on(t, &w, n_out, &probs[b * n_in..], &[n_in], length, seed);
                    assert_eq!(dims1.out_shape(), vec![n_out]);
                    assert_eq!(&one[..], &want[b * n_out..]);
                }
            }
        }
    }

    #[test]
    fn values_are_exact_ratios() {
        // All-ones weights and p = 1 give n_in exactly.
        let length = 100;
        let nw = n_words(length);
        let w = random_weights(&mut SplitMix64::new(0), 0, length);
        assert!(w.is_empty());
        let mut ones = vec![u64::MAX; 2 * 3 * nw];
        for s in ones.chunks_exact_mut(nw) {
            s[nw - 1] &= (1u64 << (length % 64)) - 1;
        }
        let (out, _) =
            sc_forward(&ones, &[2, 3, nw], &[1.0, 1.0, 1.0], &[3], length, 44257).unwrap();
        assert_eq!(out, vec![3.0, 3.0]);
        let (out, _) =
            sc_forward(&ones, &[2, 3, nw], &[0.0, 0.0, 0.0], &[3], length, 44257).unwrap();
        assert_eq!(out, vec![0.0, 0.0]);
    }

    #[test]
    fn zero_size_dims() {
        let (out, d) = sc_forward(&[], &[0, 3, 2], &[0.1, 0.2, 0.3], &[3], 100, 1).unwrap();
        assert!(out.is_empty());
        assert_eq!(d.out_shape(), vec![0]);
        let (out, d) = sc_forward(&[], &[4, 0, 2], &[], &[0], 100, 1).unwrap();
        assert_eq!(out, vec![0.0; 4]);
        assert_eq!(d.out_shape(), vec![4]);
        let w = vec![u64::MAX; 2 * 3 * 2];
        let (out, d) = sc_forward(&w, &[2, 3, 2], &[], &[0, 3], 100, 1).unwrap();
        assert!(out.is_empty());
        assert_eq!(d.out_shape(), vec![0, 2]);
        // Huge n_words with n_out = 0 must not try to encode anything.
        let (out, _) = sc_forward(&[], &[0, 3, 1 << 40], &[0.5; 3], &[3], 64 << 40, 1).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn errors_name_the_argument() {
        let w = vec![0u64; 2 * 3 * 2];
        let p = [0.5; 3];
        let e = sc_forward(&w, &[2, 3, 2], &p, &[3], 0, 1).unwrap_err();
        assert_eq!(e.arg(), Some("length"));
        let e = sc_forward(&w, &[2, 3, 2], &p, &[3], 128, 1 << 32).unwrap_err();
        assert_eq!(e.arg(), Some("seed"));
        let e = sc_forward(&w, &[2, 3, 2], &p, &[3], 129, 1).unwrap_err();
        assert_eq!(e.arg(), Some("weights_packed"));
        assert!(
            e.to_string()
                .contains("n_words = ceil(length / 64) = 3, got shape (2, 3, 2)"),
            "{e}"
        );
        let e = sc_forward(&w, &[6, 2], &p, &[3], 128, 1).unwrap_err();
        assert_eq!(e.arg(), Some("weights_packed"));
        let e = sc_forward(&w, &[2, 3, 2], &p[..2], &[2], 128, 1).unwrap_err();
        assert_eq!(e.arg(), Some("input_probs"));
        let e = sc_forward(&w, &[2, 3, 2], &p, &[1, 1, 3], 128, 1).unwrap_err();
        assert_eq!(e.arg(), Some("input_probs"));
        let e = sc_forward(&w, &[2, 3, 2], &[0.5, 0.5, f64::NAN], &[3], 128, 1).unwrap_err();
        assert_eq!(e.arg(), Some("input_probs"));
        assert_eq!(
            e.to_string(),
            "input_probs must be finite, got nan at index (2,)"
        );
        let e = sc_forward(
            &w,
            &[2, 3, 2],
            &[0.5, 0.5, 0.5, 0.5, -0.5, 0.5],
            &[2, 3],
            128,
            1,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "input_probs must be in [0, 1], got -0.5 at index (1, 1)"
        );
        let e = sc_forward(&w[..5], &[2, 3, 2], &p, &[3], 128, 1).unwrap_err();
        assert_eq!(e.arg(), Some("weights_packed"));
    }

    #[test]
    fn thread_counts_agree() {
        let mut rng = SplitMix64::new(78);
        let length = 700;
        for &(n_out, n_in, batch) in &[(45, 97, 1), (21, 33, 7), (3, 200, 2)] {
            let w = random_weights(&mut rng, n_out * n_in, length);
            let probs = random_probs(&mut rng, batch * n_in);
            let want = naive(&w, n_out, &probs, n_in, length, 5);
            for n in [1i128, 3, 4, 2] {
                crate::threads::set_num_threads(n).unwrap();
                for t in tiers() {
                    let (got, _) = forward_on(t, &w, n_out, &probs, &[batch, n_in], length, 5);
                    assert_eq!(
                        got, want,
                        "threads={n} {t:?} n_out={n_out} n_in={n_in} batch={batch}"
                    );
                }
            }
        }
        crate::threads::set_num_threads(crate::threads::default_num_threads() as i128).unwrap();
    }

    #[test]
    fn segments_encoded_privately_match_naive() {
        // Every GEMM task encodes its own copy of every segment (the path a
        // task takes when a segment's encoder has not finished), for odd
        // shapes, batches and thread counts; the shared path must agree.
        let mut rng = SplitMix64::new(79);
        for &(n_out, n_in, length, batch, threads) in &[
            (45, 97, 700, 1, 2),
            (21, 33, 130, 7, 3),
            (17, 5, 64, 2, 4),
            (9, 200, 1000, 1, 8),
            (130, 3, 65, 3, 5),
        ] {
            let nw = n_words(length);
            let w = random_weights(&mut rng, n_out * n_in, length);
            let probs = random_probs(&mut rng, batch * n_in);
            let want = naive(&w, n_out, &probs, n_in, length, 11);
            let dims = ForwardDims {
                n_out,
                n_in,
                n_words: nw,
                batch,
                batched: true,
            };
            for t in tiers() {
                for share in [true, false] {
                    let enc = Encoder {
                        dispatch: Dispatch::new(t),
                        probs: &probs,
                        n: n_in,
                        length,
                        stream: Stream::lfsr(11),
                    };
                    let mut x = vec![0u64; batch * n_in * nw];
                    let mut counts = vec![0u64; n_out * batch];
                    fused_forward(&enc, &w, &mut x, &mut counts, dims, threads, share);
                    let got: Vec<f64> = (0..batch * n_out)
                        .map(|i| counts[(i % n_out) * batch + i / n_out] as f64 / length as f64)
                        .collect();
                    assert_eq!(
                        got, want,
                        "{t:?} share={share} threads={threads} n_out={n_out} n_in={n_in} batch={batch}"
                    );
                }
            }
        }
    }

    #[test]
    fn parallel_path_matches_serial() {
        let mut rng = SplitMix64::new(77);
        let (n_out, n_in, length, batch) = (37, 50, 1000, 5);
        let nw = n_words(length);
        let w = random_weights(&mut rng, n_out * n_in, length);
        let probs = random_probs(&mut rng, batch * n_in);
        let want = naive(&w, n_out, &probs, n_in, length, 99);
        let (got, _) =
            sc_forward(&w, &[n_out, n_in, nw], &probs, &[batch, n_in], length, 99).unwrap();
        assert_eq!(got, want);
    }
}
