//! The stream generators (docs/design.md#stream-generators): which sequence
//! each side of an AND product reads, and where each input starts in it.
//!
//! Every generator is a comparator generator: bit `t` of input `i` is
//! `(seq[(start_i + t) mod period] ^ mask_i) < x_i`. A generator fixes, per
//! [`Role`] (input side, weight side), the sequence and how `start_i` and
//! `mask_i` follow from the seed:
//!
//! * `"lfsr"` (the reference): both sides read the register of
//!   docs/design.md#encoder (taps 16, 14, 13, 11) from state
//!   `(seed + i) mod 65536` (0 → 1); no mask.
//! * `"lfsr_pair"`: the input side is `"lfsr"`; the weight side reads a second
//!   maximal-length register (taps 16, 15, 13, 4) started by the same rule.
//! * `"sobol"`: the weight side reads coordinate 1 (van der Corput: the bit
//!   reversal of the index) and the input side coordinate 2 (polynomial
//!   `x + 1`) of the 2-D Sobol sequence as 16-bit integers, from point 0,
//!   XORed with the top 16 bits of SplitMix64 draw `2 i + c` (from 1) of
//!   seed `seed`, `c` the coordinate. Period 65536.
//!
//! The register sequences are stored minus one (every state is non-zero), so
//! that `seq < x` is `seq - 1 < x - 1` with every threshold in 16 bits; the
//! Sobol values include 0 and are stored as they are (threshold 65536, all
//! ones, is then a case of its own). Every table is built by the compiler.

use crate::lfsr::{PERIOD, register_seed};

/// A stream generator, selected by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Generator {
    /// The reference LFSR comparator (the default).
    #[default]
    Lfsr,
    /// The 2-D Sobol sequence with a seed-derived digital shift per input.
    Sobol,
    /// The reference LFSR on the input side, a second register on the weight side.
    LfsrPair,
}

/// The side of an AND product a stream is encoded for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// The encoded inputs (what `sc_forward` encodes).
    #[default]
    Input,
    /// The weights the inputs meet.
    Weight,
}

impl Generator {
    /// Every generator, the default first.
    pub const ALL: [Generator; 3] = [Generator::Lfsr, Generator::Sobol, Generator::LfsrPair];

    /// The generator's name, as Python spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Generator::Lfsr => "lfsr",
            Generator::Sobol => "sobol",
            Generator::LfsrPair => "lfsr_pair",
        }
    }

    /// The generator called `name`, if any.
    pub fn from_name(name: &str) -> Option<Generator> {
        Generator::ALL.into_iter().find(|g| g.name() == name)
    }
}

impl Role {
    /// Both roles, input first.
    pub const ALL: [Role; 2] = [Role::Input, Role::Weight];

    /// The role's name, as Python spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Role::Input => "input",
            Role::Weight => "weight",
        }
    }

    /// The role called `name`, if any.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// Values past the period that repeat the start, so that a 64-value window
/// starting anywhere below the period is one slice.
const OVERRUN: usize = 64;
/// Period of a Sobol coordinate's 16-bit values.
pub const SOBOL_PERIOD: usize = 1 << 16;

/// A register's states, stored minus one, and the position of every state.
pub struct RegisterTables {
    /// `minus_one[k]` = (state `k` steps after state 1) - 1, for
    /// `k < PERIOD + 64` (entries past `PERIOD` repeat the start).
    pub minus_one: [u16; PERIOD + OVERRUN],
    /// `pos[state]` = `k` with state `k` steps after 1 equal to `state`
    /// (`pos[0]` unused).
    pub pos: [u16; 65536],
}

/// One step of a 16-bit Fibonacci register with feedback taps `taps` (tap
/// `k` reads bit `k - 1`).
pub const fn register_step(r: u16, taps: [u32; 4]) -> u16 {
    let r = r as u32;
    let fb =
        ((r >> (taps[0] - 1)) ^ (r >> (taps[1] - 1)) ^ (r >> (taps[2] - 1)) ^ (r >> (taps[3] - 1)))
            & 1;
    (((r << 1) | fb) & 0xFFFF) as u16
}

/// Feedback taps of `"lfsr_pair"`'s weight-side register.
pub const PAIR_TAPS: [u32; 4] = [16, 15, 13, 4];

/// Builds a register's tables (at compile time).
const fn build_register(taps: [u32; 4]) -> RegisterTables {
    let mut minus_one = [0u16; PERIOD + OVERRUN];
    let mut pos = [0u16; 65536];
    let mut r: u16 = 1;
    let mut k = 0;
    while k < PERIOD {
        minus_one[k] = r - 1;
        pos[r as usize] = k as u16;
        r = register_step(r, taps);
        k += 1;
    }
    assert!(r == 1, "the register is not maximal-length");
    let mut k = 0;
    while k < OVERRUN {
        minus_one[PERIOD + k] = minus_one[k];
        k += 1;
    }
    RegisterTables { minus_one, pos }
}

