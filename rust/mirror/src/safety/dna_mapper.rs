//! Mirror of `sc_neurocore.bridges.dna_mapper`: stochastic-computing logic
//! compiled to DNA strand-displacement circuits, checked against
//! `parity/golden/dna_mapper.txt` (the file pytest checks the Python surface
//! against).
//!
//! Every number is computed with the same IEEE-754 operations in the same
//! order as the Python module, so results match bit for bit; only the melting
//! temperature (`ln`, `log10`) and the Arrhenius factor (`exp`) depend on the
//! platform's math library and are compared within `rtol = 1e-12`.
//!
//! * [`DnaStrand`]: ACGT sequence (upper-cased, a bad character refused with
//!   its 0-based position), GC content, complements, longest run, and
//!   nearest-neighbour thermodynamics with [`NN_STACKS`], [`NN_INITIATION`],
//!   [`NN_TERMINAL_AT`] summed as `initiation`, then each stack 5'→3', then the
//!   terminal A·T penalty of the 5' end, then of the 3' end;
//!   `ΔG37 = ΔH − 310.15·ΔS/1000`;
//!   `Tm = 1000·ΔH/(ΔS + R·ln(Ct/4)) − 273.15 + 16.6·log10[Na⁺]`, `R = 1.987`.
//! * [`SequenceDesigner`]: domain design on the shared
//!   [`SplitMix64`](crate::splitmix::SplitMix64). **Draw order**: each
//!   designer owns one generator seeded with its `seed`; a candidate of
//!   `length` nt is `length` calls of `below(4)` (one word each, since 4
//!   divides 2^64), nucleotide `i` from call `i`, `0,1,2,3 → A,C,G,T`; a
//!   rejected candidate is discarded and the next one drawn; after `max_tries`
//!   rejections the call is an error. Refused arguments draw nothing.
//!   A candidate is accepted when its GC fraction is inside `gc_target`, its
//!   longest run is at most `max_homopolymer`, and
//!   [`sequence_similarity`] with its own reverse complement and with every
//!   earlier domain and its reverse complement is at most `max_similarity`.
//! * [`BitstreamToDna::compile_network`]: a fresh designer per call; domains
//!   in the order: each primary input `x` (`x.t` 6 nt, then `x.d` 15 nt), then
//!   per gate its internal signals (NOT: `<g>.fuel`; MUX: `<g>.fuel`,
//!   `<g>.sbar`; THRESHOLD: `<g>.sum`) and its output `y`, each `.t` then `.d`.
//!   Strand templates are those of the Python class docstring.
//! * [`KineticSimulator`]: Arrhenius factor
//!   `f = exp(−(10000/1.987)·(1/T − 1/T_ref))`, `T = t + 273.15`,
//!   `T_ref = 37 + 273.15`; per gate
//!   `k_g = f·k_hyb·k_bm/(k_bm + k_diss)·c_gate·1e-9`;
//!   `dy/dt = k_g·(200·A_g(p) − y)` with `p = clamp(x)/200`, Euler or RK4,
//!   outputs clamped to `[0, 200]` nM.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::checks::{Bounds, check_int, check_real, check_text};
use crate::error::{MirrorError, Result};
use crate::splitmix::SplitMix64;

// --------------------------------------------------------------------------- constants

/// Unified nearest-neighbour stacks: `("XY/X'Y'", ΔH kcal/mol, ΔS cal/(mol·K))`
/// for 5'-XY-3' paired with 3'-X'Y'-5', 1 M NaCl. Source: J. SantaLucia Jr.
/// (1998), PNAS 95:1460–1465, Table 2 (the unified set), used with the
/// initiation and terminal A·T parameters of SantaLucia & Hicks (2004), Annu.
/// Rev. Biophys. Biomol. Struct. 33:415–440, Table 1.
pub const NN_STACKS: [(&str, f64, f64); 10] = [
    ("AA/TT", -7.9, -22.2),
    ("AT/TA", -7.2, -20.4),
    ("TA/AT", -7.2, -21.3),
    ("CA/GT", -8.5, -22.7),
    ("GT/CA", -8.4, -22.4),
    ("CT/GA", -7.8, -21.0),
    ("GA/CT", -8.2, -22.2),
    ("CG/GC", -10.6, -27.2),
    ("GC/CG", -9.8, -24.4),
    ("GG/CC", -8.0, -19.9),
];
/// Duplex initiation (ΔH, ΔS), SantaLucia & Hicks (2004).
pub const NN_INITIATION: (f64, f64) = (0.2, -5.7);
/// Penalty per terminal A·T pair (ΔH, ΔS), SantaLucia & Hicks (2004).
pub const NN_TERMINAL_AT: (f64, f64) = (2.2, 6.9);
/// The gas constant in cal/(mol·K).
pub const GAS_CONSTANT: f64 = 1.987;
const T37_K: f64 = 310.15;
/// Strand roles, as `dna_mapper.ROLES`.
pub const ROLES: [&str; 10] = [
    "signal",
    "input",
    "output",
    "gate",
    "blocker",
    "release",
    "fuel",
    "threshold",
    "annihilator",
    "reporter",
];
/// Toehold length (nt) of designed signals.
pub const TOEHOLD_LENGTH: i64 = 6;
/// Recognition domain length (nt) of designed signals.
pub const RECOGNITION_LENGTH: i64 = 15;
/// The concentration standing for probability 1 (nM), the clamp ceiling.
pub const MAX_CONCENTRATION_NM: f64 = 200.0;
/// Gate complexes and gate/blocker/release/annihilator strands (nM).
pub const GATE_CONCENTRATION_NM: f64 = 100.0;
/// Fuel strands (nM).
pub const FUEL_CONCENTRATION_NM: f64 = 200.0;
/// Primary input strands (nM, nominal).
pub const INPUT_CONCENTRATION_NM: f64 = 100.0;
/// Apparent activation energy of the effective gate reaction (cal/mol).
pub const ACTIVATION_ENERGY: f64 = 10000.0;
/// Temperature (°C) at which the Arrhenius factor is exactly 1.
pub const REFERENCE_TEMPERATURE_C: f64 = 37.0;
/// Longest designable domain (nt).
pub const MAX_DOMAIN_LENGTH: i64 = 1000;
/// Largest `max_tries`.
pub const MAX_TRIES_LIMIT: i64 = 1_000_000;
/// Most integration steps per simulation.
pub const MAX_STEPS: f64 = 1_000_000.0;
/// Domains at least this long must melt above the operating temperature.
pub const MIN_STABLE_DOMAIN_LENGTH: usize = 10;
/// The compiler's similarity bound (`SequenceDesigner`'s default).
pub const DEFAULT_MAX_SIMILARITY: f64 = 0.75;
/// The compiler's candidate limit per domain (`SequenceDesigner`'s default).
pub const DEFAULT_MAX_TRIES: i64 = 10_000;
/// Accepted operating temperatures (°C), inclusive.
pub const TEMPERATURE_RANGE_C: (f64, f64) = (0.0, 100.0);

const BASES: [u8; 4] = *b"ACGT";

// --------------------------------------------------------------------------- validation

fn err<T>(arg: &str, message: impl Into<String>) -> Result<T> {
    Err(MirrorError::value(arg, message))
}

fn check_temperature(arg: &str, x: f64) -> Result<f64> {
    check_real(
        arg,
        x,
        Bounds::within(TEMPERATURE_RANGE_C.0, TEMPERATURE_RANGE_C.1),
    )
}

/// ASCII `[A-Za-z_][A-Za-z0-9_]*`.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn check_identifier(arg: &str, s: &str) -> Result<()> {
    if !is_identifier(s) {
        return err(
            arg,
            format!("{arg} must be an identifier (ASCII letters, digits and _), got {s:?}"),
        );
    }
    Ok(())
}

/// `s` upper-cased after checking it is a non-empty string of A, C, G, T in
/// either case; the error gives the first bad character and its 0-based
/// position in characters (Unicode scalar values, as Python counts them).
pub fn normalise_sequence(arg: &str, s: &str) -> Result<String> {
    if s.is_empty() {
        return err(
            arg,
            format!("{arg} must be a non-empty string of A, C, G, T"),
        );
    }
    if let Some((position, c)) = s
        .chars()
        .enumerate()
        .find(|(_, c)| !"ACGTacgt".contains(*c))
    {
        return err(
            arg,
            format!(
                "{arg} must contain only A, C, G, T (either case); got {c:?} at position {position}"
            ),
        );
    }
    Ok(s.to_ascii_uppercase())
}

fn check_gc_target(arg: &str, values: &[f64]) -> Result<(f64, f64)> {
    if values.len() != 2 {
        return err(
            arg,
            format!(
                "{arg} must be a pair (low, high), got {} values",
                values.len()
            ),
        );
    }
    let lo = check_real(arg, values[0], Bounds::within(0.0, 1.0))?;
    let hi = check_real(arg, values[1], Bounds::within(0.0, 1.0))?;
    if lo > hi {
        return err(
            arg,
            format!("{arg} must have low <= high, got ({lo}, {hi})"),
        );
    }
    Ok((lo, hi))
}

