//! `L7_StochasticParameters` and the size limits (Python: `_l7/params.py`).

use super::checks::check_rate;
use super::glyph::{GLYPH_DIMENSIONS, HealthWeights};
use crate::checks::check_int;
use crate::error::{MirrorError, Result};

/// Largest `n_symbols`, `n_meridians`, `n_acupoints` and `bitstream_length`.
pub const MAX_SIZE: usize = 1 << 20;
/// Largest `n_symbols * bitstream_length` (the bits of one step).
pub const MAX_STEP_BITS: usize = 1 << 26;
/// Fewest symbols (the Phi alignment compares the two largest).
pub const MIN_SYMBOLS: usize = 2;

/// The layer's parameters (the fields of `L7_StochasticParameters`, same defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct L7Params {
    /// Symbols on the ring, in `[2, MAX_SIZE]`.
    pub n_symbols: i64,
    /// Meridians, in `[1, MAX_SIZE]`.
    pub n_meridians: i64,
    /// Acupoints, in `[1, MAX_SIZE]`.
    pub n_acupoints: i64,
    /// Bits per stream, in `[1, MAX_SIZE]`, `n_symbols * bitstream_length <= MAX_STEP_BITS`.
    pub bitstream_length: i64,
    /// The five health weights.
    pub weights: HealthWeights,
    /// Decay rate of symbols and acupoints, finite, `>= 0`.
    pub symbol_decay: f64,
    /// Diffusion / Qi flow rate, finite, `>= 0`.
    pub symbol_coupling: f64,
    /// Must be 6.
    pub glyph_dimensions: i64,
    /// Gain of the L6 drive on Qi, finite, `>= 0`.
    pub ecological_coupling: f64,
    /// Gain of the drive sent to L8, finite, `>= 0`.
    pub cosmic_coupling: f64,
    /// Seed of the layer's SplitMix64; `None`: drawn from the process's entropy.
    pub rng_seed: Option<u64>,
}

impl Default for L7Params {
    fn default() -> Self {
        L7Params {
            n_symbols: 128,
            n_meridians: 12,
            n_acupoints: 361,
            bitstream_length: 1024,
            weights: HealthWeights::default(),
            symbol_decay: 0.05,
            symbol_coupling: 0.3,
            glyph_dimensions: 6,
            ecological_coupling: 0.1,
            cosmic_coupling: 0.15,
            rng_seed: None,
        }
    }
}

/// Checked parameters: sizes as `usize`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sizes {
    pub n: usize,
    pub meridians: usize,
    pub acupoints: usize,
    pub length: usize,
}

impl L7Params {
    /// Every field in declaration order (the error names the field).
    pub fn check(&self) -> Result<()> {
        self.sizes().map(|_| ())
    }

    pub(crate) fn sizes(&self) -> Result<Sizes> {
        let limit = Some(MAX_SIZE as i64 + 1);
        let n = check_int("n_symbols", self.n_symbols, MIN_SYMBOLS as i64, limit)?;
        let meridians = check_int("n_meridians", self.n_meridians, 1, limit)?;
        let acupoints = check_int("n_acupoints", self.n_acupoints, 1, limit)?;
        let length = check_int("bitstream_length", self.bitstream_length, 1, limit)?;
        if n * length > MAX_STEP_BITS {
            return Err(MirrorError::value(
                "bitstream_length",
                format!(
                    "bitstream_length must be <= {} for n_symbols = {n} (n_symbols * \
                     bitstream_length <= {MAX_STEP_BITS}), got {length}",
                    MAX_STEP_BITS / n
                ),
            ));
        }
        self.weights.check()?;
        check_rate("symbol_decay", self.symbol_decay)?;
        check_rate("symbol_coupling", self.symbol_coupling)?;
        if self.glyph_dimensions != GLYPH_DIMENSIONS as i64 {
            return Err(MirrorError::value(
                "glyph_dimensions",
                format!(
                    "glyph_dimensions must be {GLYPH_DIMENSIONS}, got {}",
                    self.glyph_dimensions
                ),
            ));
        }
        check_rate("ecological_coupling", self.ecological_coupling)?;
        check_rate("cosmic_coupling", self.cosmic_coupling)?;
        Ok(Sizes {
            n,
            meridians,
            acupoints,
            length,
        })
    }
}