/// The 16-bit direction numbers `V_1 .. V_16` of Sobol coordinate 1 or 2:
/// `V_k = m_k * 2^(16 - k)`, with every `m_k = 1` for coordinate 1 and, for
/// coordinate 2 (polynomial `x + 1`, `m_1 = 1`), `m_k = 2 m_(k-1) ^ m_(k-1)`.
pub const fn sobol_directions(coordinate: u32) -> [u16; 16] {
    let mut v = [0u16; 16];
    let mut m: u32 = 1;
    let mut k = 0;
    while k < 16 {
        v[k] = (m << (15 - k)) as u16;
        if coordinate == 2 {
            m = (m << 1) ^ m;
        }
        k += 1;
    }
    v
}

/// Builds a Sobol coordinate's values (at compile time): value `n` is the
/// XOR of `V_k` over the set bits `k - 1` of `n`.
const fn build_sobol(coordinate: u32) -> [u16; SOBOL_PERIOD + OVERRUN] {
    let dirs = sobol_directions(coordinate);
    let mut out = [0u16; SOBOL_PERIOD + OVERRUN];
    let mut n = 0;
    while n < SOBOL_PERIOD + OVERRUN {
        let idx = n % SOBOL_PERIOD;
        let mut x = 0u16;
        let mut k = 0;
        while k < 16 {
            if (idx >> k) & 1 == 1 {
                x ^= dirs[k];
            }
            k += 1;
        }
        out[n] = x;
        n += 1;
    }
    out
}

/// `"lfsr_pair"`'s weight-side register.
static PAIR: RegisterTables = build_register(PAIR_TAPS);
/// Sobol coordinate 1 (van der Corput).
static SOBOL_1: [u16; SOBOL_PERIOD + OVERRUN] = build_sobol(1);
/// Sobol coordinate 2.
static SOBOL_2: [u16; SOBOL_PERIOD + OVERRUN] = build_sobol(2);

/// The tables of `"lfsr_pair"`'s weight-side register.
pub fn pair_tables() -> &'static RegisterTables {
    &PAIR
}

/// The SplitMix64 state increment.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// Draw `k` (counted from 1) of SplitMix64 seeded with `seed`
/// (python/sc_neurocore/splitmix.py).
pub const fn splitmix_draw(seed: u64, k: u64) -> u64 {
    let mut z = seed.wrapping_add(k.wrapping_mul(GAMMA));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The digital shift of input `i` on Sobol `coordinate` (1 or 2).
#[inline]
pub fn digital_shift(seed: u32, i: usize, coordinate: u64) -> u16 {
    (splitmix_draw(u64::from(seed), 2 * i as u64 + coordinate) >> 48) as u16
}

/// One side of a generator with its seed: what every input's stream reads.
#[derive(Debug, Clone, Copy)]
pub struct Stream {
    /// The generator.
    pub generator: Generator,
    /// The side encoded.
    pub role: Role,
    /// The encoder seed.
    pub seed: u32,
}

/// Where input `i`'s window starts and with which mask it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First position in the sequence (below its period).
    pub start: usize,
    /// The XOR applied to every value (0 for the registers).
    pub mask: u16,
}

impl Stream {
    /// The reference LFSR with `seed`.
    pub fn lfsr(seed: u32) -> Stream {
        Stream {
            generator: Generator::Lfsr,
            role: Role::Input,
            seed,
        }
    }

