//! Nearest-neighbour thermodynamics (as `_dna.thermodynamics`): sums in the
//! fixed order initiation, stacks 5'→3', terminal A·T of the 5' end then the
//! 3' end; `ΔG37 = ΔH − 310.15·ΔS/1000`; Tm with the SantaLucia entropy or the
//! Schildkraut–Lifson salt correction.

use super::constants::{
    GAS_CONSTANT, NA_RANGE_M, NN_INITIATION, NN_STACKS, NN_TERMINAL_AT, SALT_CORRECTIONS,
    SANTALUCIA_SALT_SLOPE, SCHILDKRAUT_SALT_SLOPE, T37_K,
};
use super::err;
use super::sequences::revcomp;
use crate::checks::{Bounds, check_real};
use crate::error::Result;

/// (ΔH, ΔS) of the stack whose top strand reads `pair` (5'→3').
pub fn stack(pair: &str) -> (f64, f64) {
    let rc = revcomp(pair);
    for top in [pair, rc.as_str()] {
        let bottom: String = top
            .bytes()
            .map(|b| super::sequences::partner(b) as char)
            .collect();
        let key = format!("{top}/{bottom}");
        if let Some(&(_, h, s)) = NN_STACKS.iter().find(|(k, _, _)| *k == key) {
            return (h, s);
        }
    }
    (0.0, 0.0) // unreachable for ACGT text: every dinucleotide has a stack
}

/// (ΔH, ΔS) of checked text with its complement; `arg` names it when shorter than 2 nt.
pub fn nn_sums(arg: &str, seq: &str) -> Result<(f64, f64)> {
    if seq.len() < 2 {
        return err(
            arg,
            format!("{arg} must have at least 2 nucleotides for nearest-neighbour thermodynamics"),
        );
    }
    let (mut dh, mut ds) = NN_INITIATION;
    for k in 0..seq.len() - 1 {
        let (h, s) = stack(&seq[k..k + 2]);
        dh += h;
        ds += s;
    }
    for end in [seq.as_bytes()[0], seq.as_bytes()[seq.len() - 1]] {
        if end == b'A' || end == b'T' {
            dh += NN_TERMINAL_AT.0;
            ds += NN_TERMINAL_AT.1;
        }
    }
    Ok((dh, ds))
}

/// ΔG at 37 °C (kcal/mol).
pub fn delta_g_37(arg: &str, seq: &str) -> Result<f64> {
    let (dh, ds) = nn_sums(arg, seq)?;
    Ok(dh - T37_K * ds / 1000.0)
}

/// Checks a sodium concentration (M) against [`NA_RANGE_M`].
pub fn check_sodium(arg: &str, na: f64) -> Result<f64> {
    let na = check_real(arg, na, Bounds::POSITIVE)?;
    if !(NA_RANGE_M.0..=NA_RANGE_M.1).contains(&na) {
        return err(arg, format!("{arg} must be in [0.05, 1.0] M, got {na:?}"));
    }
    Ok(na)
}

/// Melting temperature (°C) of checked text.
pub fn melting_temperature(seq: &str, na: f64, ct: f64, salt: &str) -> Result<f64> {
    let na = check_sodium("na_conc_M", na)?;
    let ct = check_real("strand_conc_M", ct, Bounds::POSITIVE.at_most(1.0))?;
    if !SALT_CORRECTIONS.contains(&salt) {
        return err(
            "salt_correction",
            format!("salt_correction must be one of {SALT_CORRECTIONS:?}"),
        );
    }
    let (dh, ds) = nn_sums("sequence", seq)?;
    if salt == "santalucia" {
        let ds = ds + (SANTALUCIA_SALT_SLOPE * (seq.len() - 1) as f64) * na.ln();
        Ok(1000.0 * dh / (ds + GAS_CONSTANT * (ct / 4.0).ln()) - 273.15)
    } else {
        Ok(1000.0 * dh / (ds + GAS_CONSTANT * (ct / 4.0).ln()) - 273.15
            + SCHILDKRAUT_SALT_SLOPE * na.log10())
    }
}

/// ΔG (kcal/mol) of the stacks of a helix whose 5' strand is `seq` (no
/// initiation, no terminal terms): `ΣΔH − 310.15·ΣΔS/1000`.
pub fn stack_delta_g(seq: &str) -> f64 {
    let (mut dh, mut ds) = (0.0, 0.0);
    for k in 0..seq.len().saturating_sub(1) {
        let (h, s) = stack(&seq[k..k + 2]);
        dh += h;
        ds += s;
    }
    dh - T37_K * ds / 1000.0
}

/// DNA hairpin-loop initiation ΔG at 37 °C (kcal/mol) for loops of 3–9 nt,
/// SantaLucia & Hicks (2004), Table 4.
pub const HAIRPIN_LOOP_DG: [f64; 7] = [3.5, 3.5, 3.3, 4.0, 4.2, 4.3, 4.5];

/// Hairpin-loop ΔG at 37 °C: [`HAIRPIN_LOOP_DG`] for 3–9 nt, beyond it
/// `ΔG(9) + 2.44·R·T·ln(loop/9)` with `R` in kcal.
pub fn hairpin_loop_delta_g(loop_nt: usize) -> f64 {
    if (3..=9).contains(&loop_nt) {
        return HAIRPIN_LOOP_DG[loop_nt - 3];
    }
    HAIRPIN_LOOP_DG[6] + 2.44 * (GAS_CONSTANT / 1000.0) * T37_K * (loop_nt as f64 / 9.0).ln()
}
