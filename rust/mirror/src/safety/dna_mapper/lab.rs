//! Cost and plate layout (as `_dna.lab`).

use super::err;
use super::types::{Design, DnaStrand};
use crate::checks::{Bounds, check_real};
use crate::error::Result;

/// The first strand of each distinct sequence, `all_strands` order.
pub fn unique_by_sequence(design: &Design) -> Vec<&DnaStrand> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for s in design.all_strands() {
        if !seen.contains(&s.sequence.as_str()) {
            seen.push(&s.sequence);
            out.push(s);
        }
    }
    out
}

/// `(length · price) · factor + fixed` per distinct oligo, and their sum (left to right).
pub fn costs(
    design: &Design,
    price: f64,
    fixed: f64,
    purification: &str,
) -> Result<(Vec<(String, f64)>, f64)> {
    let price = check_real("price_per_base_usd", price, Bounds::at_least(0.0))?;
    let fixed = check_real("fixed_per_oligo_usd", fixed, Bounds::at_least(0.0))?;
    let factor = match purification {
        "standard" => 1.0,
        "hplc" => 2.5,
        "page" => 3.0,
        _ => {
            return err(
                "purification",
                "purification must be standard, hplc or page",
            );
        }
    };
    let each: Vec<(String, f64)> = unique_by_sequence(design)
        .into_iter()
        .map(|s| (s.name.clone(), s.length() as f64 * price * factor + fixed))
        .collect();
    let total = each.iter().fold(0.0, |a, (_, c)| a + c);
    Ok((each, total))
}

/// `(plate from 1, well name, oligo name)`.
pub type Well = (usize, String, String);

/// Wells of the distinct oligos and the utilisation (%).
pub fn plate_layout(design: &Design, n_wells: i64) -> Result<(Vec<Well>, f64)> {
    let (wells, cols) = match n_wells {
        96 => (96usize, 12usize),
        384 => (384, 24),
        _ => return err("n_wells", "n_wells must be 96 or 384"),
    };
    let rows = b"ABCDEFGHIJKLMNOP";
    let oligos = unique_by_sequence(design);
    let placed: Vec<Well> = oligos
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let w = k % wells;
            (
                k / wells + 1,
                format!("{}{:02}", rows[w / cols] as char, w % cols + 1),
                s.name.clone(),
            )
        })
        .collect();
    let plates = placed.last().map_or(0, |p| p.0);
    let util = if plates > 0 {
        oligos.len() as f64 / (plates * wells) as f64 * 100.0
    } else {
        0.0
    };
    Ok((placed, util))
}
