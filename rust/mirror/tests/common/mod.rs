//! Deterministic random test data: the crate's SplitMix64 generator
//! (`sc_neurocore_mirror::splitmix`, the one shared with the Python side) and
//! the probability / word / shape mixes the cross-checks draw from.

#![allow(dead_code)]

use sc_neurocore_mirror::splitmix::SplitMix64;

/// The random-data mixes over the crate's SplitMix64.
pub struct Rng {
    g: SplitMix64,
}

impl Rng {
    /// A generator whose state starts at `seed`.
    pub fn new(seed: u64) -> Self {
        Rng {
            g: SplitMix64::new(seed),
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.g.next_u64()
    }

    /// Uniform in `0..n` (`n > 0`), unbiased (`SplitMix64::below`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.g.below(n).expect("n > 0")
    }

    /// Uniform `usize` in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below((hi - lo + 1) as u64) as usize
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        self.g.uniform()
    }

    /// A word that is dense, sparse, all-zero or all-one.
    pub fn word(&mut self) -> u64 {
        match self.below(8) {
            0 => 0,
            1 => u64::MAX,
            2 => self.next_u64() & self.next_u64() & self.next_u64(),
            3 => self.next_u64() | self.next_u64(),
            4 => 1u64 << self.below(64),
            _ => self.next_u64(),
        }
    }

    /// `n` random words.
    pub fn words(&mut self, n: usize) -> Vec<u64> {
        (0..n).map(|_| self.word()).collect()
    }

    /// A valid probability: 0, -0.0, 1, on the 2^-16 grid, an exact tie
    /// `(k + 0.5) / 65536`, one ulp either side of a tie, the smallest
    /// subnormal, just below 1, or uniform (off the grid).
    pub fn prob(&mut self) -> f64 {
        match self.below(12) {
            0 => 0.0,
            1 => -0.0,
            2 => 1.0,
            3 | 4 => self.below(65537) as f64 / 65536.0,
            5 | 6 => (self.below(65536) as f64 + 0.5) / 65536.0,
            7 => {
                let tie = (self.below(65536) as f64 + 0.5) / 65536.0;
                if self.below(2) == 0 {
                    f64::from_bits(tie.to_bits() + 1)
                } else {
                    f64::from_bits(tie.to_bits() - 1)
                }
            }
            8 => f64::from_bits(1),
            9 => 1.0 - f64::EPSILON / 2.0,
            _ => self.unit(),
        }
    }

    /// `n` valid probabilities.
    pub fn probs(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.prob()).collect()
    }

    /// A probability every implementation must refuse.
    pub fn bad_prob(&mut self) -> f64 {
        const BAD: [f64; 8] = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -5e-324,
            -1e-300,
            -0.5,
            1.0 + f64::EPSILON,
            2.0,
        ];
        BAD[self.below(BAD.len() as u64) as usize]
    }

    /// A stream length: mostly 1..=300, sometimes larger, a few past the
    /// LFSR period (> 65535).
    pub fn length(&mut self) -> usize {
        match self.below(20) {
            0 => [65535, 65536, 65600, 70_000, 131_071][self.below(5) as usize],
            1..=3 => self.range(301, 3000),
            _ => self.range(1, 300),
        }
    }

    /// A seed in `[0, 2**32)`, biased towards the wrap-around values.
    pub fn seed(&mut self) -> u32 {
        const EDGES: [u32; 10] = [
            0,
            1,
            44257,
            65533,
            65534,
            65535,
            65536,
            196_606,
            u32::MAX - 4,
            u32::MAX,
        ];
        if self.below(2) == 0 {
            EDGES[self.below(EDGES.len() as u64) as usize]
        } else {
            self.next_u64() as u32
        }
    }
}
