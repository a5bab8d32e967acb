//! Every case of every golden file (parity/golden/<kernel>.txt) through the
//! mirror: valid cases give exactly the expected outputs (lif_step `v` within
//! 1e-12 relative), invalid cases are refused with an error naming one of the
//! case's inputs. A missing folder or kernel file FAILS the test.

use std::path::PathBuf;

use sc_neurocore_mirror::dispatch::{KERNELS, compare_outputs, input_names, run_kernel};
use sc_neurocore_mirror::golden::{Expected, read_golden};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../parity/golden")
}

/// Runs every case of one kernel's file; returns (valid, invalid) counts.
fn check_kernel(kernel: &str) -> (usize, usize) {
    let dir = golden_dir();
    assert!(
        dir.is_dir(),
        "golden folder {} is missing: regenerate it with `python -m parity regen`",
        dir.display()
    );
    let path = dir.join(format!("{kernel}.txt"));
    assert!(
        path.is_file(),
        "golden file {} is missing: regenerate it with `python -m parity regen`",
        path.display()
    );
    let file = read_golden(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(file.kernel, kernel, "{}: wrong kernel line", path.display());
    let names = input_names(kernel).expect("a FORMAT.md kernel");
    let mut failures = Vec::new();
    let (mut valid, mut invalid) = (0, 0);
    for case in &file.cases {
        let result = run_kernel(kernel, &case.inputs);
        let tag = format!("{kernel} case {} ({})", case.id, case.comment);
        match (case.expected, result) {
            (Expected::Valid, Ok(got)) => {
                valid += 1;
                if let Err(diff) = compare_outputs(kernel, &got, &case.outputs) {
                    failures.push(format!("{tag}: {diff}"));
                }
            }
            (Expected::Valid, Err(e)) => {
                valid += 1;
                failures.push(format!("{tag}: valid case refused: {e}"));
            }
            (Expected::Invalid, Ok(_)) => {
                invalid += 1;
                failures.push(format!("{tag}: invalid case answered"));
            }
            (Expected::Invalid, Err(e)) => {
                invalid += 1;
                // The refusal must name an argument of the kernel that the
                // case actually passes.
                let named =
                    names.contains(&e.arg.as_str()) && case.inputs.iter().any(|f| f.name == e.arg);
                if !named {
                    failures.push(format!("{tag}: error names {:?}: {e}", e.arg));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(valid > 0, "{}: no valid cases", path.display());
    eprintln!("{kernel}: {valid} valid and {invalid} invalid cases pass");
    (valid, invalid)
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
    let (_, invalid) = check_kernel("lif_step");
    assert!(invalid > 0);
}
