//! SplitMix64: the one random generator the Python surfaces and their Rust
//! mirrors share, bit-identical to `sc_neurocore.splitmix.SplitMix64`
//! (checked against `parity/golden/splitmix.txt`). The exact rules and the
//! consumption order are in docs/safety-mirrors.md, "Shared randomness":
//!
//! * `next_u64`: `state += 0x9E3779B97F4A7C15; z = state;
//!   z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
//!   z ^ (z >> 31)` (mod 2^64); the state starts at the seed;
//! * `uniform`: one draw `x`, `(x >> 11) * 2^-53` in `[0, 1)`;
//! * `normal`: `u1 = uniform()`, then `u2 = uniform()`,
//!   `sqrt(-2.0 * ln(1.0 - u1)) * cos(TAU * u2)`; the `sin` partner is discarded;
//! * `below(bound)`: rejection, `limit = 2^64 - (2^64 mod bound)`, draw until
//!   `x < limit`, return `x % bound`;
//! * the array helpers equal that many scalar calls in order.

use crate::error::{MirrorError, Result, zeroed};

/// The state increment.
pub const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
/// `2 * pi` as a double (6.283185307179586), the Box–Muller angle factor.
pub const TAU: f64 = std::f64::consts::TAU;

/// The shared deterministic generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose state starts at `seed` (any `u64`).
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The current state (the seed before the first draw).
    pub fn state(&self) -> u64 {
        self.state
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A double in `[0, 1)`: `(next_u64() >> 11) * 2^-53` (exact).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal by Box–Muller from `u1 = uniform()` then
    /// `u2 = uniform()`: `sqrt(-2.0 * ln(1.0 - u1)) * cos(TAU * u2)`.
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform();
        let u2 = self.uniform();
        (-2.0 * (1.0 - u1).ln()).sqrt() * (TAU * u2).cos()
    }

    /// An unbiased integer in `[0, bound)` by rejection; `bound = 0` is an
    /// error naming `bound` (and draws nothing).
    pub fn below(&mut self, bound: u64) -> Result<u64> {
        let rem = below_rem(bound)?;
        Ok(self.below_unchecked(bound, rem))
    }

    /// `bound >= 1`; `rem = 2^64 mod bound`.
    fn below_unchecked(&mut self, bound: u64, rem: u64) -> u64 {
        // limit = 2^64 - rem; rem == 0 means every word is accepted.
        let limit = 0u64.wrapping_sub(rem);
        loop {
            let x = self.next_u64();
            if rem == 0 || x < limit {
                return x % bound;
            }
        }
    }

    /// `n` successive [`next_u64`](Self::next_u64) values.
    pub fn u64s(&mut self, n: usize) -> Result<Vec<u64>> {
        self.fill(n, Self::next_u64)
    }

    /// `n` successive [`uniform`](Self::uniform) values.
    pub fn uniforms(&mut self, n: usize) -> Result<Vec<f64>> {
        self.fill(n, Self::uniform)
    }

    /// `n` successive [`normal`](Self::normal) values (`2 n` draws).
    pub fn normals(&mut self, n: usize) -> Result<Vec<f64>> {
        self.fill(n, Self::normal)
    }

    /// `n` successive [`below`](Self::below) values; `bound = 0` is an error.
    pub fn integers_below(&mut self, n: usize, bound: u64) -> Result<Vec<u64>> {
        let rem = below_rem(bound)?;
        self.fill(n, |g| g.below_unchecked(bound, rem))
    }

    fn fill<T: Clone + Default>(&mut self, n: usize, f: impl Fn(&mut Self) -> T) -> Result<Vec<T>> {
        let mut out = zeroed::<T>(n, "n")?;
        for slot in out.iter_mut() {
            *slot = f(self);
        }
        Ok(out)
    }
}

