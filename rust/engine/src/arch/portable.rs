//! The portable tier: plain Rust (`u64::count_ones`, scalar compares), on
//! every target. Its token needs no detection.

use super::{CellLookup, PopcountLanes, PrefixLookup, Token, WindowCompare};
use crate::simd::Tier;

/// The portable tier's token (always available).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Portable;

impl Token for Portable {
    const TIER: Tier = Tier::Portable;
}

impl PopcountLanes for Portable {
    const LANES: usize = 1;
    type V = u64;
    #[inline(always)]
    fn zero(self) -> u64 {
        0
    }
    #[inline(always)]
    fn load(self, s: &[u64]) -> u64 {
        s[0]
    }
    #[inline(always)]
    fn load_partial(self, _s: &[u64]) -> u64 {
        // `s.len() < LANES = 1`: nothing to load.
        0
    }
    #[inline(always)]
    fn and_pop_add(self, acc: u64, a: u64, b: u64) -> u64 {
        acc + u64::from((a & b).count_ones())
    }
    #[inline(always)]
    fn pop_add(self, acc: u64, a: u64) -> u64 {
        acc + u64::from(a.count_ones())
    }
    #[inline(always)]
    fn hsum(self, acc: u64) -> u64 {
        acc
    }
    #[inline(always)]
    fn pop_store(self, a: u64, out: &mut [u64]) {
        out[0] = u64::from(a.count_ones());
    }
    #[inline(always)]
    fn splat(self, w: u64) -> u64 {
        w
    }
    #[inline(always)]
    fn add(self, a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }
    #[inline(always)]
    fn store(self, a: u64, out: &mut [u64]) {
        out[0] = a;
    }
}

impl WindowCompare for Portable {
    type Win = [u16; 64];
    #[inline(always)]
    fn load_window(self, window: &[u16]) -> [u16; 64] {
        let mut w = [0u16; 64];
        w.copy_from_slice(&window[..64]);
        w
    }
    #[inline(always)]
    fn xor_window(self, win: [u16; 64], m: u16) -> [u16; 64] {
        win.map(|v| v ^ m)
    }
    #[inline(always)]
    fn mask(self, win: [u16; 64], thr: u16) -> u64 {
        let mut m = 0u64;
        for (j, &s) in win.iter().enumerate() {
            m |= u64::from(s < thr) << j;
        }
        m
    }
}

impl PrefixLookup for Portable {}

impl CellLookup for Portable {}
