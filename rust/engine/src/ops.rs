//! Element-wise packed bitstream operations and popcounts (docs/design.md#vector-operations).
//!
//! `and` is SC unipolar multiplication, `xnor = !(a ^ b)` bipolar
//! multiplication, `not` the complement and `mux(sel, a, b) = (sel & a) |
//! (!sel & b)` scaled addition. Operands must have identical shapes. The loops
//! are plain Rust compiled once per SIMD tier (the compiler vectorises them
//! with that tier's registers) and split over the engine pool when large.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::arch::{Dispatch, Kernel, Token};
use crate::error::{Result, try_zeroed};
use crate::popcount::{popcount_per_word_serial, popcount_total_serial};
use crate::simd::{Tier, active_tier};
use crate::{threads, validate};

/// Arrays at least this many words long are processed in parallel.
const PARALLEL_WORDS: usize = 1 << 18;

/// The element-wise operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `a & b`
    And,
    /// `!(a ^ b)`
    Xnor,
    /// `!a`
    Not,
    /// `(sel & a) | (!sel & b)` with operands `(sel, a, b)`.
    Mux,
}

impl Op {
    fn arity(self) -> usize {
        match self {
            Op::Not => 1,
            Op::And | Op::Xnor => 2,
            Op::Mux => 3,
        }
    }
}

/// One element-wise operation over equal-length slices, as a kernel call:
/// plain Rust that the compiler vectorises with the tier's registers.
struct Elementwise<'a, 'o> {
    op: Op,
    ins: &'a [&'a [u64]],
    out: &'o mut [u64],
}

impl Kernel for Elementwise<'_, '_> {
    type Output = ();
    #[inline(always)]
    fn run<T: Token>(self, _token: T) {
        let Elementwise { op, ins, out } = self;
        let n = out.len();
        match op {
            Op::Not => {
                let a = &ins[0][..n];
                for (o, &x) in out.iter_mut().zip(a) {
                    *o = !x;
                }
            }
            Op::And => {
                let (a, b) = (&ins[0][..n], &ins[1][..n]);
                for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
                    *o = x & y;
                }
            }
            Op::Xnor => {
                let (a, b) = (&ins[0][..n], &ins[1][..n]);
                for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
                    *o = !(x ^ y);
                }
            }
            Op::Mux => {
                let (s, a, b) = (&ins[0][..n], &ins[1][..n], &ins[2][..n]);
                for (((o, &m), &x), &y) in out.iter_mut().zip(s).zip(a).zip(b) {
                    *o = (m & x) | (!m & y);
                }
            }
        }
    }
}

