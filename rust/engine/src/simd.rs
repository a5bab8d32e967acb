//! The SIMD tiers by name: detection, forcing, and the tier automatic
//! dispatch uses.
//!
//! Three tiers exist, best first:
//!
//! * `avx512-vpopcntdq` — x86-64 with AVX-512F, AVX-512BW and AVX-512 VPOPCNTDQ
//!   (`_mm512_popcnt_epi64`, `_mm512_cmplt_epu16_mask`);
//! * `avx2` — x86-64 with AVX2 (nibble-table popcount with `_mm256_shuffle_epi8`
//!   and `_mm256_sad_epu8`);
//! * `portable` — plain Rust (`u64::count_ones`), on every target.
//!
//! Automatic dispatch picks the best tier the CPU supports, detected once and
//! cached. Tests (and the Python `force_simd_tier`) may force any *supported*
//! tier so that every tier can be checked against `portable`; every tier gives
//! identical results. The code of each tier, and the tokens that prove the
//! CPU runs it, live in the private `arch` module: a tier this CPU lacks is
//! never executed whatever is requested.

use std::sync::atomic::{AtomicU8, Ordering};

use crate::arch::Dispatch;
use crate::error::Result;
use crate::validate;

/// One SIMD implementation tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    /// Plain Rust, every target.
    Portable,
    /// x86-64 AVX2.
    Avx2,
    /// x86-64 AVX-512F + AVX-512BW + AVX-512 VPOPCNTDQ.
    Avx512,
}

impl Tier {
    /// All tiers, best first.
    pub const ALL: [Tier; 3] = [Tier::Avx512, Tier::Avx2, Tier::Portable];

    /// The tier's public name.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Avx512 => "avx512-vpopcntdq",
            Tier::Avx2 => "avx2",
            Tier::Portable => "portable",
        }
    }

    /// Parses a public tier name.
    pub fn from_name(name: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether the running CPU can execute this tier.
    pub fn is_supported(self) -> bool {
        self.checked() == self
    }

    /// `self` if the CPU supports it, else `portable`: the tier a kernel
    /// asked for `self` runs on.
    pub fn checked(self) -> Tier {
        Dispatch::new(self).tier()
    }

    fn code(self) -> u8 {
        match self {
            Tier::Portable => 1,
            Tier::Avx2 => 2,
            Tier::Avx512 => 3,
        }
    }

    fn from_code(code: u8) -> Option<Tier> {
        match code {
            1 => Some(Tier::Portable),
            2 => Some(Tier::Avx2),
            3 => Some(Tier::Avx512),
            _ => None,
        }
    }
}

/// 0 = automatic, otherwise `Tier::code` of the forced tier.
static FORCED: AtomicU8 = AtomicU8::new(0);

/// 0 = not detected yet, otherwise `Tier::code` of the best supported tier.
/// An atomic rather than a lock: detection is idempotent, and no `fork()`
/// can leave an atomic held.
static DETECTED: AtomicU8 = AtomicU8::new(0);

/// The best tier this CPU supports (detected once, then cached).
pub fn detected_tier() -> Tier {
    if let Some(t) = Tier::from_code(DETECTED.load(Ordering::Relaxed)) {
        return t;
    }
    let t = Tier::ALL
        .into_iter()
        .find(|t| t.is_supported())
        .unwrap_or(Tier::Portable);
    DETECTED.store(t.code(), Ordering::Relaxed);
    t
}

/// The tier dispatch uses now: the forced tier if one is set, else the
/// detected one.
pub fn active_tier() -> Tier {
    Tier::from_code(FORCED.load(Ordering::Relaxed)).unwrap_or_else(detected_tier)
}

/// The tiers this CPU supports, best first (always ends in `Portable`).
pub fn supported_tiers() -> Vec<Tier> {
    Tier::ALL.into_iter().filter(|t| t.is_supported()).collect()
}

/// Names of the tiers this CPU supports, best first (always ends in
/// `"portable"`).
pub fn available_tiers() -> Vec<&'static str> {
    supported_tiers().into_iter().map(Tier::name).collect()
}

/// Forces dispatch to the tier called `name`, or restores automatic dispatch
/// with `None`. An unknown name or a tier this CPU lacks is an error.
pub fn force_tier(name: Option<&str>) -> Result<()> {
    let code = match name {
        None => 0,
        Some(name) => validate::tier_name(name)?.code(),
    };
    FORCED.store(code, Ordering::Relaxed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in Tier::ALL {
            assert_eq!(Tier::from_name(t.name()), Some(t));
            assert_eq!(Tier::from_code(t.code()), Some(t));
        }
        assert_eq!(Tier::from_name("sse"), None);
    }

    #[test]
    fn portable_always_available() {
        let tiers = available_tiers();
        assert_eq!(tiers.last(), Some(&"portable"));
        assert!(tiers.contains(&detected_tier().name()));
        assert!(Tier::Portable.is_supported());
    }

    #[test]
    fn force_rejects_unknown_name() {
        let err = force_tier(Some("sse9")).unwrap_err();
        assert_eq!(err.arg(), Some("name"));
        assert!(err.to_string().contains("sse9"));
    }

    #[test]
    fn unsupported_tier_falls_back() {
        for t in Tier::ALL {
            let c = t.checked();
            assert!(c.is_supported());
            if t.is_supported() {
                assert_eq!(c, t);
            }
        }
    }
}
