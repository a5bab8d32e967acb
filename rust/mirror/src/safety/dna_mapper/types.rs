//! Gate types, strands, gates and designs (as `_dna.types`).

use super::constants::{GC_TARGET, MAX_HOMOPOLYMER, STRAND_ROLES};
use super::err;
use super::sequences::{check_sequence, check_strand_name, gc_count, longest_run, revcomp};
use crate::checks::{Bounds, check_real};
use crate::error::Result;

/// The gate types (the reference's `GateType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GateType {
    /// `p0 p1`.
    And,
    /// `1 − (1 − p0)(1 − p1)`.
    Or,
    /// `1 − p0`.
    Not,
    /// `1 − p0 p1`.
    Nand,
    /// `p0 (1 − p1) + p1 (1 − p0)`.
    Xor,
    /// `s a + (1 − s) b`.
    Mux,
    /// `max(p0 − threshold, 0)`.
    Threshold,
    /// No kinetic model.
    Catalytic,
    /// `min(1, 5 p0)`.
    Amplifier,
    /// `p0`.
    Buffer,
}

impl GateType {
    /// Every type, in the reference's order.
    pub const ALL: [GateType; 10] = [
        GateType::And,
        GateType::Or,
        GateType::Not,
        GateType::Nand,
        GateType::Xor,
        GateType::Mux,
        GateType::Threshold,
        GateType::Catalytic,
        GateType::Amplifier,
        GateType::Buffer,
    ];

    /// The upper-case name (`"AND"`).
    pub fn name(self) -> &'static str {
        match self {
            GateType::And => "AND",
            GateType::Or => "OR",
            GateType::Not => "NOT",
            GateType::Nand => "NAND",
            GateType::Xor => "XOR",
            GateType::Mux => "MUX",
            GateType::Threshold => "THRESHOLD",
            GateType::Catalytic => "CATALYTIC",
            GateType::Amplifier => "AMPLIFIER",
            GateType::Buffer => "BUFFER",
        }
    }

    /// The type named `s` in either case; a value error on `arg` otherwise.
    pub fn parse(arg: &str, s: &str) -> Result<GateType> {
        GateType::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s))
            .map_or_else(|| err(arg, format!("{arg}: unknown gate type {s:?}")), Ok)
    }

    /// Number of inputs.
    pub fn fan_in(self) -> usize {
        match self {
            GateType::And | GateType::Or | GateType::Nand | GateType::Xor => 2,
            GateType::Mux => 3,
            _ => 1,
        }
    }

    /// Whether the input order does not matter.
    pub fn commutative(self) -> bool {
        matches!(
            self,
            GateType::And | GateType::Or | GateType::Nand | GateType::Xor
        )
    }
}

/// A strand (5'→3', upper-case).
#[derive(Debug, Clone, PartialEq)]
pub struct DnaStrand {
    /// Name (printable ASCII without whitespace).
    pub name: String,
    /// Sequence.
    pub sequence: String,
    /// Role (one of [`STRAND_ROLES`]).
    pub role: String,
    /// Concentration (nM, `>= 0`).
    pub concentration_nm: f64,
}

impl DnaStrand {
    /// A checked strand (errors name `name`, `sequence`, `role`, `concentration_nM`).
    pub fn new(name: &str, sequence: &str, role: &str, concentration_nm: f64) -> Result<Self> {
        check_strand_name("name", name)?;
        let sequence = check_sequence("sequence", sequence, false)?;
        if !STRAND_ROLES.contains(&role) {
            return err(
                "role",
                format!("role must be one of {STRAND_ROLES:?}, got {role:?}"),
            );
        }
        let c = check_real("concentration_nM", concentration_nm, Bounds::at_least(0.0))?;
        Ok(DnaStrand {
            name: name.to_string(),
            sequence,
            role: role.to_string(),
            concentration_nm: c,
        })
    }

    /// Length (nt).
    pub fn length(&self) -> usize {
        self.sequence.len()
    }

    /// `count(G, C) / length`.
    pub fn gc_content(&self) -> f64 {
        gc_count(&self.sequence) as f64 / self.sequence.len() as f64
    }

    /// The reverse complement.
    pub fn complement(&self) -> String {
        revcomp(&self.sequence)
    }

    /// Longest run of one nucleotide.
    pub fn max_homopolymer_run(&self) -> usize {
        longest_run(&self.sequence)
    }
}

/// A gate: its wiring and strands.
#[derive(Debug, Clone, PartialEq)]
pub struct DnaGate {
    /// Index in the circuit.
    pub gate_id: usize,
    /// Operation.
    pub gate_type: GateType,
    /// Input signals.
    pub input_names: Vec<String>,
    /// Output signal.
    pub output_name: String,
    /// Strands.
    pub strands: Vec<DnaStrand>,
    /// THRESHOLD threshold (fraction of 200 nM).
    pub threshold: f64,
    /// Leak rate (1/s).
    pub leak_rate: f64,
}

/// A compiled circuit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Design {
    /// Gates in order.
    pub gates: Vec<DnaGate>,
    /// Primary input strands.
    pub input_strands: Vec<DnaStrand>,
    /// Primary output strands.
    pub output_strands: Vec<DnaStrand>,
    /// Fuel strands.
    pub fuel_strands: Vec<DnaStrand>,
    /// Design temperature (°C).
    pub temperature_c: f64,
    /// Primary input signal names.
    pub input_names: Vec<String>,
    /// Primary output signal names.
    pub output_names: Vec<String>,
}

impl Design {
    /// Every strand with its gate index (`None` for the design's own strands),
    /// in `all_strands` order: inputs, outputs, fuel, then each gate's.
    pub fn strands_with_gates(&self) -> Vec<(&DnaStrand, Option<usize>)> {
        let mut out: Vec<(&DnaStrand, Option<usize>)> = self
            .input_strands
            .iter()
            .chain(&self.output_strands)
            .chain(&self.fuel_strands)
            .map(|s| (s, None))
            .collect();
        for (k, g) in self.gates.iter().enumerate() {
            out.extend(g.strands.iter().map(|s| (s, Some(k))));
        }
        out
    }

    /// Every strand, `all_strands` order.
    pub fn all_strands(&self) -> Vec<&DnaStrand> {
        self.strands_with_gates()
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    }

    /// `validate()`: GC outside [0.4, 0.6], then runs over 3, per strand.
    pub fn validate(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        for s in self.all_strands() {
            let gc = s.gc_content();
            if !(GC_TARGET.0..=GC_TARGET.1).contains(&gc) {
                warnings.push(format!("{}: GC content {gc:.2} outside [0.4, 0.6]", s.name));
            }
            let run = s.max_homopolymer_run();
            if run > MAX_HOMOPOLYMER {
                warnings.push(format!(
                    "{}: homopolymer run {run} exceeds max {MAX_HOMOPOLYMER}",
                    s.name
                ));
            }
        }
        warnings
    }
}