// --------------------------------------------------------------------------- sequences

fn complement_base(b: u8) -> u8 {
    match b {
        b'A' => b'T',
        b'T' => b'A',
        b'C' => b'G',
        _ => b'C',
    }
}

/// Reverse complement of an already upper-case ACGT string.
fn revcomp(seq: &str) -> String {
    seq.bytes()
        .rev()
        .map(|b| complement_base(b) as char)
        .collect()
}

/// The base-by-base complement (A↔T, C↔G), same direction.
pub fn complement(sequence: &str) -> Result<String> {
    Ok(normalise_sequence("sequence", sequence)?
        .bytes()
        .map(|b| complement_base(b) as char)
        .collect())
}

/// The complementary strand read 5'→3'.
pub fn reverse_complement(sequence: &str) -> Result<String> {
    Ok(revcomp(&normalise_sequence("sequence", sequence)?))
}

fn longest_run<T: PartialEq>(seq: &[T]) -> usize {
    let (mut best, mut run) = (1usize, 1usize);
    for k in 1..seq.len() {
        run = if seq[k] == seq[k - 1] { run + 1 } else { 1 };
        best = best.max(run);
    }
    best
}

fn gc_of(seq: &[u8]) -> usize {
    seq.iter().filter(|&&b| b == b'G' || b == b'C').count()
}

/// Most equal positions over every placement of the shorter inside the longer.
fn max_matches<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    (0..=long.len() - short.len())
        .map(|o| short.iter().zip(&long[o..]).filter(|(x, y)| x == y).count())
        .max()
        .unwrap_or(0)
}

/// `max over offsets o of #{i : s[i] == l[o + i]} / len(s)` with `s` the
/// shorter sequence (`a` on a tie) placed inside the longer `l`.
pub fn sequence_similarity(a: &str, b: &str) -> Result<f64> {
    let sa = normalise_sequence("a", a)?;
    let sb = normalise_sequence("b", b)?;
    Ok(max_matches(sa.as_bytes(), sb.as_bytes()) as f64 / sa.len().min(sb.len()) as f64)
}

/// The stack of the dinucleotide `x y` (5'→3'): itself when listed, else
/// its reverse complement.
fn stack_of(x: u8, y: u8) -> (f64, f64) {
    for (top0, top1) in [(x, y), (complement_base(y), complement_base(x))] {
        for &(key, h, s) in NN_STACKS.iter() {
            let k = key.as_bytes();
            if k[0] == top0 && k[1] == top1 {
                return (h, s);
            }
        }
    }
    unreachable_stack()
}

/// Every dinucleotide or its reverse complement is in [`NN_STACKS`] (checked
/// by `every_dinucleotide_has_a_stack`); this value is never reached.
fn unreachable_stack() -> (f64, f64) {
    (f64::NAN, f64::NAN)
}

/// `(ΔH, ΔS)` summed as initiation, stacks 5'→3', terminal A·T 5' then 3'.
fn nearest_neighbour_sums(seq: &[u8]) -> Result<(f64, f64)> {
    if seq.len() < 2 {
        return err(
            "sequence",
            format!(
                "sequence must have at least 2 nucleotides for nearest-neighbour thermodynamics, got {}",
                seq.len()
            ),
        );
    }
    let (mut dh, mut ds) = NN_INITIATION;
    for w in seq.windows(2) {
        let (h, s) = stack_of(w[0], w[1]);
        dh += h;
        ds += s;
    }
    for end in [seq[0], seq[seq.len() - 1]] {
        if end == b'A' || end == b'T' {
            dh += NN_TERMINAL_AT.0;
            ds += NN_TERMINAL_AT.1;
        }
    }
    Ok((dh, ds))
}

// --------------------------------------------------------------------------- strands

/// One DNA strand, 5'→3' (mirror of `DNAStrand`).
#[derive(Debug, Clone, PartialEq)]
pub struct DnaStrand {
    name: String,
    sequence: String,
    role: String,
    concentration_nm: f64,
}

impl DnaStrand {
    /// Checks `name` (non-empty), `sequence` (ACGT, any case; upper-cased),
    /// `role` (one of [`ROLES`]) and `concentration_nM` (finite, `> 0`).
    pub fn new(name: &str, sequence: &str, role: &str, concentration_nm: f64) -> Result<Self> {
        check_text("name", name)?;
        let sequence = normalise_sequence("sequence", sequence)?;
        if !ROLES.contains(&role) {
            return err(
                "role",
                format!("role must be one of {}; got {role:?}", ROLES.join(", ")),
            );
        }
        let concentration_nm = check_real("concentration_nM", concentration_nm, Bounds::POSITIVE)?;
        Ok(DnaStrand {
            name: name.to_string(),
            sequence,
            role: role.to_string(),
            concentration_nm,
        })
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The upper-case sequence.
    pub fn sequence(&self) -> &str {
        &self.sequence
    }

    /// The role.
    pub fn role(&self) -> &str {
        &self.role
    }

    /// The concentration (nM).
    pub fn concentration_nm(&self) -> f64 {
        self.concentration_nm
    }

    /// Length in nucleotides.
    pub fn len(&self) -> usize {
        self.sequence.len()
    }

    /// Never true (a strand has at least one nucleotide).
    pub fn is_empty(&self) -> bool {
        self.sequence.is_empty()
    }

    /// `count(G, C) / length`.
    pub fn gc_content(&self) -> f64 {
        gc_of(self.sequence.as_bytes()) as f64 / self.sequence.len() as f64
    }

    /// Base-by-base complement, same direction.
    pub fn complement(&self) -> String {
        self.sequence
            .bytes()
            .map(|b| complement_base(b) as char)
            .collect()
    }

    /// The complementary strand, 5'→3'.
    pub fn reverse_complement(&self) -> String {
        revcomp(&self.sequence)
    }

    /// Longest run of one nucleotide.
    pub fn max_homopolymer(&self) -> usize {
        longest_run(self.sequence.as_bytes())
    }

    /// ΔH (kcal/mol); an error naming `sequence` below 2 nt.
    pub fn delta_h(&self) -> Result<f64> {
        Ok(nearest_neighbour_sums(self.sequence.as_bytes())?.0)
    }

    /// ΔS (cal/(mol·K)); an error naming `sequence` below 2 nt.
    pub fn delta_s(&self) -> Result<f64> {
        Ok(nearest_neighbour_sums(self.sequence.as_bytes())?.1)
    }

    /// `ΔH − 310.15·ΔS/1000` (kcal/mol).
    pub fn delta_g_37(&self) -> Result<f64> {
        let (dh, ds) = nearest_neighbour_sums(self.sequence.as_bytes())?;
        Ok(dh - T37_K * ds / 1000.0)
    }

    /// `1000·ΔH/(ΔS + R·ln(Ct/4)) − 273.15 + 16.6·log10(na)` (°C);
    /// `na_conc_M` finite `> 0`, `strand_conc_M` finite in `(0, 1]`.
    pub fn melting_temperature(&self, na_conc_m: f64, strand_conc_m: f64) -> Result<f64> {
        let na = check_real("na_conc_M", na_conc_m, Bounds::POSITIVE)?;
        let ct = check_real(
            "strand_conc_M",
            strand_conc_m,
            Bounds::POSITIVE.at_most(1.0),
        )?;
        let (dh, ds) = nearest_neighbour_sums(self.sequence.as_bytes())?;
        Ok(1000.0 * dh / (ds + GAS_CONSTANT * (ct / 4.0).ln()) - 273.15 + 16.6 * na.log10())
    }
}

// --------------------------------------------------------------------------- design

/// Deterministic domain design (mirror of `SequenceDesigner`).
#[derive(Debug, Clone)]
pub struct SequenceDesigner {
    rng: SplitMix64,
    gc_target: (f64, f64),
    max_homopolymer: usize,
    max_similarity: f64,
    max_tries: usize,
    domains: Vec<(String, String)>,
    /// Codes (0..4) of each designed domain, then of its reverse complement.
    designed: Vec<Vec<u8>>,
}

impl SequenceDesigner {
    /// `gc_target`: two values `0 <= low <= high <= 1`; `max_homopolymer >= 1`;
    /// `max_similarity` in `(0, 1]`; `max_tries` in `[1, 1e6]`.
    pub fn new(
        seed: u64,
        gc_target: &[f64],
        max_homopolymer: i64,
        max_similarity: f64,
        max_tries: i64,
    ) -> Result<Self> {
        let gc_target = check_gc_target("gc_target", gc_target)?;
        let max_homopolymer = check_int("max_homopolymer", max_homopolymer, 1, None)?;
        let max_similarity = check_real(
            "max_similarity",
            max_similarity,
            Bounds::POSITIVE.at_most(1.0),
        )?;
        let max_tries = check_int("max_tries", max_tries, 1, Some(MAX_TRIES_LIMIT + 1))?;
        Ok(SequenceDesigner {
            rng: SplitMix64::new(seed),
            gc_target,
            max_homopolymer,
            max_similarity,
            max_tries,
            domains: Vec::new(),
            designed: Vec::new(),
        })
    }