    /// The sequence read, including 64 values past the period.
    pub fn table(&self) -> &'static [u16] {
        match (self.generator, self.role) {
            (Generator::Lfsr, _) | (Generator::LfsrPair, Role::Input) => {
                &crate::lfsr::tables().seqm1
            }
            (Generator::LfsrPair, Role::Weight) => &PAIR.minus_one,
            (Generator::Sobol, Role::Weight) => &SOBOL_1,
            (Generator::Sobol, Role::Input) => &SOBOL_2,
        }
    }

    /// The sequence's period.
    pub fn period(&self) -> usize {
        match self.generator {
            Generator::Sobol => SOBOL_PERIOD,
            _ => PERIOD,
        }
    }

    /// Whether [`Stream::table`] holds each value minus one (the registers).
    pub fn minus_one(&self) -> bool {
        self.generator != Generator::Sobol
    }

    /// Input `i`'s window.
    #[inline]
    pub fn window(&self, i: usize) -> Window {
        let r = || usize::from(register_seed(self.seed, i));
        match (self.generator, self.role) {
            (Generator::Lfsr, _) | (Generator::LfsrPair, Role::Input) => Window {
                start: usize::from(crate::lfsr::tables().pos[r()]),
                mask: 0,
            },
            (Generator::LfsrPair, Role::Weight) => Window {
                start: usize::from(PAIR.pos[r()]),
                mask: 0,
            },
            (Generator::Sobol, role) => Window {
                start: 0,
                mask: digital_shift(self.seed, i, if role == Role::Weight { 1 } else { 2 }),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::SplitMix64;

    #[test]
    fn names_round_trip() {
        let generators = Generator::ALL.map(|g| Generator::from_name(g.name()));
        assert_eq!(generators, Generator::ALL.map(Some));
        assert_eq!(
            Role::ALL.map(|r| Role::from_name(r.name())),
            Role::ALL.map(Some)
        );
        assert_eq!(Generator::from_name("halton"), None);
        assert_eq!(Role::from_name("output"), None);
    }

    #[test]
    fn pair_register_is_maximal_and_distinct() {
        let t = pair_tables();
        let mut seen = vec![false; 65536];
        for k in 0..PERIOD {
            let s = usize::from(t.minus_one[k]) + 1;
            assert!(!seen[s]);
            seen[s] = true;
            assert_eq!(usize::from(t.pos[s]), k);
        }
        // Not a window of the reference cycle read from another start.
        let reference = &crate::lfsr::tables().seqm1;
        let start = usize::from(crate::lfsr::tables().pos[1]);
        assert_ne!(&t.minus_one[..64], &reference[start..start + 64]);
    }

    #[test]
    fn sobol_coordinates() {
        // Coordinate 1 is the bit reversal of the index.
        for n in [0usize, 1, 2, 3, 12345, 65535] {
            assert_eq!(SOBOL_1[n], (n as u16).reverse_bits());
        }
        // Coordinate 2: m = 1, 3, 5, 15, 17, ... (the Pascal matrix mod 2).
        let v = sobol_directions(2);
        assert_eq!(&v[..5], &[1 << 15, 3 << 14, 5 << 13, 15 << 12, 17 << 11]);
        // Both are permutations of the 16-bit values, and every 2^m first
        // points of the pair are a (0, m, 2)-net: one point per elementary box.
        let mut seen = vec![false; SOBOL_PERIOD];
        for &x in &SOBOL_2[..SOBOL_PERIOD] {
            assert!(!seen[usize::from(x)]);
            seen[usize::from(x)] = true;
        }
        assert_eq!(&SOBOL_1[SOBOL_PERIOD..], &SOBOL_1[..OVERRUN]);
        assert_eq!(&SOBOL_2[SOBOL_PERIOD..], &SOBOL_2[..OVERRUN]);
        for m in [4u32, 8] {
            for a in 0..=m {
                let mut boxes = vec![0u32; 1 << m];
                for n in 0..(1usize << m) {
                    let x = usize::from(SOBOL_1[n]) >> (16 - a);
                    let y = usize::from(SOBOL_2[n]) >> (16 - (m - a));
                    boxes[(x << (m - a)) | y] += 1;
                }
                assert!(boxes.iter().all(|&b| b == 1), "m = {m}, a = {a}");
            }
        }
    }

    /// Bit `t` of input `i`, straight from docs/design.md#stream-generators:
    /// registers stepped, Sobol points computed from their directions.
    fn naive_bits(p: f64, length: usize, seed: u32, i: usize, g: Generator, r: Role) -> Vec<bool> {
        let x = (p * 65536.0).round_ties_even().clamp(0.0, 65536.0) as u32;
        let start = ((u64::from(seed) + i as u64) % 65536).max(1) as u16;
        let taps = match (g, r) {
            (Generator::LfsrPair, Role::Weight) => PAIR_TAPS,
            _ => [16, 14, 13, 11],
        };
        let coordinate = if r == Role::Weight { 1 } else { 2 };
        let dirs = sobol_directions(coordinate);
        let shift =
            (splitmix_draw(u64::from(seed), 2 * i as u64 + u64::from(coordinate)) >> 48) as u16;
        let mut reg = start;
        (0..length)
            .map(|t| {
                let v = match g {
                    Generator::Sobol => {
                        let n = t % SOBOL_PERIOD;
                        let point = (0..16)
                            .filter(|k| (n >> k) & 1 == 1)
                            .fold(0u16, |acc, k| acc ^ dirs[k]);
                        point ^ shift
                    }
                    _ => {
                        let v = reg;
                        reg = register_step(reg, taps);
                        v
                    }
                };
                u32::from(v) < x
            })
            .collect()
    }

    #[test]
    fn encoder_matches_the_definition_on_every_tier() {
        use crate::lfsr::{encode_stream_with, n_words};
        let mut rng = SplitMix64::new(17);
        let probs = [
            0.0,
            1.0,
            0.5,
            1.0 / 65536.0,
            65535.0 / 65536.0,
            0.3,
            0.77,
            1e-9,
        ];
        for g in Generator::ALL {
            for r in Role::ALL {
                for &length in &[1usize, 63, 64, 65, 200, 1000, 65536 + 70] {
                    let seed = rng.below(1 << 32) as u32;
                    let seed = if length == 200 { 65535 } else { seed };
                    let nw = n_words(length);
                    let mut want = vec![0u64; probs.len() * nw];
                    for (i, &p) in probs.iter().enumerate() {
                        for (t, bit) in naive_bits(p, length, seed, i, g, r).into_iter().enumerate()
                        {
                            want[i * nw + t / 64] |= u64::from(bit) << (t % 64);
                        }
                    }
                    for tier in crate::testutil::tiers() {
                        let got = encode_stream_with(
                            tier,
                            &probs,
                            probs.len(),
                            false,
                            length,
                            u64::from(seed),
                            g,
                            r,
                        )
                        .unwrap();
                        assert_eq!(got, want, "{g:?} {r:?} {tier:?} length {length}");
                        // A batch of two rows encodes each row alone.
                        let two: Vec<f64> =
                            probs.iter().chain(probs.iter().rev()).copied().collect();
                        let got2 = encode_stream_with(
                            tier,
                            &two,
                            probs.len(),
                            true,
                            length,
                            u64::from(seed),
                            g,
                            r,
                        )
                        .unwrap();
                        assert_eq!(&got2[..want.len()], &want[..]);
                    }
                }
            }
        }
    }

    #[test]
    fn lfsr_roles_agree_and_pair_inputs_are_the_reference() {
        use crate::lfsr::{encode_packed, encode_stream_with};
        let encode_stream = |probs: &[f64], n, two_d, length, seed, g, r| {
            let tier = crate::simd::active_tier();
            encode_stream_with(tier, probs, n, two_d, length, seed, g, r)
        };
        let probs = [0.1, 0.6, 0.9];
        let reference = encode_packed(&probs, 3, false, 300, 9).unwrap();
        for (g, r) in [
            (Generator::Lfsr, Role::Input),
            (Generator::Lfsr, Role::Weight),
            (Generator::LfsrPair, Role::Input),
        ] {
            assert_eq!(
                encode_stream(&probs, 3, false, 300, 9, g, r).unwrap(),
                reference
            );
        }
        let pair = encode_stream(&probs, 3, false, 300, 9, Generator::LfsrPair, Role::Weight);
        assert_ne!(pair.unwrap(), reference);
    }

    #[test]
    fn forward_with_generators_matches_packed_and_among_tiers() {
        use crate::forward::sc_forward_stream_with;
        use crate::lfsr::{encode_stream_with, n_words};
        let encode_stream = |probs: &[f64], n, two_d, length, seed, g, r| {
            encode_stream_with(
                crate::simd::Tier::Portable,
                probs,
                n,
                two_d,
                length,
                seed,
                g,
                r,
            )
        };
        let mut rng = SplitMix64::new(5);
        let (n_out, n_in, length, batch) = (7, 23, 333, 3);
        let w: Vec<f64> = (0..n_out * n_in).map(|_| rng.unit_f64()).collect();
        let x: Vec<f64> = (0..batch * n_in).map(|_| rng.unit_f64()).collect();
        let nw = n_words(length);
        for g in Generator::ALL {
            let wp = encode_stream(&w, n_in, true, length, 77, g, Role::Weight).unwrap();
            let xp = encode_stream(&x, n_in, true, length, 44257, g, Role::Input).unwrap();
            let want: Vec<f64> = (0..batch * n_out)
                .map(|k| {
                    let (b, o) = (k / n_out, k % n_out);
                    let row = &wp[o * n_in * nw..(o + 1) * n_in * nw];
                    let xs = &xp[b * n_in * nw..(b + 1) * n_in * nw];
                    let c: u32 = row.iter().zip(xs).map(|(a, b)| (a & b).count_ones()).sum();
                    f64::from(c) / length as f64
                })
                .collect();
            for tier in crate::testutil::tiers() {
                let (got, _) = sc_forward_stream_with(
                    tier,
                    &wp,
                    &[n_out, n_in, nw],
                    &x,
                    &[batch, n_in],
                    length,
                    44257,
                    g,
                )
                .unwrap();
                assert_eq!(got, want, "{g:?} {tier:?}");
            }
        }
    }

    #[test]
    fn splitmix_draws_match_the_generator() {
        let mut g = SplitMix64::new(44257);
        for k in 1..=5 {
            assert_eq!(splitmix_draw(44257, k), g.next_u64());
        }
    }
}
