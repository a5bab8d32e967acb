//! Constants of the DNA mapper (as `sc_neurocore.bridges._dna.constants`).

/// Toehold domain length (nt).
pub const TOEHOLD_LENGTH: usize = 6;
/// Recognition domain length (nt).
pub const RECOGNITION_LENGTH: usize = 15;
/// Default GC-fraction range of designed sequences and of `validate()`.
pub const GC_TARGET: (f64, f64) = (0.40, 0.60);
/// Default longest run of one nucleotide.
pub const MAX_HOMOPOLYMER: usize = 3;
/// Accepted temperatures (°C).
pub const TEMPERATURE_RANGE_C: (f64, f64) = (0.0, 100.0);
/// The gas constant in cal/(mol·K).
pub const GAS_CONSTANT: f64 = 1.987;
/// 37 °C in kelvin.
pub const T37_K: f64 = 310.15;
/// Unified nearest-neighbour stacks `("XY/X'Y'", ΔH kcal/mol, ΔS cal/(mol·K))`,
/// SantaLucia (1998) Table 2, with the initiation and terminal A·T terms of
/// SantaLucia & Hicks (2004).
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
/// Duplex initiation (ΔH, ΔS).
pub const NN_INITIATION: (f64, f64) = (0.2, -5.7);
/// Penalty per terminal A·T pair (ΔH, ΔS).
pub const NN_TERMINAL_AT: (f64, f64) = (2.2, 6.9);
/// Sodium corrections of the melting temperature.
pub const SALT_CORRECTIONS: [&str; 2] = ["santalucia", "schildkraut"];
/// Sodium range (M) where the salt corrections hold.
pub const NA_RANGE_M: (f64, f64) = (0.05, 1.0);
/// SantaLucia's entropy salt coefficient.
pub const SANTALUCIA_SALT_SLOPE: f64 = 0.368;
/// Schildkraut–Lifson's Tm salt coefficient (°C per decade).
pub const SCHILDKRAUT_SALT_SLOPE: f64 = 16.6;
/// Strand roles.
pub const STRAND_ROLES: [&str; 7] = [
    "signal",
    "fuel",
    "output",
    "waste",
    "toehold",
    "translator",
    "threshold",
];
/// The concentration that stands for probability 1 (nM).
pub const MAX_CONCENTRATION_NM: f64 = 200.0;
/// Longest sequence accepted (nt).
pub const MAX_SEQUENCE_LENGTH: usize = 100_000;
/// Longest sequence the built-in folding model takes (nt).
pub const MAX_FOLD_LENGTH: usize = 300;