    /// The generator's state.
    pub fn rng_state(&self) -> u64 {
        self.rng.state()
    }

    /// The designed domains, in design order.
    pub fn domains(&self) -> &[(String, String)] {
        &self.domains
    }

    fn domain(&self, name: &str) -> &str {
        self.domains
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, s)| s.as_str())
    }

    fn accepts(&self, codes: &[u8]) -> bool {
        let n = codes.len();
        let gc = codes.iter().filter(|&&c| c == 1 || c == 2).count();
        let frac = gc as f64 / n as f64;
        if !(self.gc_target.0 <= frac && frac <= self.gc_target.1) {
            return false;
        }
        if longest_run(codes) > self.max_homopolymer {
            return false;
        }
        let bound = self.max_similarity;
        let rc: Vec<u8> = codes.iter().rev().map(|&c| 3 - c).collect();
        if max_matches(codes, &rc) as f64 / n as f64 > bound {
            return false;
        }
        self.designed
            .iter()
            .all(|other| max_matches(codes, other) as f64 / n.min(other.len()) as f64 <= bound)
    }

    /// Designs, records and returns one domain (`name` new and non-empty,
    /// `length` in `[1, 1000]` with a feasible GC count).
    pub fn design_domain(&mut self, name: &str, length: i64) -> Result<String> {
        check_text("name", name)?;
        if self.domains.iter().any(|(n, _)| n == name) {
            return err(
                "name",
                format!("name {name:?} is already designed by this designer"),
            );
        }
        let length = check_int("length", length, 1, Some(MAX_DOMAIN_LENGTH + 1))?;
        let (lo, hi) = self.gc_target;
        if !(0..=length).any(|k| {
            let f = k as f64 / length as f64;
            lo <= f && f <= hi
        }) {
            return err(
                "length",
                format!("length {length} admits no GC count inside gc_target"),
            );
        }
        for _ in 0..self.max_tries {
            let codes: Vec<u8> = self
                .rng
                .integers_below(length, 4)?
                .into_iter()
                .map(|x| x as u8)
                .collect();
            if self.accepts(&codes) {
                let sequence: String = codes.iter().map(|&c| BASES[c as usize] as char).collect();
                let rc: Vec<u8> = codes.iter().rev().map(|&c| 3 - c).collect();
                self.domains.push((name.to_string(), sequence.clone()));
                self.designed.push(codes);
                self.designed.push(rc);
                return Ok(sequence);
            }
        }
        err(
            "max_tries",
            format!(
                "max_tries: no candidate for domain {name:?} of length {length} met the constraints in {} tries",
                self.max_tries
            ),
        )
    }
}

// --------------------------------------------------------------------------- gates

/// The gate types (mirror of `GATE_TYPES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateType {
    /// Product of the inputs (fan-in >= 2).
    And,
    /// `1 − Π(1 − p)` (fan-in >= 2).
    Or,
    /// `1 − p` (fan-in 1).
    Not,
    /// `s·a + (1 − s)·b` (inputs select, a, b).
    Mux,
    /// `clip(Σp − threshold, 0, 1)` (fan-in >= 1).
    Threshold,
}

impl GateType {
    /// Parses a type name in either case (Unicode upper-casing, as Python's
    /// `str.upper`); an error naming `arg` otherwise.
    pub fn parse(arg: &str, s: &str) -> Result<Self> {
        Ok(match s.to_uppercase().as_str() {
            "AND" => GateType::And,
            "OR" => GateType::Or,
            "NOT" => GateType::Not,
            "MUX" => GateType::Mux,
            "THRESHOLD" => GateType::Threshold,
            _ => {
                return err(
                    arg,
                    format!("{arg} must be one of AND, OR, NOT, MUX, THRESHOLD; got {s:?}"),
                );
            }
        })
    }

    /// The upper-case name.
    pub fn name(self) -> &'static str {
        match self {
            GateType::And => "AND",
            GateType::Or => "OR",
            GateType::Not => "NOT",
            GateType::Mux => "MUX",
            GateType::Threshold => "THRESHOLD",
        }
    }

    /// `(minimum, maximum)` fan-in.
    pub fn arity(self) -> (usize, Option<usize>) {
        match self {
            GateType::And | GateType::Or => (2, None),
            GateType::Not => (1, Some(1)),
            GateType::Mux => (3, Some(3)),
            GateType::Threshold => (1, None),
        }
    }
}

/// The SC function of a gate, products and sums left to right from 1 and 0.
fn activation(gate_type: GateType, p: &[f64], threshold: f64) -> f64 {
    match gate_type {
        GateType::And => p.iter().fold(1.0, |acc, &x| acc * x),
        GateType::Or => 1.0 - p.iter().fold(1.0, |acc, &x| acc * (1.0 - x)),
        GateType::Not => 1.0 - p[0],
        GateType::Mux => p[0] * p[1] + (1.0 - p[0]) * p[2],
        GateType::Threshold => {
            let over = p.iter().fold(0.0, |acc, &x| acc + x) - threshold;
            if over.is_nan() || over <= 0.0 {
                0.0
            } else if over < 1.0 {
                over
            } else {
                1.0
            }
        }
    }
}

/// A gate's checked wiring fields.
struct GateFields {
    name: String,
    gate_type: GateType,
    inputs: Vec<String>,
    output: String,
    threshold: Option<f64>,
}

/// Shared checks of a gate's fields. `arg` is `None` for a gate built
/// directly (errors name the field) or `Some("gates")` inside a compile.
fn check_gate_fields(
    name: &str,
    gate_type: &str,
    inputs: &[String],
    output: &str,
    threshold: Option<f64>,
    arg: Option<&'static str>,
) -> Result<GateFields> {
    let label = |field: &'static str| arg.unwrap_or(field);
    check_identifier(label("name"), name)?;
    let gtype = GateType::parse(label("gate_type"), gate_type)?;
    let (lo, hi) = gtype.arity();
    if inputs.len() < lo || hi.is_some_and(|h| inputs.len() > h) {
        return err(
            label("inputs"),
            format!(
                "inputs: a {} gate takes {}{lo} inputs, got {}",
                gtype.name(),
                if hi == Some(lo) {
                    "exactly "
                } else {
                    "at least "
                },
                inputs.len()
            ),
        );
    }
    for s in inputs {
        check_identifier(label("inputs"), s)?;
    }
    let distinct: HashSet<&String> = inputs.iter().collect();
    if distinct.len() != inputs.len() {
        return err(label("inputs"), "inputs must be distinct signals");
    }
    check_identifier(label("output"), output)?;
    if inputs.iter().any(|s| s == output) {
        return err(
            label("output"),
            format!("output {output:?} must not be one of the gate's inputs"),
        );
    }
    let threshold = match (gtype, threshold) {
        (GateType::Threshold, None) => {
            return err(
                label("threshold"),
                "threshold is required for a THRESHOLD gate",
            );
        }
        (GateType::Threshold, Some(t)) => {
            let t = check_real(label("threshold"), t, Bounds::ANY)?;
            if !(0.0 < t && t < inputs.len() as f64) {
                return err(
                    label("threshold"),
                    format!("threshold must be in (0, {}), got {t:?}", inputs.len()),
                );
            }
            Some(t)
        }
        (_, Some(_)) => {
            return err(
                label("threshold"),
                format!(
                    "threshold is only for THRESHOLD gates, not {}",
                    gtype.name()
                ),
            );
        }
        (_, None) => None,
    };
    Ok(GateFields {
        name: name.to_string(),
        gate_type: gtype,
        inputs: inputs.to_vec(),
        output: output.to_string(),
        threshold,
    })
}

/// One compiled gate (mirror of `DNAGate`).
#[derive(Debug, Clone, PartialEq)]
pub struct DnaGate {
    name: String,
    gate_type: GateType,
    inputs: Vec<String>,
    output: String,
    strands: Vec<DnaStrand>,
    threshold: Option<f64>,
    concentration_nm: f64,
}

impl DnaGate {
    /// Checks every field as `DNAGate.__post_init__` does (errors name the field).
    pub fn new(
        name: &str,
        gate_type: &str,
        inputs: &[String],
        output: &str,
        strands: Vec<DnaStrand>,
        threshold: Option<f64>,
        concentration_nm: f64,
    ) -> Result<Self> {
        let f = check_gate_fields(name, gate_type, inputs, output, threshold, None)?;
        let concentration_nm = check_real("concentration_nM", concentration_nm, Bounds::POSITIVE)?;
        Ok(Self::from_fields(f, strands, concentration_nm))
    }

