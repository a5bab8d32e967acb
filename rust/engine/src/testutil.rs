//! Test helpers: deterministic data (SplitMix64, so tests need no extra
//! crates) and the tiers to cross-check.

pub use crate::simd::supported_tiers as tiers;

/// The SplitMix64 generator.
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`; slight modulo bias is irrelevant here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn unit_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A word that is all zeros, all ones, sparse (the AND of three uniform
    /// words), dense (the OR of two) or uniform, each a fifth of the time.
    pub fn sparse_word(&mut self) -> u64 {
        let (a, b, c) = (self.next_u64(), self.next_u64(), self.next_u64());
        [0, u64::MAX, a & b & c, a | b, a][self.below(5) as usize]
    }
}

/// `(n_out, n_in, length, batch)` cases: `fixed`, then `n_random` more with
/// each dimension `1 + below(bound)` for its bound in `bounds`.
pub fn layer_shapes(
    rng: &mut SplitMix64,
    fixed: &[(usize, usize, usize, usize)],
    n_random: usize,
    bounds: [u64; 4],
) -> Vec<(usize, usize, usize, usize)> {
    let mut cases = fixed.to_vec();
    for _ in 0..n_random {
        let [n_out, n_in, length, batch] = bounds.map(|b| 1 + rng.below(b) as usize);
        cases.push((n_out, n_in, length, batch));
    }
    cases
}
