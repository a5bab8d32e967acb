//! The x86-64 tiers: AVX2 and AVX-512 (F + BW + VPOPCNTDQ), each a token made
//! only by runtime detection, its primitives, and its `#[target_feature]`
//! trampoline.

mod avx2;
mod avx512;

pub(crate) use avx2::Avx2;
pub(crate) use avx512::Avx512;