    fn from_fields(f: GateFields, strands: Vec<DnaStrand>, concentration_nm: f64) -> Self {
        DnaGate {
            name: f.name,
            gate_type: f.gate_type,
            inputs: f.inputs,
            output: f.output,
            strands,
            threshold: f.threshold,
            concentration_nm,
        }
    }

    /// The gate's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The gate's type.
    pub fn gate_type(&self) -> GateType {
        self.gate_type
    }

    /// Its input signals.
    pub fn inputs(&self) -> &[String] {
        &self.inputs
    }

    /// The signal it drives.
    pub fn output(&self) -> &str {
        &self.output
    }

    /// Its strands.
    pub fn strands(&self) -> &[DnaStrand] {
        &self.strands
    }

    /// The gate complex concentration (nM).
    pub fn concentration_nm(&self) -> f64 {
        self.concentration_nm
    }

    /// The SC function on one probability per input, each finite in `[0, 1]`
    /// (errors name `probabilities`).
    pub fn activation(&self, probabilities: &[f64]) -> Result<f64> {
        if probabilities.len() != self.inputs.len() {
            return err(
                "probabilities",
                format!(
                    "probabilities must hold {} values, one per input",
                    self.inputs.len()
                ),
            );
        }
        for &p in probabilities {
            check_real("probabilities", p, Bounds::within(0.0, 1.0))?;
        }
        Ok(activation(
            self.gate_type,
            probabilities,
            self.threshold.unwrap_or(0.0),
        ))
    }
}

/// Feed-forward wiring (errors name `input_names`, `gates` or `output_names`).
fn check_wiring(gates: &[DnaGate], input_names: &[String], output_names: &[String]) -> Result<()> {
    if input_names.is_empty() {
        return err(
            "input_names",
            "input_names must name at least one primary input",
        );
    }
    for s in input_names {
        check_identifier("input_names", s)?;
    }
    if input_names.iter().collect::<HashSet<_>>().len() != input_names.len() {
        return err("input_names", "input_names must be distinct");
    }
    if gates.is_empty() {
        return err("gates", "gates must hold at least one gate");
    }
    let mut known: HashSet<&str> = input_names.iter().map(String::as_str).collect();
    let mut names: HashSet<&str> = HashSet::new();
    for (k, g) in gates.iter().enumerate() {
        if !names.insert(&g.name) {
            return err(
                "gates",
                format!("gates[{k}]: gate name {:?} is used twice", g.name),
            );
        }
        if let Some(s) = g.inputs.iter().find(|s| !known.contains(s.as_str())) {
            return err(
                "gates",
                format!("gates[{k}] ({}): input {s:?} is a dangling wire", g.name),
            );
        }
        if !known.insert(&g.output) {
            return err(
                "gates",
                format!(
                    "gates[{k}] ({}): output {:?} is already driven",
                    g.name, g.output
                ),
            );
        }
    }
    if output_names.is_empty() {
        return err("output_names", "output_names must name at least one signal");
    }
    if output_names.iter().collect::<HashSet<_>>().len() != output_names.len() {
        return err("output_names", "output_names must be distinct");
    }
    if let Some(s) = output_names.iter().find(|s| !known.contains(s.as_str())) {
        return err(
            "output_names",
            format!("output_names: {s:?} is a dangling wire"),
        );
    }
    Ok(())
}

// --------------------------------------------------------------------------- circuits

/// A compiled or hand-written circuit (mirror of `DNACircuitDesign`).
#[derive(Debug, Clone, PartialEq)]
pub struct DnaCircuitDesign {
    strands: Vec<DnaStrand>,
    domains: Vec<(String, String)>,
    gates: Vec<DnaGate>,
    input_names: Vec<String>,
    output_names: Vec<String>,
    gc_target: (f64, f64),
    max_homopolymer: usize,
    temperature_c: f64,
}

impl DnaCircuitDesign {
    /// Checks strand names (distinct; error `strands`), domains (non-empty
    /// names, ACGT sequences, upper-cased; error `domains`), wiring when there
    /// are gates or names, `gc_target`, `max_homopolymer >= 1`,
    /// `temperature_c` in `[0, 100]`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        strands: Vec<DnaStrand>,
        domains: &[(String, String)],
        gates: Vec<DnaGate>,
        input_names: Vec<String>,
        output_names: Vec<String>,
        gc_target: &[f64],
        max_homopolymer: i64,
        temperature_c: f64,
    ) -> Result<Self> {
        let mut seen = HashSet::new();
        for s in &strands {
            if !seen.insert(s.name.clone()) {
                return err(
                    "strands",
                    format!("strands: name {:?} is used twice", s.name),
                );
            }
        }
        let mut checked: Vec<(String, String)> = Vec::new();
        for (name, seq) in domains {
            check_text("domains", name)?;
            let seq = normalise_sequence("domains", seq)?;
            match checked.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => slot.1 = seq,
                None => checked.push((name.clone(), seq)),
            }
        }
        if !gates.is_empty() || !input_names.is_empty() || !output_names.is_empty() {
            check_wiring(&gates, &input_names, &output_names)?;
        }
        let gc_target = check_gc_target("gc_target", gc_target)?;
        let max_homopolymer = check_int("max_homopolymer", max_homopolymer, 1, None)?;
        let temperature_c = check_temperature("temperature_c", temperature_c)?;
        Ok(DnaCircuitDesign {
            strands,
            domains: checked,
            gates,
            input_names,
            output_names,
            gc_target,
            max_homopolymer,
            temperature_c,
        })
    }

    /// Every strand, in order.
    pub fn strands(&self) -> &[DnaStrand] {
        &self.strands
    }

    /// The domains, in design order.
    pub fn domains(&self) -> &[(String, String)] {
        &self.domains
    }

    /// The gates, in feed-forward order.
    pub fn gates(&self) -> &[DnaGate] {
        &self.gates
    }

    /// The primary inputs.
    pub fn input_names(&self) -> &[String] {
        &self.input_names
    }

    /// Design-rule warnings, in `DNACircuitDesign.validate`'s order and wording.
    pub fn validate(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        let (lo, hi) = self.gc_target;
        let limit = self.max_homopolymer;
        for (name, seq) in &self.domains {
            let bytes = seq.as_bytes();
            let gc = gc_of(bytes);
            let frac = gc as f64 / bytes.len() as f64;
            if !(lo <= frac && frac <= hi) {
                warnings.push(format!(
                    "domain {name}: GC content {gc}/{} is outside the target range",
                    bytes.len()
                ));
            }
            let run = longest_run(bytes);
            if run > limit {
                warnings.push(format!(
                    "domain {name}: homopolymer run of {run} exceeds the limit of {limit}"
                ));
            }
            if bytes.len() >= MIN_STABLE_DOMAIN_LENGTH {
                let strand = DnaStrand {
                    name: name.clone(),
                    sequence: seq.clone(),
                    role: "signal".into(),
                    concentration_nm: 100.0,
                };
                // A sequence of >= 10 nt has stacks; the default concentrations are valid.
                if strand
                    .melting_temperature(1.0, 2.5e-7)
                    .is_ok_and(|tm| tm < self.temperature_c)
                {
                    warnings.push(format!(
                        "domain {name}: melting temperature is below the operating temperature"
                    ));
                }
            }
        }
        for s in &self.strands {
            let run = s.max_homopolymer();
            if run > limit {
                warnings.push(format!(
                    "strand {}: homopolymer run of {run} exceeds the limit of {limit}",
                    s.name
                ));
            }
        }
        warnings
    }
}

/// One gate of a network to compile (mirror of a `compile_network` mapping).
#[derive(Debug, Clone, PartialEq)]
pub struct GateSpec {
    /// `"AND"`, `"OR"`, `"NOT"`, `"MUX"` or `"THRESHOLD"`, any case.
    pub gate_type: String,
    /// Input signal names.
    pub inputs: Vec<String>,
    /// The new signal it drives.
    pub output: String,
    /// THRESHOLD only.
    pub threshold: Option<f64>,
    /// Gate name (default `g<index>`).
    pub name: Option<String>,
}

/// The compiler (mirror of `BitstreamToDNA`).
#[derive(Debug, Clone)]
pub struct BitstreamToDna {
    seed: u64,
    temperature_c: f64,
    gc_target: (f64, f64),
    max_homopolymer: i64,
}

/// `[s.t, s.d]`.
fn td(s: &str) -> [String; 2] {
    [format!("{s}.t"), format!("{s}.d")]
}

