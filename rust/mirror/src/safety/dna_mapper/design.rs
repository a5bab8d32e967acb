//! `SequenceDesigner` (as `_dna.design`). **Draw order**: one
//! [`SplitMix64`] per designer; a candidate of `length` nt draws each
//! nucleotide with one `below(m)`, `m` the number of bases allowed there in
//! `A, C, G, T` order (not the base that would extend a run past
//! `max_homopolymer`; not G/C once the GC count reached `k_max`; not A/T while
//! the GC count plus the positions left after this one is below `k_min`). A
//! candidate is accepted when its most equal positions with its own reverse
//! complement and with each earlier sequence of its length (and their reverse
//! complements), divided by its length, is at most `max_similarity`; after
//! `max_tries` candidates the first one with the lowest such value is taken
//! (a shortfall). Refused arguments draw nothing.

use std::collections::BTreeMap;

use super::constants::{GC_TARGET, MAX_HOMOPOLYMER, RECOGNITION_LENGTH, TOEHOLD_LENGTH};
use super::err;
use super::sequences::revcomp;
use crate::checks::{Bounds, check_real};
use crate::error::Result;
use crate::splitmix::SplitMix64;

/// Longest designable sequence (nt).
pub const MAX_DESIGN_LENGTH: usize = 1000;
/// Largest `max_tries`.
pub const MAX_TRIES_LIMIT: usize = 100_000;
/// Default orthogonality bound.
pub const DEFAULT_MAX_SIMILARITY: f64 = 0.75;
/// Default candidates per call.
pub const DEFAULT_MAX_TRIES: usize = 200;

/// The deterministic constrained sequence designer.
#[derive(Debug, Clone)]
pub struct SequenceDesigner {
    rng: SplitMix64,
    gc_target: (f64, f64),
    max_homopolymer: usize,
    max_similarity: f64,
    max_tries: usize,
    library: BTreeMap<usize, Vec<Vec<u8>>>,
    shortfalls: usize,
}

/// `(k_min, k_max)`: the smallest/largest GC count `k` with `low <= k/length <= high`.
pub fn gc_bounds(length: usize, gc: (f64, f64)) -> Option<(usize, usize)> {
    let fits: Vec<usize> = (0..=length)
        .filter(|&k| {
            let f = k as f64 / length as f64;
            gc.0 <= f && f <= gc.1
        })
        .collect();
    Some((*fits.first()?, *fits.last()?))
}

impl SequenceDesigner {
    /// A designer; errors name `gc_target`, `max_homopolymer`, `max_similarity`, `max_tries`.
    pub fn new(
        seed: u64,
        gc_target: (f64, f64),
        max_homopolymer: i64,
        max_similarity: f64,
        max_tries: i64,
    ) -> Result<Self> {
        let lo = check_real("gc_target", gc_target.0, Bounds::within(0.0, 1.0))?;
        let hi = check_real("gc_target", gc_target.1, Bounds::within(0.0, 1.0))?;
        if lo > hi {
            return err("gc_target", "gc_target must have low <= high");
        }
        let mh = crate::checks::check_int("max_homopolymer", max_homopolymer, 1, None)?;
        let ms = check_real(
            "max_similarity",
            max_similarity,
            Bounds::POSITIVE.at_most(1.0),
        )?;
        let mt =
            crate::checks::check_int("max_tries", max_tries, 1, Some(MAX_TRIES_LIMIT as i64 + 1))?;
        Ok(SequenceDesigner {
            rng: SplitMix64::new(seed),
            gc_target: (lo, hi),
            max_homopolymer: mh,
            max_similarity: ms,
            max_tries: mt,
            library: BTreeMap::new(),
            shortfalls: 0,
        })
    }

    /// The reference's defaults with this seed.
    pub fn with_seed(seed: u64) -> Self {
        SequenceDesigner {
            rng: SplitMix64::new(seed),
            gc_target: GC_TARGET,
            max_homopolymer: MAX_HOMOPOLYMER,
            max_similarity: DEFAULT_MAX_SIMILARITY,
            max_tries: DEFAULT_MAX_TRIES,
            library: BTreeMap::new(),
            shortfalls: 0,
        }
    }

