//! The mirror of the `sc_neurocore.accel` kernels (parity/FORMAT.md): the
//! safe reference the unsafe engine is checked against
//! (tests/engine_crosscheck.rs), and the consumer of the kernel golden files.
//!
//! * [`bitops`]: `pack`, `unpack`, per-word popcount, `and`, `xnor`, `not`, `mux`;
//! * [`encode`]: the LFSR comparator encoder and `sc_forward`;
//! * [`lif`]: one LIF step;
//! * [`dispatch`]: a golden case → kernel call, and the output comparison.

pub mod bitops;
pub mod dispatch;
pub mod encode;
pub mod lif;

pub use bitops::{pack, popcount_per_word, unpack, vec_and, vec_mux, vec_not, vec_xnor};

/// Every case of every kernel golden file through [`dispatch::run_kernel`].
#[cfg(test)]
mod golden_tests {
    use super::dispatch::{KERNELS, LIF_V_TOLERANCE, input_names, run_kernel};
    use crate::error::MirrorError;
    use crate::golden_check::{Counts, check_golden_with, golden_dir};

    /// Runs one kernel's file; a refusal must also name an argument of the
    /// kernel (not just any input the case passes).
    fn check_kernel(kernel: &str) -> Counts {
        let names = input_names(kernel).expect("a FORMAT.md kernel");
        let extra: &[(&str, f64)] = if kernel == "lif_step" {
            &[("v", LIF_V_TOLERANCE)]
        } else {
            &[]
        };
        check_golden_with(kernel, extra, |case| {
            run_kernel(kernel, &case.inputs).map_err(|e| {
                if names.contains(&e.arg.as_str()) {
                    e
                } else {
                    MirrorError::value("(not a kernel argument)", format!("{} ({e})", e.arg))
                }
            })
        })
    }

    #[test]
    fn every_kernel_has_a_golden_file() {
        for kernel in KERNELS {
            let path = golden_dir().join(format!("{kernel}.txt"));
            assert!(path.is_file(), "missing golden file {}", path.display());
        }
    }

    #[test]
    fn golden_pack() {
        check_kernel("pack");
    }

    #[test]
    fn golden_unpack() {
        check_kernel("unpack");
    }

    #[test]
    fn golden_popcount() {
        check_kernel("popcount");
    }

    #[test]
    fn golden_and() {
        check_kernel("and");
    }

    #[test]
    fn golden_xnor() {
        check_kernel("xnor");
    }

    #[test]
    fn golden_not() {
        check_kernel("not");
    }

    #[test]
    fn golden_mux() {
        check_kernel("mux");
    }

    #[test]
    fn golden_encode() {
        check_kernel("encode");
    }

    #[test]
    fn golden_sc_forward() {
        check_kernel("sc_forward");
    }

    #[test]
    fn golden_lif_step() {
        check_kernel("lif_step");
    }
}