impl BitstreamToDna {
    /// Design seed and operating temperature (`[0, 100]` °C); default design
    /// rules `gc_target = (0.4, 0.6)`, `max_homopolymer = 3`.
    pub fn new(seed: u64, temperature_c: f64) -> Result<Self> {
        Ok(BitstreamToDna {
            seed,
            temperature_c: check_temperature("temperature_c", temperature_c)?,
            gc_target: (0.4, 0.6),
            max_homopolymer: 3,
        })
    }

    /// `200.0 * ones / n` for a non-empty stream of 0/1 values (error `bits`).
    pub fn concentration_of(bits: &[u8]) -> Result<f64> {
        if bits.is_empty() {
            return err("bits", "bits must be a non-empty 1-D stream");
        }
        if let Some(k) = bits.iter().position(|&b| b > 1) {
            return err(
                "bits",
                format!(
                    "bits must contain only 0 and 1, got {} at index {k}",
                    bits[k]
                ),
            );
        }
        let ones = bits.iter().filter(|&&b| b == 1).count();
        Ok(MAX_CONCENTRATION_NM * ones as f64 / bits.len() as f64)
    }

    /// Compiles a feed-forward network (see the module docs and the Python
    /// class docstring for the templates). Errors name `gates`,
    /// `input_names`, `output_names` or, when the designer gives up,
    /// `max_tries`.
    pub fn compile_network(
        &self,
        gates: &[GateSpec],
        input_names: &[String],
        output_names: &[String],
    ) -> Result<DnaCircuitDesign> {
        let mut wiring = Vec::with_capacity(gates.len());
        for (k, spec) in gates.iter().enumerate() {
            let name = spec.name.clone().unwrap_or_else(|| format!("g{k}"));
            let f = check_gate_fields(
                &name,
                &spec.gate_type,
                &spec.inputs,
                &spec.output,
                spec.threshold,
                Some("gates"),
            )?;
            wiring.push(DnaGate::from_fields(f, Vec::new(), GATE_CONCENTRATION_NM));
        }
        check_wiring(&wiring, input_names, output_names)?;

        let gc = [self.gc_target.0, self.gc_target.1];
        let mut designer = SequenceDesigner::new(
            self.seed,
            &gc,
            self.max_homopolymer,
            DEFAULT_MAX_SIMILARITY,
            DEFAULT_MAX_TRIES,
        )?;
        let signal = |d: &mut SequenceDesigner, s: &str| -> Result<()> {
            d.design_domain(&format!("{s}.t"), TOEHOLD_LENGTH)?;
            d.design_domain(&format!("{s}.d"), RECOGNITION_LENGTH)?;
            Ok(())
        };
        for s in input_names {
            signal(&mut designer, s)?;
        }
        let mut strands: Vec<DnaStrand> = Vec::new();
        let mut compiled: Vec<DnaGate> = Vec::new();
        // Internal domains are designed before each gate's strands are built.
        let mut pending: Vec<(usize, Vec<StrandTemplate>)> = Vec::new();
        for (gi, gate) in wiring.iter().enumerate() {
            let g = gate.name.as_str();
            match gate.gate_type {
                GateType::Not => signal(&mut designer, &format!("{g}.fuel"))?,
                GateType::Mux => {
                    signal(&mut designer, &format!("{g}.fuel"))?;
                    signal(&mut designer, &format!("{g}.sbar"))?;
                }
                GateType::Threshold => signal(&mut designer, &format!("{g}.sum"))?,
                GateType::And | GateType::Or => {}
            }
            signal(&mut designer, &gate.output)?;
            pending.push((gi, gate_templates(gate, output_names)));
        }
        for s in input_names {
            strands.push(DnaStrand::new(
                s,
                &join(&designer, &td(s)),
                "input",
                INPUT_CONCENTRATION_NM,
            )?);
        }
        for (gi, templates) in pending {
            let gate = &wiring[gi];
            let mut made = Vec::with_capacity(templates.len());
            for (name, domains, is_bottom, role, conc) in templates {
                let seq = join(&designer, &domains);
                let seq = if is_bottom { revcomp(&seq) } else { seq };
                made.push(DnaStrand::new(&name, &seq, role, conc)?);
            }
            strands.extend(made.iter().cloned());
            let mut g = gate.clone();
            g.strands = made;
            compiled.push(g);
        }
        DnaCircuitDesign::new(
            strands,
            designer.domains(),
            compiled,
            input_names.to_vec(),
            output_names.to_vec(),
            &gc,
            self.max_homopolymer,
            self.temperature_c,
        )
    }
}

fn join(designer: &SequenceDesigner, domains: &[String]) -> String {
    domains.iter().map(|d| designer.domain(d)).collect()
}

/// One strand of a gate: `(name, domains 5'→3', bottom? (then the strand is
/// the reverse complement of the concatenation), role, concentration)`.
type StrandTemplate = (String, Vec<String>, bool, &'static str, f64);

/// A top strand: its domains as written.
fn top(name: String, domains: Vec<String>, role: &'static str, conc: f64) -> StrandTemplate {
    (name, domains, false, role, conc)
}

/// A bottom strand: the reverse complement of its domains.
fn bottom(name: String, domains: Vec<String>, role: &'static str, conc: f64) -> StrandTemplate {
    (name, domains, true, role, conc)
}

/// A gate's strands, in the Python order.
fn gate_templates(gate: &DnaGate, output_names: &[String]) -> Vec<StrandTemplate> {
    let g = gate.name.as_str();
    let xs = &gate.inputs;
    let y = gate.output.as_str();
    let out_role = if output_names.iter().any(|o| o == y) {
        "output"
    } else {
        "release"
    };
    let gc = GATE_CONCENTRATION_NM;
    let fuel = FUEL_CONCENTRATION_NM;
    // `[first, target.t, target.d]`: a strand that releases `target`.
    let onto = |first: String, target: &str| {
        let [t, d] = td(target);
        vec![first, t, d]
    };
    let both = |a: &str, b: &str| {
        let mut v = td(a).to_vec();
        v.extend(td(b));
        v
    };
    let mut t: Vec<StrandTemplate> = Vec::new();
    match gate.gate_type {
        GateType::And => {
            let all: Vec<String> = xs.iter().flat_map(|x| td(x)).collect();
            t.push(bottom(format!("{g}:gate"), all, "gate", gc));
            for k in 0..xs.len() - 1 {
                let block = vec![format!("{}.d", xs[k]), format!("{}.t", xs[k + 1])];
                t.push(top(format!("{g}:block{}", k + 1), block, "blocker", gc));
            }
            let last = format!("{}.d", xs[xs.len() - 1]);
            t.push(top(format!("{g}:out"), onto(last, y), out_role, gc));
        }
        GateType::Or => {
            for (k, x) in (1..).zip(xs) {
                t.push(bottom(format!("{g}:gate{k}"), td(x).to_vec(), "gate", gc));
                let out = onto(format!("{x}.d"), y);
                t.push(top(format!("{g}:out{k}"), out, out_role, gc));
            }
        }
        GateType::Not => {
            let f = format!("{g}.fuel");
            t.push(top(format!("{g}:fuel"), td(&f).to_vec(), "fuel", fuel));
            t.push(bottom(format!("{g}:gate"), td(&f).to_vec(), "gate", gc));
            t.push(top(
                format!("{g}:out"),
                onto(format!("{f}.d"), y),
                out_role,
                gc,
            ));
            let pair = both(&xs[0], &f);
            t.push(bottom(format!("{g}:annihilator"), pair, "annihilator", gc));
        }
        GateType::Mux => {
            let (s, a, b) = (&xs[0], &xs[1], &xs[2]);
            let f = format!("{g}.fuel");
            let sb = format!("{g}.sbar");
            t.push(top(format!("{g}:fuel"), td(&f).to_vec(), "fuel", fuel));
            t.push(bottom(format!("{g}:notgate"), td(&f).to_vec(), "gate", gc));
            t.push(top(
                format!("{g}:notout"),
                onto(format!("{f}.d"), &sb),
                "release",
                gc,
            ));
            t.push(bottom(
                format!("{g}:annihilator"),
                both(s, &f),
                "annihilator",
                gc,
            ));
            for (k, (first, second)) in [(s.as_str(), a.as_str()), (sb.as_str(), b.as_str())]
                .into_iter()
                .enumerate()
            {
                let k = k + 1;
                t.push(bottom(
                    format!("{g}:gate{k}"),
                    both(first, second),
                    "gate",
                    gc,
                ));
                let block = vec![format!("{first}.d"), format!("{second}.t")];
                t.push(top(format!("{g}:block{k}"), block, "blocker", gc));
                let out = onto(format!("{second}.d"), y);
                t.push(top(format!("{g}:out{k}"), out, out_role, gc));
            }
        }
        GateType::Threshold => {
            let w = format!("{g}.sum");
            for (k, x) in (1..).zip(xs) {
                t.push(bottom(format!("{g}:gate{k}"), td(x).to_vec(), "gate", gc));
                let out = onto(format!("{x}.d"), &w);
                t.push(top(format!("{g}:out{k}"), out, "release", gc));
            }
            let sink = MAX_CONCENTRATION_NM * gate.threshold.unwrap_or(0.0);
            t.push(bottom(
                format!("{g}:threshold"),
                td(&w).to_vec(),
                "threshold",
                sink,
            ));
            t.push(bottom(format!("{g}:gate"), td(&w).to_vec(), "gate", gc));
            t.push(top(
                format!("{g}:out"),
                onto(format!("{w}.d"), y),
                out_role,
                gc,
            ));
        }
    }
    t
}

// --------------------------------------------------------------------------- kinetics

/// Integration method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Forward Euler.
    Euler,
    /// Classic fourth-order Runge–Kutta.
    Rk4,
}