    /// The generator state.
    pub fn rng_state(&self) -> u64 {
        self.rng.state()
    }

    /// Calls that returned a best-effort sequence.
    pub fn shortfalls(&self) -> usize {
        self.shortfalls
    }

    fn candidate(&mut self, length: usize, k_min: usize, k_max: usize) -> Vec<u8> {
        let mut out: Vec<u8> = Vec::with_capacity(length);
        let (mut gc, mut run) = (0usize, 0usize);
        for i in 0..length {
            let rest = length - i - 1;
            let allowed: Vec<u8> = (0u8..4)
                .filter(|&code| {
                    let is_gc = code == 1 || code == 2;
                    let extends_run = run == self.max_homopolymer && i > 0 && code == out[i - 1];
                    let too_rich = is_gc && gc + 1 > k_max;
                    let too_poor = !is_gc && gc + rest < k_min;
                    !(extends_run || too_rich || too_poor)
                })
                .collect();
            // At least one base is always allowed (see the module docs), so
            // `below` gets a bound >= 1 and cannot fail.
            let pick = self.rng.below(allowed.len() as u64).unwrap_or(0) as usize;
            let code = allowed[pick];
            run = if i > 0 && code == out[i - 1] {
                run + 1
            } else {
                1
            };
            gc += usize::from(code == 1 || code == 2);
            out.push(code);
        }
        out
    }

    fn most_matches(&self, code: &[u8]) -> usize {
        self.library.get(&code.len()).map_or(0, |rows| {
            rows.iter()
                .map(|r| r.iter().zip(code).filter(|(a, b)| a == b).count())
                .max()
                .unwrap_or(0)
        })
    }

    /// `generate(length, name)`; errors name `lengths` (the golden input).
    pub fn generate(&mut self, length: i64) -> Result<String> {
        let length =
            crate::checks::check_int("lengths", length, 1, Some(MAX_DESIGN_LENGTH as i64 + 1))?;
        let Some((k_min, k_max)) = gc_bounds(length, self.gc_target) else {
            return err(
                "lengths",
                format!("length {length} admits no GC count inside gc_target"),
            );
        };
        let mut best: Option<(f64, Vec<u8>)> = None;
        let mut accepted = None;
        for _ in 0..self.max_tries {
            let code = self.candidate(length, k_min, k_max);
            let rc: Vec<u8> = code.iter().rev().map(|c| 3 - c).collect();
            let own = code.iter().zip(&rc).filter(|(a, b)| a == b).count();
            let matches = own.max(self.most_matches(&code));
            let worst = matches as f64 / length as f64;
            if worst <= self.max_similarity {
                accepted = Some(code);
                break;
            }
            if best.as_ref().is_none_or(|(w, _)| worst < *w) {
                best = Some((worst, code));
            }
        }
        let code = match (accepted, best) {
            (Some(code), _) => code,
            (None, Some((_, code))) => {
                self.shortfalls += 1;
                code
            }
            (None, None) => return err("max_tries", "no candidate drawn"),
        };
        let rc: Vec<u8> = code.iter().rev().map(|c| 3 - c).collect();
        let rows = self.library.entry(length).or_default();
        rows.push(code.clone());
        rows.push(rc);
        Ok(code.iter().map(|&c| b"ACGT"[c as usize] as char).collect())
    }

    /// `generate(6)`.
    pub fn toehold(&mut self) -> Result<String> {
        self.generate(TOEHOLD_LENGTH as i64)
    }

    /// `generate(15)`.
    pub fn recognition(&mut self) -> Result<String> {
        self.generate(RECOGNITION_LENGTH as i64)
    }
}

/// `generate_complement`: the reverse complement (checked upper-case text).
pub fn complement(s: &str) -> String {
    revcomp(s)
}