/// Applies `op` to operands given as `(name, data, shape)`; every shape must
/// equal the first one. Returns the result (same shape as the operands).
pub fn apply_with(
    tier: Tier,
    op: Op,
    operands: &[(&'static str, &[u64], &[usize])],
) -> Result<Vec<u64>> {
    assert_eq!(operands.len(), op.arity(), "wrong number of operands");
    validate::elementwise_operands(operands)?;
    let n = operands[0].1.len();
    let mut out = try_zeroed::<u64>(n, "the result")?;
    let ins: Vec<&[u64]> = operands.iter().map(|o| o.1).collect();
    let parallel = n >= PARALLEL_WORDS;
    let dispatch = Dispatch::new(tier);
    let per = threads::chunk_len(n, threads::effective_threads() * 4);
    threads::for_each_chunk_mut(parallel, &mut out, per, |c, dst| {
        let start = c * per;
        let mut parts: [&[u64]; 3] = [&[]; 3];
        for (p, s) in parts.iter_mut().zip(&ins) {
            *p = &s[start..start + dst.len()];
        }
        dispatch.run(Elementwise {
            op,
            ins: &parts[..ins.len()],
            out: dst,
        });
    });
    Ok(out)
}

/// [`apply_with`] on the active SIMD tier.
pub fn apply(op: Op, operands: &[(&'static str, &[u64], &[usize])]) -> Result<Vec<u64>> {
    apply_with(active_tier(), op, operands)
}

/// Total set bits of `words`, parallel when large.
pub fn popcount_with(tier: Tier, words: &[u64]) -> u64 {
    if words.len() < PARALLEL_WORDS {
        return popcount_total_serial(tier, words);
    }
    let per = threads::chunk_len(words.len(), threads::effective_threads() * 4);
    let parts: Vec<AtomicU64> = words.chunks(per).map(|_| AtomicU64::new(0)).collect();
    threads::for_each_task(true, parts.len(), |t| {
        let c = &words[t * per..((t + 1) * per).min(words.len())];
        parts[t].store(popcount_total_serial(tier, c), Ordering::Relaxed);
    });
    parts.iter().map(|p| p.load(Ordering::Relaxed)).sum()
}

/// [`popcount_with`] on the active SIMD tier.
pub fn popcount(words: &[u64]) -> u64 {
    popcount_with(active_tier(), words)
}

/// Per-word popcounts of `words` (as `u64`), parallel when large.
pub fn popcount_per_word_with(tier: Tier, words: &[u64]) -> Result<Vec<u64>> {
    let mut out = try_zeroed::<u64>(words.len(), "the per-word popcounts")?;
    let per = threads::chunk_len(words.len(), threads::effective_threads() * 4);
    threads::for_each_chunk_mut(words.len() >= PARALLEL_WORDS, &mut out, per, |c, dst| {
        let start = c * per;
        popcount_per_word_serial(tier, &words[start..start + dst.len()], dst);
    });
    Ok(out)
}

/// [`popcount_per_word_with`] on the active SIMD tier.
pub fn popcount_per_word(words: &[u64]) -> Result<Vec<u64>> {
    popcount_per_word_with(active_tier(), words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{SplitMix64, tiers};

    #[test]
    fn ops_match_scalar_definition() {
        let mut rng = SplitMix64::new(4);
        for n in [0usize, 1, 7, 8, 9, 100, PARALLEL_WORDS + 3] {
            let s: Vec<u64> = (0..n).map(|_| rng.next_u64()).collect();
            let a: Vec<u64> = (0..n).map(|_| rng.next_u64()).collect();
            let b: Vec<u64> = (0..n).map(|_| rng.sparse_word()).collect();
            let shape = [n];
            for t in tiers() {
                let and = apply_with(t, Op::And, &[("a", &a, &shape), ("b", &b, &shape)]).unwrap();
                let xnor =
                    apply_with(t, Op::Xnor, &[("a", &a, &shape), ("b", &b, &shape)]).unwrap();
                let not = apply_with(t, Op::Not, &[("a", &a, &shape)]).unwrap();
                let mux = apply_with(
                    t,
                    Op::Mux,
                    &[("sel", &s, &shape), ("a", &a, &shape), ("b", &b, &shape)],
                )
                .unwrap();
                for j in 0..n {
                    assert_eq!(and[j], a[j] & b[j]);
                    assert_eq!(xnor[j], !(a[j] ^ b[j]));
                    assert_eq!(not[j], !a[j]);
                    assert_eq!(mux[j], (s[j] & a[j]) | (!s[j] & b[j]));
                }
                let want: u64 = a.iter().map(|w| u64::from(w.count_ones())).sum();
                assert_eq!(popcount_with(t, &a), want);
                let pw = popcount_per_word_with(t, &b).unwrap();
                assert!(
                    pw.iter()
                        .zip(&b)
                        .all(|(&c, w)| c == u64::from(w.count_ones()))
                );
            }
        }
    }

    #[test]
    fn shape_mismatch_names_both() {
        let a = [1u64, 2, 3, 4, 5, 6];
        let e = apply(Op::And, &[("a", &a, &[2, 3]), ("b", &a, &[3, 2])]).unwrap_err();
        assert_eq!(e.arg(), Some("b"));
        assert_eq!(
            e.to_string(),
            "a and b must have the same shape, got (2, 3) and (3, 2)"
        );
        let e = apply(
            Op::Mux,
            &[("sel", &a, &[6]), ("a", &a, &[6]), ("b", &a[..5], &[5])],
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "sel and b must have the same shape, got (6,) and (5,)"
        );
        let e = apply(Op::Not, &[("a", &a[..5], &[6])]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a has 5 elements, which does not match its shape (6,)"
        );
    }
}
