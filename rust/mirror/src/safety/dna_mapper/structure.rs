//! Cross-hybridisation and hairpins (as `_dna.structure_checks`).

use super::sequences::{longest_common_substring, partner, revcomp};
use super::thermo::{hairpin_loop_delta_g, stack_delta_g};
use super::types::Design;

/// A complementary stretch at least this long (nt) is of `"high"` severity.
pub const HIGH_SEVERITY_RUN: usize = 12;

/// One flagged pair.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossFlag {
    /// First strand (earlier in `all_strands`).
    pub strand_a: String,
    /// Second strand.
    pub strand_b: String,
    /// Longest complementary stretch (nt).
    pub run: usize,
    /// `"high"` from 12 nt, else `"medium"`.
    pub severity: &'static str,
    /// Both strands belong to one gate.
    pub same_gate: bool,
}

/// Every pair of strands with a complementary stretch of at least `max_run` nt.
pub fn cross_hybridization(design: &Design, max_run: usize) -> Vec<CrossFlag> {
    let strands = design.strands_with_gates();
    let mut flags = Vec::new();
    for (i, (a, ga)) in strands.iter().enumerate() {
        for (b, gb) in &strands[i + 1..] {
            let run = longest_common_substring(&a.sequence, &revcomp(&b.sequence));
            if run >= max_run {
                flags.push(CrossFlag {
                    strand_a: a.name.clone(),
                    strand_b: b.name.clone(),
                    run,
                    severity: if run >= HIGH_SEVERITY_RUN {
                        "high"
                    } else {
                        "medium"
                    },
                    same_gate: ga.is_some() && ga == gb,
                });
            }
        }
    }
    flags
}

/// One maximal hairpin.
#[derive(Debug, Clone, PartialEq)]
pub struct Hairpin {
    /// `stem_start, stem_end, loop_start, loop_end, stem_length, loop_length`.
    pub positions: [usize; 6],
    /// Stem stacks plus loop initiation (kcal/mol).
    pub delta_g: f64,
}

/// Every maximal hairpin of checked text (loops `min_loop..=max_loop`, stems `>= min_stem`).
pub fn hairpins(seq: &str, min_stem: usize, min_loop: usize, max_loop: usize) -> Vec<Hairpin> {
    let s = seq.as_bytes();
    let n = s.len();
    let mut found = Vec::new();
    for start in 1..n {
        let top = max_loop.min(n - start - 1);
        for lp in min_loop..=top {
            let end = start + lp;
            let mut stem = 0;
            while stem < start && end + stem < n && partner(s[start - 1 - stem]) == s[end + stem] {
                stem += 1;
            }
            if stem < min_stem {
                continue;
            }
            if lp >= min_loop + 2 && partner(s[start]) == s[end - 1] {
                continue;
            }
            found.push(Hairpin {
                positions: [start - stem, start, start, end, stem, lp],
                delta_g: stack_delta_g(&seq[start - stem..start]) + hairpin_loop_delta_g(lp),
            });
        }
    }
    found
}