/// Effective kinetics, one first-order rate per gate (mirror of `KineticSimulator`).
#[derive(Debug, Clone)]
pub struct KineticSimulator {
    k_hybridisation: f64,
    k_dissociation: f64,
    temperature_c: f64,
    method: Method,
    k_branch_migration: f64,
}

/// The result of [`KineticSimulator::simulate`].
#[derive(Debug, Clone, PartialEq)]
pub struct KineticTrace {
    /// Sample times (s): `k·dt` for `k < n`, then `t_end`.
    pub time_s: Vec<f64>,
    /// Primary inputs, then each gate's output.
    pub signals: Vec<String>,
    /// Row-major `(time_s.len(), signals.len())` concentrations (nM).
    pub concentrations_nm: Vec<f64>,
    /// Each gate's rate (1/s).
    pub rates: Vec<f64>,
}

/// Clamp to `[0, 200]`, mapping `-0.0` (and anything not `> 0`) to `0.0`.
fn clamp(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        0.0
    } else if x < MAX_CONCENTRATION_NM {
        x
    } else {
        MAX_CONCENTRATION_NM
    }
}

impl KineticSimulator {
    /// `k_hybridisation > 0`, `k_dissociation >= 0`, `k_branch_migration > 0`
    /// (finite), `temperature_c` in `[0, 100]`, `method` `"euler"` or `"rk4"`.
    pub fn new(
        k_hybridisation: f64,
        k_dissociation: f64,
        temperature_c: f64,
        method: &str,
        k_branch_migration: f64,
    ) -> Result<Self> {
        let k_hybridisation = check_real("k_hybridisation", k_hybridisation, Bounds::POSITIVE)?;
        let k_dissociation = check_real("k_dissociation", k_dissociation, Bounds::at_least(0.0))?;
        let temperature_c = check_temperature("temperature_c", temperature_c)?;
        let method = match method {
            "euler" => Method::Euler,
            "rk4" => Method::Rk4,
            _ => {
                return err(
                    "method",
                    format!("method must be one of euler, rk4; got {method:?}"),
                );
            }
        };
        let k_branch_migration =
            check_real("k_branch_migration", k_branch_migration, Bounds::POSITIVE)?;
        Ok(KineticSimulator {
            k_hybridisation,
            k_dissociation,
            temperature_c,
            method,
            k_branch_migration,
        })
    }

    /// `exp(−(E_A/R)·(1/T − 1/T_ref))`, exactly 1 at 37 °C.
    pub fn temperature_factor(&self) -> f64 {
        let t = self.temperature_c + 273.15;
        let t_ref = REFERENCE_TEMPERATURE_C + 273.15;
        (-(ACTIVATION_ENERGY / GAS_CONSTANT) * (1.0 / t - 1.0 / t_ref)).exp()
    }

    /// `f·k_hyb·k_bm/(k_bm + k_diss)·c·1e-9`, left to right.
    pub fn rate(&self, concentration_nm: f64) -> f64 {
        self.temperature_factor() * self.k_hybridisation * self.k_branch_migration
            / (self.k_branch_migration + self.k_dissociation)
            * concentration_nm
            * 1e-9
    }

    /// The rate of `gate`.
    pub fn gate_rate(&self, gate: &DnaGate) -> f64 {
        self.rate(gate.concentration_nm)
    }

