//! Sequence checks and functions (as `_dna._checks` and `_dna.sequences`).

use super::constants::MAX_SEQUENCE_LENGTH;
use super::err;
use crate::error::Result;

/// `s` upper-cased after checking it is A/C/G/T (either case), not empty
/// unless `allow_empty`, at most [`MAX_SEQUENCE_LENGTH`] characters; the
/// error gives the first bad character and its position (in characters).
pub fn check_sequence(arg: &str, s: &str, allow_empty: bool) -> Result<String> {
    if s.is_empty() && !allow_empty {
        return err(
            arg,
            format!("{arg} must be a non-empty string of A, C, G, T"),
        );
    }
    if s.chars().count() > MAX_SEQUENCE_LENGTH {
        return err(
            arg,
            format!("{arg} must be at most {MAX_SEQUENCE_LENGTH} nt"),
        );
    }
    if let Some((position, c)) = s
        .chars()
        .enumerate()
        .find(|(_, c)| !"ACGTacgt".contains(*c))
    {
        return err(
            arg,
            format!("{arg} must contain only A, C, G, T; got {c:?} at position {position}"),
        );
    }
    Ok(s.to_ascii_uppercase())
}

/// A signal name: an ASCII identifier `[A-Za-z_][A-Za-z0-9_]*`.
pub fn check_signal_name(arg: &str, s: &str) -> Result<()> {
    let mut chars = s.chars();
    let head = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_');
    if !head || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return err(arg, format!("{arg} must be an identifier, got {s:?}"));
    }
    Ok(())
}

/// A strand or circuit name: non-empty printable ASCII without whitespace.
pub fn check_strand_name(arg: &str, s: &str) -> Result<()> {
    if s.is_empty() || !s.chars().all(|c| ('!'..='~').contains(&c)) {
        return err(
            arg,
            format!("{arg} must be printable ASCII without whitespace, got {s:?}"),
        );
    }
    Ok(())
}

/// Watson–Crick partner of one upper-case base.
pub fn partner(b: u8) -> u8 {
    match b {
        b'A' => b'T',
        b'T' => b'A',
        b'C' => b'G',
        _ => b'C',
    }
}

/// The reverse complement of checked upper-case text.
pub fn revcomp(s: &str) -> String {
    s.bytes().rev().map(|b| partner(b) as char).collect()
}

/// Number of G and C.
pub fn gc_count(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'G' || b == b'C').count()
}

/// Longest run of one nucleotide (0 for empty text).
pub fn longest_run(s: &str) -> usize {
    let (mut best, mut run, mut prev) = (0usize, 0usize, 0u8);
    for b in s.bytes() {
        run = if b == prev { run + 1 } else { 1 };
        prev = b;
        best = best.max(run);
    }
    best
}

/// `A, C, G, T -> 0, 1, 2, 3`.
pub fn codes(s: &str) -> Vec<u8> {
    s.bytes()
        .map(|b| match b {
            b'A' => 0,
            b'C' => 1,
            b'G' => 2,
            _ => 3,
        })
        .collect()
}

/// Length of the longest common substring of two texts.
pub fn longest_common_substring(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut best = 0;
    let mut prev = vec![0usize; b.len() + 1];
    for &x in a {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, &y) in b.iter().enumerate() {
            if x == y {
                cur[j + 1] = prev[j] + 1;
                best = best.max(cur[j + 1]);
            }
        }
        prev = cur;
    }
    best
}