/// `2^64 mod bound`, or the error for `bound = 0`.
fn below_rem(bound: u64) -> Result<u64> {
    if bound == 0 {
        return Err(MirrorError::value(
            "bound",
            "bound must be an int in [1, 2**64), got 0",
        ));
    }
    // u64::MAX % bound + 1 <= bound, so this cannot overflow.
    Ok((u64::MAX % bound + 1) % bound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::{self, op};
    use crate::golden::Field;
    use crate::golden_check::check_golden;

    #[test]
    fn published_outputs() {
        // Rosetta Code, "Pseudo-random numbers/Splitmix64", seed 1234567;
        // Vigna's splitmix64.c from state 0.
        let mut g = SplitMix64::new(1234567);
        let want = [
            6457827717110365317u64,
            3203168211198807973,
            9817491932198370423,
            4593380528125082431,
            16408922859458223821,
        ];
        assert_eq!(g.u64s(5).unwrap(), want);
        let mut g = SplitMix64::new(0);
        assert_eq!(g.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(g.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn uniform_is_the_top_53_bits() {
        let mut a = SplitMix64::new(9);
        let mut b = SplitMix64::new(9);
        for _ in 0..100 {
            let u = a.uniform();
            assert_eq!(u * 9007199254740992.0, (b.next_u64() >> 11) as f64);
            assert!((0.0..1.0).contains(&u));
        }
    }

    #[test]
    fn below_rejection_and_state() {
        assert_eq!(below_rem(16).unwrap(), 0);
        assert_eq!(below_rem(3).unwrap(), 1);
        assert_eq!(below_rem((1 << 63) + 1).unwrap(), (1 << 63) - 1);
        assert_eq!(below_rem(u64::MAX).unwrap(), 1);
        let mut g = SplitMix64::new(5);
        assert_eq!(g.below(0).unwrap_err().arg, "bound");
        assert_eq!(g.integers_below(3, 0).unwrap_err().arg, "bound");
        assert_eq!(g.state(), 5);
        // bound 2^63 + 1: words >= 2^63 + 1 are rejected.
        let raw = SplitMix64::new(7).u64s(400).unwrap();
        let bound = (1u64 << 63) + 1;
        let accepted: Vec<u64> = raw
            .iter()
            .filter(|&&x| x < bound)
            .map(|x| x % bound)
            .collect();
        let mut g = SplitMix64::new(7);
        assert_eq!(g.integers_below(accepted.len(), bound).unwrap(), accepted);
        let mut g = SplitMix64::new(7);
        assert_eq!(
            g.integers_below(50, 16).unwrap(),
            raw[..50].iter().map(|x| x % 16).collect::<Vec<_>>()
        );
        assert_eq!(g.state(), 7u64.wrapping_add(50u64.wrapping_mul(GAMMA)));
    }

    #[test]
    fn arrays_equal_scalar_calls() {
        let (mut a, mut b) = (SplitMix64::new(u64::MAX), SplitMix64::new(u64::MAX));
        let normals = a.normals(20).unwrap();
        for z in normals {
            assert_eq!(z.to_bits(), b.normal().to_bits());
        }
        assert_eq!(a, b);
        assert_eq!(a.u64s(0).unwrap(), Vec::<u64>::new());
        assert!(a.u64s(usize::MAX).is_err()); // refused, not an abort
        assert_eq!(TAU.to_bits(), 0x401921FB54442D18); // 6.283185307179586, as in Python
    }

    /// Every case of parity/golden/splitmix.txt: a fresh generator from
    /// `seed`, then `op` (see parity/safety_cases/splitmix.py).
    #[test]
    fn golden_splitmix() {
        let counts = check_golden("splitmix", |case| {
            let inputs = &case.inputs;
            let op = op(inputs)?;
            let mut g = SplitMix64::new(fields::u64_scalar(inputs, "seed")?);
            let n = fields::i64_scalar(inputs, "n")?;
            let n = usize::try_from(n)
                .map_err(|_| crate::MirrorError::value("n", format!("n must be >= 0, got {n}")))?;
            let mut out = match op.as_str() {
                "u64s" => vec![Field::u64s("u64s", g.u64s(n)?)],
                "uniforms" => vec![Field::f64s("uniforms", g.uniforms(n)?)],
                "normals" => vec![Field::f64s("normals", g.normals(n)?)],
                "integers_below" => {
                    let bound = fields::u64_scalar(inputs, "bound")?;
                    vec![Field::u64s("integers_below", g.integers_below(n, bound)?)]
                }
                "mixed" => {
                    let bound = fields::u64_scalar(inputs, "bound")?;
                    below_rem(bound)?;
                    let (mut z, mut b, mut u, mut w) = (vec![], vec![], vec![], vec![]);
                    for _ in 0..n {
                        z.push(g.normal());
                        b.push(g.below(bound)?);
                        u.push(g.uniform());
                        w.push(g.next_u64());
                    }
                    vec![
                        Field::f64s("normal", z),
                        Field::u64s("below", b),
                        Field::f64s("uniform", u),
                        Field::u64s("u64", w),
                    ]
                }
                _ => {
                    return Err(crate::MirrorError::value(
                        "op",
                        format!("unknown op {op:?}"),
                    ));
                }
            };
            out.push(Field::u64_scalar("state", g.state()));
            Ok(out)
        });
        assert!(counts.valid >= 30 && counts.invalid >= 5, "{counts:?}");
    }
}
