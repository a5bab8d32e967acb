//! The GF(4) single-error-correcting code (as `_dna.coding`): `A, C, G, T =
//! 0, 1, w, w²`; parity `p_i = Σ_j H[i][j] d_j`; column `j` of `H` the `j`-th
//! vector (base-4 digits of `v = 1, 2, …`, coordinate `i` = `(v >> 2i) & 3`)
//! whose last non-zero coordinate is 1 and that is not a unit vector.

use std::collections::HashMap;

use super::err;
use super::sequences::codes;
use crate::checks::check_int;
use crate::error::Result;

/// GF(4) multiplication.
pub const MUL: [[u8; 4]; 4] = [[0, 0, 0, 0], [0, 1, 2, 3], [0, 2, 3, 1], [0, 3, 1, 2]];
/// GF(4) inverses.
pub const INV: [u8; 4] = [0, 1, 3, 2];
/// Most parity symbols.
pub const MAX_PARITY: i64 = 8;

/// The code.
#[derive(Debug, Clone)]
pub struct Gf4Code {
    r: usize,
    m: usize,
    columns: Vec<Vec<u8>>,
    column_of: HashMap<Vec<u8>, usize>,
}

impl Gf4Code {
    /// A code (errors name `n_parity`, `block_size`).
    pub fn new(n_parity: i64, block_size: i64) -> Result<Self> {
        let r = check_int("n_parity", n_parity, 2, Some(MAX_PARITY + 1))?;
        let max = (4i64.pow(r as u32) - 1) / 3 - r as i64;
        let m = check_int("block_size", block_size, 1, Some(max + 1))?;
        let mut columns = Vec::new();
        let mut v: u64 = 1;
        while columns.len() < m {
            let coords: Vec<u8> = (0..r).map(|i| ((v >> (2 * i)) & 3) as u8).collect();
            let nonzero: Vec<u8> = coords.iter().copied().filter(|&c| c != 0).collect();
            if nonzero.len() > 1 && *nonzero.last().unwrap_or(&0) == 1 {
                columns.push(coords);
            }
            v += 1;
        }
        let column_of = columns
            .iter()
            .enumerate()
            .map(|(j, c)| (c.clone(), j))
            .collect();
        Ok(Gf4Code {
            r,
            m,
            columns,
            column_of,
        })
    }

    /// `[H | I]`, row-major `r x (m + r)`.
    pub fn parity_check_matrix(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.r * (self.m + self.r));
        for i in 0..self.r {
            out.extend(self.columns.iter().map(|c| c[i]));
            out.extend((0..self.r).map(|k| u8::from(k == i)));
        }
        out
    }

    /// Rows and columns of [`parity_check_matrix`](Self::parity_check_matrix).
    pub fn shape(&self) -> (usize, usize) {
        (self.r, self.m + self.r)
    }

    fn parity(&self, data: &[u8]) -> Vec<u8> {
        let mut p = vec![0u8; self.r];
        for (j, &s) in data.iter().enumerate() {
            for (i, &h) in self.columns[j].iter().enumerate() {
                p[i] ^= MUL[h as usize][s as usize];
            }
        }
        p
    }

    /// Encodes checked upper-case text.
    pub fn encode(&self, seq: &str) -> String {
        let code = codes(seq);
        let mut out = String::new();
        for block in code.chunks(self.m) {
            out.extend(
                block
                    .iter()
                    .chain(&self.parity(block))
                    .map(|&s| b"ACGT"[s as usize] as char),
            );
        }
        out
    }

    /// Decodes checked upper-case text: `(data, corrections)`; errors name `encoded_sequence`.
    pub fn decode(&self, seq: &str) -> Result<(String, usize)> {
        let code = codes(seq);
        let mut out = String::new();
        let mut corrections = 0;
        for block in code.chunks(self.m + self.r) {
            if block.len() <= self.r {
                return err(
                    "encoded_sequence",
                    "encoded_sequence ends with a truncated block",
                );
            }
            let m = block.len() - self.r;
            let mut data = block[..m].to_vec();
            let syndrome: Vec<u8> = self
                .parity(&data)
                .iter()
                .zip(&block[m..])
                .map(|(p, q)| p ^ q)
                .collect();
            let nonzero: Vec<usize> = (0..self.r).filter(|&i| syndrome[i] != 0).collect();
            if let Some(&last) = nonzero.last() {
                corrections += 1;
                if nonzero.len() > 1 {
                    let e = syndrome[last];
                    let scaled: Vec<u8> = syndrome
                        .iter()
                        .map(|&s| MUL[INV[e as usize] as usize][s as usize])
                        .collect();
                    match self.column_of.get(&scaled) {
                        Some(&j) if j < m => data[j] ^= e,
                        _ => {
                            return err(
                                "encoded_sequence",
                                "a block has an error no single substitution explains",
                            );
                        }
                    }
                }
            }
            out.extend(data.iter().map(|&s| b"ACGT"[s as usize] as char));
        }
        Ok((out, corrections))
    }
}