    /// Integrates `design` from every gate output at 0 nM (see the module
    /// docs). `inputs` must hold exactly the primary inputs, each finite in
    /// `[0, 200]` (error `input_concentrations_nM`); `t_end >= 0`, `dt > 0`,
    /// finite, `t_end / dt <= 1e6`.
    pub fn simulate(
        &self,
        design: &DnaCircuitDesign,
        inputs: &BTreeMap<String, f64>,
        t_end: f64,
        dt: f64,
    ) -> Result<KineticTrace> {
        if design.gates.is_empty() {
            return err("design", "design has no gates to simulate");
        }
        if let Some(k) = inputs.keys().find(|k| !design.input_names.contains(k)) {
            return err(
                "input_concentrations_nM",
                format!("input_concentrations_nM names {k:?}, which is not a primary input"),
            );
        }
        if let Some(k) = design.input_names.iter().find(|k| !inputs.contains_key(*k)) {
            return err(
                "input_concentrations_nM",
                format!("input_concentrations_nM lacks the primary input {k:?}"),
            );
        }
        let t_end = check_real("t_end", t_end, Bounds::at_least(0.0))?;
        let dt = check_real("dt", dt, Bounds::POSITIVE)?;
        let ratio = t_end / dt;
        if ratio.is_nan() || ratio > MAX_STEPS {
            return err("dt", format!("dt {dt:?} makes more than {MAX_STEPS} steps"));
        }
        let n_steps = ratio.ceil() as usize;
        let mut state: Vec<f64> = Vec::new();
        for name in &design.input_names {
            let c = inputs.get(name).copied().unwrap_or(f64::NAN);
            state.push(check_real(
                "input_concentrations_nM",
                c,
                Bounds::within(0.0, MAX_CONCENTRATION_NM),
            )?);
        }
        let gates = &design.gates;
        let mut signals: Vec<String> = design.input_names.clone();
        signals.extend(gates.iter().map(|g| g.output.clone()));
        let index: HashMap<&str, usize> = signals
            .iter()
            .enumerate()
            .map(|(k, s)| (s.as_str(), k))
            .collect();
        // The design's wiring was checked when it was built (every gate input
        // is an earlier signal), so each lookup succeeds; a miss is still an
        // error, never a panic.
        let slot = |s: &str| -> Result<usize> {
            index
                .get(s)
                .copied()
                .ok_or_else(|| MirrorError::value("design", format!("design has no signal {s:?}")))
        };
        let mut wires: Vec<Vec<usize>> = Vec::with_capacity(gates.len());
        let mut outs: Vec<usize> = Vec::with_capacity(gates.len());
        for g in gates {
            wires.push(g.inputs.iter().map(|x| slot(x)).collect::<Result<_>>()?);
            outs.push(slot(&g.output)?);
        }
        let rates: Vec<f64> = gates.iter().map(|g| self.gate_rate(g)).collect();
        state.extend(gates.iter().map(|_| 0.0));

        let deriv = |st: &[f64]| -> Vec<f64> {
            gates
                .iter()
                .enumerate()
                .map(|(j, g)| {
                    let p: Vec<f64> = wires[j]
                        .iter()
                        .map(|&i| clamp(st[i]) / MAX_CONCENTRATION_NM)
                        .collect();
                    let target = MAX_CONCENTRATION_NM
                        * activation(g.gate_type, &p, g.threshold.unwrap_or(0.0));
                    rates[j] * (target - st[outs[j]])
                })
                .collect()
        };
        let shifted = |st: &[f64], h: f64, d: &[f64]| -> Vec<f64> {
            let mut moved = st.to_vec();
            for (j, &o) in outs.iter().enumerate() {
                moved[o] = st[o] + h * d[j];
            }
            moved
        };

        let width = signals.len();
        let mut rows = Vec::with_capacity((n_steps + 1) * width);
        rows.extend_from_slice(&state);
        let mut times = Vec::with_capacity(n_steps + 1);
        times.push(0.0);
        for k in 0..n_steps {
            let (h, t_next) = if k + 1 < n_steps {
                (dt, (k + 1) as f64 * dt)
            } else {
                let rest = t_end - (n_steps - 1) as f64 * dt;
                (if rest > 0.0 { rest } else { 0.0 }, t_end)
            };
            let d1 = deriv(&state);
            let mut next = state.clone();
            match self.method {
                Method::Euler => {
                    for (j, &o) in outs.iter().enumerate() {
                        next[o] = clamp(state[o] + h * d1[j]);
                    }
                }
                Method::Rk4 => {
                    let half = 0.5 * h;
                    let d2 = deriv(&shifted(&state, half, &d1));
                    let d3 = deriv(&shifted(&state, half, &d2));
                    let d4 = deriv(&shifted(&state, h, &d3));
                    let sixth = h / 6.0;
                    for (j, &o) in outs.iter().enumerate() {
                        next[o] = clamp(
                            state[o] + sixth * (((d1[j] + 2.0 * d2[j]) + 2.0 * d3[j]) + d4[j]),
                        );
                    }
                }
            }
            state = next;
            rows.extend_from_slice(&state);
            times.push(t_next);
        }
        Ok(KineticTrace {
            time_s: times,
            signals,
            concentrations_nm: rows,
            rates,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::array::NdArray;
    use crate::checks::check_ndim;
    use crate::fields::{self, op};
    use crate::golden::{DType, Field, Values};
    use crate::golden_check::check_golden;

    /// `"TYPE in1,in2 out [threshold=x] [name=n]"`, as `parse_gate` in
    /// parity/safety_cases/dna_mapper.py.
    fn parse_gate(text: &str) -> Result<GateSpec> {
        let bad = || MirrorError::value("gates", format!("gates: malformed gate {text:?}"));
        let tokens: Vec<&str> = text.split(' ').collect();
        if tokens.len() < 3 || tokens.iter().any(|t| t.is_empty()) {
            return Err(bad());
        }
        let mut spec = GateSpec {
            gate_type: tokens[0].to_string(),
            inputs: tokens[1].split(',').map(str::to_string).collect(),
            output: tokens[2].to_string(),
            threshold: None,
            name: None,
        };
        for token in &tokens[3..] {
            let (key, value) = token.split_once('=').ok_or_else(bad)?;
            match key {
                "threshold" if spec.threshold.is_none() => {
                    spec.threshold = Some(value.parse::<f64>().map_err(|_| bad())?)
                }
                "name" if spec.name.is_none() => spec.name = Some(value.to_string()),
                _ => return Err(bad()),
            }
        }
        Ok(spec)
    }

    fn strs(x: &[Field], name: &str) -> Result<Vec<String>> {
        let a = fields::str_array(x, name)?;
        check_ndim(name, &a, 1)?;
        Ok(a.data().to_vec())
    }

    fn f64s(x: &[Field], name: &str) -> Result<Vec<f64>> {
        let a = fields::f64_array(x, name)?;
        check_ndim(name, &a, 1)?;
        Ok(a.data().to_vec())
    }

    fn gate_specs(x: &[Field]) -> Result<Vec<GateSpec>> {
        strs(x, "gates")?.iter().map(|g| parse_gate(g)).collect()
    }

    /// An error on an argument the case passes under another name.
    fn rename(e: MirrorError, from: &str, to: &str) -> MirrorError {
        if e.arg == from {
            MirrorError {
                arg: to.to_string(),
                ..e
            }
        } else {
            e
        }
    }

    fn simulator(x: &[Field]) -> Result<KineticSimulator> {
        KineticSimulator::new(
            fields::f64_scalar(x, "k_hybridisation")?,
            fields::f64_scalar(x, "k_dissociation")?,
            fields::f64_scalar(x, "temperature_c")?,
            &fields::str_scalar(x, "method")?,
            fields::f64_scalar(x, "k_branch_migration")?,
        )
    }

    /// One golden case: `op` and its inputs, as `run_case` reads them.
    fn run(x: &[Field]) -> Result<Vec<Field>> {
        Ok(match op(x)?.as_str() {
            "DNAStrand" => {
                let s = DnaStrand::new(
                    &fields::str_scalar(x, "name")?,
                    &fields::str_scalar(x, "sequence")?,
                    &fields::str_scalar(x, "role")?,
                    fields::f64_scalar(x, "concentration_nM")?,
                )?;
                vec![
                    Field::str_scalar("sequence", s.sequence()),
                    Field::i64_scalar("length", s.len() as i64),
                    Field::f64_scalar("gc_content", s.gc_content()),
                    Field::str_scalar("complement", &s.complement()),
                    Field::str_scalar("reverse_complement", &s.reverse_complement()),
                    Field::i64_scalar("max_homopolymer", s.max_homopolymer() as i64),
                ]
            }
            "DNAStrand.thermodynamics" => {
                let s = DnaStrand::new("s", &fields::str_scalar(x, "sequence")?, "signal", 100.0)?;
                let tm = s.melting_temperature(
                    fields::f64_scalar(x, "na_conc_M")?,
                    fields::f64_scalar(x, "strand_conc_M")?,
                )?;
                vec![
                    Field::f64_scalar("delta_h", s.delta_h()?),
                    Field::f64_scalar("delta_s", s.delta_s()?),
                    Field::f64_scalar("delta_g_37", s.delta_g_37()?),
                    Field::f64_scalar("tm", tm),
                ]
            }
            "sequence_similarity" => vec![Field::f64_scalar(
                "similarity",
                sequence_similarity(&fields::str_scalar(x, "a")?, &fields::str_scalar(x, "b")?)?,
            )],
            "SequenceDesigner.design_domain" => {
                let mut d = SequenceDesigner::new(
                    fields::u64_scalar(x, "seed")?,
                    &f64s(x, "gc_target")?,
                    fields::i64_scalar(x, "max_homopolymer")?,
                    fields::f64_scalar(x, "max_similarity")?,
                    fields::i64_scalar(x, "max_tries")?,
                )?;
                let names = strs(x, "names")?;
                let lengths = fields::i64_array(x, "lengths")?;
                if lengths.shape() != [names.len()] {
                    return Err(MirrorError::value("lengths", "one length per name"));
                }
                let mut out = Vec::new();
                for (n, &len) in names.iter().zip(lengths.data()) {
                    out.push(
                        d.design_domain(n, len)
                            .map_err(|e| rename(rename(e, "name", "names"), "length", "lengths"))?,
                    );
                }
                vec![
                    Field::strs("sequences", out),
                    Field::u64_scalar("rng_state", d.rng_state()),
                ]
            }
            "DNAGate.activation" => {
                let p = f64s(x, "probabilities")?;
                let has_threshold = fields::has(x, "threshold");
                let threshold = if has_threshold {
                    Some(fields::f64_scalar(x, "threshold")?)
                } else {
                    None
                };
                let ins: Vec<String> = (0..p.len()).map(|k| format!("x{k}")).collect();
                let gate = DnaGate::new(
                    "g",
                    &fields::str_scalar(x, "gate_type")?,
                    &ins,
                    "y",
                    Vec::new(),
                    threshold,
                    GATE_CONCENTRATION_NM,
                )
                .map_err(|e| {
                    let e = rename(e, "inputs", "probabilities");
                    if has_threshold {
                        e
                    } else {
                        rename(e, "threshold", "gate_type")
                    }
                })?;
                vec![Field::f64_scalar("activation", gate.activation(&p)?)]
            }
            "BitstreamToDNA.compile_network" => {
                let gates = gate_specs(x)?;
                let compiler = BitstreamToDna::new(
                    fields::u64_scalar(x, "seed")?,
                    fields::f64_scalar(x, "temperature_c")?,
                )?;
                let d = compiler.compile_network(
                    &gates,
                    &strs(x, "input_names")?,
                    &strs(x, "output_names")?,
                )?;
                let st = d.strands();
                vec![
                    Field::strs(
                        "domain_names",
                        d.domains().iter().map(|p| p.0.clone()).collect(),
                    ),
                    Field::strs(
                        "domain_sequences",
                        d.domains().iter().map(|p| p.1.clone()).collect(),
                    ),
                    Field::strs("strand_names", st.iter().map(|s| s.name.clone()).collect()),
                    Field::strs(
                        "strand_sequences",
                        st.iter().map(|s| s.sequence.clone()).collect(),
                    ),
                    Field::strs("strand_roles", st.iter().map(|s| s.role.clone()).collect()),
                    Field::f64s(
                        "strand_concentrations_nM",
                        st.iter().map(|s| s.concentration_nm).collect(),
                    ),
                    Field::strs(
                        "gate_names",
                        d.gates().iter().map(|g| g.name.clone()).collect(),
                    ),
                    Field::strs(
                        "gate_types",
                        d.gates()
                            .iter()
                            .map(|g| g.gate_type.name().to_string())
                            .collect(),
                    ),
                    Field::strs("warnings", d.validate()),
                ]
            }
            "DNACircuitDesign.validate" => {
                let dn = strs(x, "domain_names")?;
                let ds = strs(x, "domain_sequences")?;
                let sn = strs(x, "strand_names")?;
                let ss = strs(x, "strand_sequences")?;
                if dn.len() != ds.len() {
                    return Err(MirrorError::value(
                        "domain_sequences",
                        "one per domain name",
                    ));
                }
                if sn.len() != ss.len() {
                    return Err(MirrorError::value(
                        "strand_sequences",
                        "one per strand name",
                    ));
                }
                if dn.iter().collect::<HashSet<_>>().len() != dn.len() {
                    return Err(MirrorError::value("domain_names", "domain names repeated"));
                }
                let mut strands = Vec::new();
                for (n, q) in sn.iter().zip(&ss) {
                    strands.push(DnaStrand::new(n, q, "signal", 100.0).map_err(|e| {
                        rename(
                            rename(e, "name", "strand_names"),
                            "sequence",
                            "strand_sequences",
                        )
                    })?);
                }
                let domains: Vec<(String, String)> = dn.into_iter().zip(ds).collect();
                let d = DnaCircuitDesign::new(
                    strands,
                    &domains,
                    Vec::new(),
                    Vec::new(),
                    Vec::new(),
                    &f64s(x, "gc_target")?,
                    fields::i64_scalar(x, "max_homopolymer")?,
                    fields::f64_scalar(x, "temperature_c")?,
                )
                .map_err(|e| {
                    rename(
                        rename(e, "domains", "domain_sequences"),
                        "strands",
                        "strand_names",
                    )
                })?;
                vec![Field::strs("warnings", d.validate())]
            }
            "KineticSimulator.rates" => {
                let sim = simulator(x)?;
                let mut rates = Vec::new();
                for c in f64s(x, "gate_concentrations_nM")? {
                    let ins = ["x".to_string()];
                    let gate = DnaGate::new("g", "NOT", &ins, "y", Vec::new(), None, c)
                        .map_err(|e| rename(e, "concentration_nM", "gate_concentrations_nM"))?;
                    rates.push(sim.gate_rate(&gate));
                }
                vec![
                    Field::f64_scalar("temperature_factor", sim.temperature_factor()),
                    Field::f64s("rates", rates),
                ]
            }
            "KineticSimulator.simulate" => {
                let sim = simulator(x)?;
                let design = BitstreamToDna::new(42, 37.0)?.compile_network(
                    &gate_specs(x)?,
                    &strs(x, "input_names")?,
                    &strs(x, "output_names")?,
                )?;
                let names = strs(x, "concentration_names")?;
                let values = f64s(x, "input_concentrations_nM")?;
                if names.len() != values.len() {
                    return Err(MirrorError::value(
                        "input_concentrations_nM",
                        "one per name",
                    ));
                }
                let inputs: BTreeMap<String, f64> = names.into_iter().zip(values).collect();
                let tr = sim.simulate(
                    &design,
                    &inputs,
                    fields::f64_scalar(x, "t_end")?,
                    fields::f64_scalar(x, "dt")?,
                )?;
                let rows = tr.time_s.len();
                let width = tr.signals.len();
                vec![
                    Field::strs("signals", tr.signals),
                    Field::f64s("gate_rates", tr.rates),
                    Field::f64s("time_s", tr.time_s),
                    Field::from_f64(
                        "concentrations_nM",
                        NdArray::new("concentrations_nM", vec![rows, width], tr.concentrations_nm)?,
                    ),
                ]
            }
            "BitstreamToDNA.concentration_of" => {
                let f = fields::find(x, "bits")?;
                if f.shape.len() != 1 {
                    return Err(MirrorError::value("bits", "bits must be 1-D"));
                }
                let bits: Vec<u8> = match (&f.values, f.values.dtype()) {
                    (Values::U8(v), _) => v.clone(),
                    (Values::I64(v), _) => v
                        .iter()
                        .map(|&b| u8::try_from(b).unwrap_or(u8::MAX))
                        .collect(),
                    (_, DType::U64) => {
                        return Err(MirrorError::value("bits", "bits as u64 are not tested"));
                    }
                    _ => {
                        return Err(MirrorError::type_error(
                            "bits",
                            "bits must hold integers 0/1",
                        ));
                    }
                };
                vec![Field::f64_scalar(
                    "concentration_nM",
                    BitstreamToDna::concentration_of(&bits)?,
                )]
            }
            other => return Err(MirrorError::value("op", format!("unknown op {other:?}"))),
        })
    }

    #[test]
    fn golden_dna_mapper() {
        let counts = check_golden("dna_mapper", |case| run(&case.inputs));
        assert!(counts.valid >= 100 && counts.invalid >= 100, "{counts:?}");
    }

    #[test]
    fn every_dinucleotide_has_a_stack() {
        for x in BASES {
            for y in BASES {
                let (h, s) = stack_of(x, y);
                assert!(h.is_finite() && s.is_finite(), "{}{}", x as char, y as char);
                // A dinucleotide and its reverse complement are one duplex.
                assert_eq!((h, s), stack_of(complement_base(y), complement_base(x)));
            }
        }
        // Each of the 10 stacks is reached.
        for (key, h, s) in NN_STACKS {
            let k = key.as_bytes();
            assert_eq!(stack_of(k[0], k[1]), (h, s), "{key}");
            assert_eq!(
                &key[3..],
                &DnaStrand::new("k", &key[..2], "signal", 1.0)
                    .unwrap()
                    .complement()
            );
        }
    }

    #[test]
    fn sequences_are_checked_and_upper_cased() {
        let s = DnaStrand::new("x", "acgTTa", "signal", 100.0).unwrap();
        assert_eq!(s.sequence(), "ACGTTA");
        assert_eq!(s.reverse_complement(), "TAACGT");
        let e = DnaStrand::new("x", "AC\u{e9}T", "signal", 1.0).unwrap_err();
        assert_eq!(e.arg, "sequence");
        assert!(e.message.contains("at position 2"), "{}", e.message);
        assert_eq!(complement("aAcG").unwrap(), "TTGC");
        assert_eq!(reverse_complement("AACG").unwrap(), "CGTT");
        assert!(reverse_complement("").is_err());
        let one = DnaStrand::new("x", "G", "signal", 1.0).unwrap();
        assert_eq!(one.delta_h().unwrap_err().arg, "sequence");
        assert_eq!(
            one.melting_temperature(1.0, 2.5e-7).unwrap_err().arg,
            "sequence"
        );
    }

    #[test]
    fn design_is_deterministic_and_holds_its_rules() {
        let mut a = SequenceDesigner::new(9, &[0.4, 0.6], 3, 0.75, 10_000).unwrap();
        let mut b = SequenceDesigner::new(9, &[0.4, 0.6], 3, 0.75, 10_000).unwrap();
        let mut seen: Vec<String> = Vec::new();
        for k in 0..10 {
            let len = if k % 2 == 0 { 6 } else { 15 };
            let s = a.design_domain(&format!("d{k}"), len).unwrap();
            assert_eq!(s, b.design_domain(&format!("d{k}"), len).unwrap());
            let frac = gc_of(s.as_bytes()) as f64 / s.len() as f64;
            assert!(
                (0.4..=0.6).contains(&frac) && longest_run(s.as_bytes()) <= 3,
                "{s}"
            );
            for other in &seen {
                assert!(sequence_similarity(&s, other).unwrap() <= 0.75);
                assert!(sequence_similarity(&s, &revcomp(other)).unwrap() <= 0.75);
            }
            seen.push(s);
        }
        assert_eq!(a.rng_state(), b.rng_state());
        assert_eq!(a.design_domain("d0", 6).unwrap_err().arg, "name");
        let state = a.rng_state();
        assert_eq!(a.design_domain("one", 1).unwrap_err().arg, "length");
        assert_eq!(a.rng_state(), state, "a refused call draws nothing");
    }

    #[test]
    fn and_gate_truth_table_both_methods() {
        let spec = GateSpec {
            gate_type: "AND".into(),
            inputs: vec!["a".into(), "b".into()],
            output: "y".into(),
            threshold: None,
            name: None,
        };
        let names = ["a".to_string(), "b".to_string()];
        let design = BitstreamToDna::new(42, 37.0)
            .unwrap()
            .compile_network(&[spec], &names, &["y".to_string()])
            .unwrap();
        for method in ["euler", "rk4"] {
            let sim = KineticSimulator::new(3e5, 1.0, 37.0, method, 100.0).unwrap();
            for (a, b) in [(200.0, 200.0), (200.0, 0.0), (0.0, 200.0), (0.0, 0.0)] {
                let inputs = BTreeMap::from([("a".to_string(), a), ("b".to_string(), b)]);
                let tr = sim.simulate(&design, &inputs, 1800.0, 1.0).unwrap();
                let y = tr.concentrations_nm[tr.concentrations_nm.len() - 1];
                assert_eq!(y > 50.0, a > 0.0 && b > 0.0, "{method} {a} {b}: {y}");
            }
        }
        let sim = KineticSimulator::new(3e5, 1.0, 37.0, "euler", 100.0).unwrap();
        assert_eq!(sim.temperature_factor(), 1.0);
        let inputs = BTreeMap::from([("a".to_string(), 1.0)]);
        assert_eq!(
            sim.simulate(&design, &inputs, 10.0, 1.0).unwrap_err().arg,
            "input_concentrations_nM"
        );
    }
}
