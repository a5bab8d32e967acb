//! Test kit (compiled for tests only): runs every case of a golden file
//! `parity/golden/<name>.txt` through a mirror and checks the answers the way
//! parity/FORMAT.md prescribes, so each mirror's golden test is one closure
//! from a case to its outputs.
//!
//! * The file is found relative to `CARGO_MANIFEST_DIR` (`../../parity/golden`);
//!   a missing folder or file FAILS the test (regenerate it with
//!   `python -m parity regen`), it never skips.
//! * A valid case must be answered with exactly the golden outputs (names,
//!   order, dtypes, shapes; values bit for bit, or within the file's `rtol`
//!   for the outputs it names).
//! * An invalid case must be refused with a [`MirrorError`] whose `arg` is
//!   the name of one of the case's inputs (the argument at fault).
//! * Every failure is collected and reported together; the file must hold at
//!   least one valid and one invalid case.

use std::path::PathBuf;

use crate::compare::compare_fields;
use crate::error::MirrorError;
use crate::fields;
use crate::golden::{Case, Expected, Field, GoldenFile, read_golden};

/// Cases checked, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Valid cases (answered and compared).
    pub valid: usize,
    /// Invalid cases (refused).
    pub invalid: usize,
}

/// `<crate>/../../parity/golden`.
pub(crate) fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../parity/golden")
}

/// Reads `parity/golden/<name>.txt`; panics (fails the test) when it is
/// missing, malformed or names another kernel.
pub(crate) fn load(name: &str) -> GoldenFile {
    let dir = golden_dir();
    assert!(
        dir.is_dir(),
        "golden folder {} is missing: regenerate it with `python -m parity regen`",
        dir.display()
    );
    let path = dir.join(format!("{name}.txt"));
    assert!(
        path.is_file(),
        "golden file {} is missing: regenerate it with `python -m parity regen`",
        path.display()
    );
    let file = read_golden(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(file.kernel, name, "{}: wrong kernel line", path.display());
    file
}

/// Checks every case of `parity/golden/<name>.txt` with `run` and the file's
/// own `rtol` directives.
pub(crate) fn check_golden(
    name: &str,
    run: impl Fn(&Case) -> Result<Vec<Field>, MirrorError>,
) -> Counts {
    check_golden_with(name, &[], run)
}

/// [`check_golden`] with extra tolerances (`(output, rtol)`) on top of the
/// file's, for files whose format predates `rtol` lines (`lif_step`).
pub(crate) fn check_golden_with(
    name: &str,
    extra_rtol: &[(&str, f64)],
    run: impl Fn(&Case) -> Result<Vec<Field>, MirrorError>,
) -> Counts {
    let file = load(name);
    let rtol = |out: &str| {
        file.rtol_of(out)
            .or_else(|| extra_rtol.iter().find(|(n, _)| *n == out).map(|&(_, v)| v))
    };
    let mut failures = Vec::new();
    let mut counts = Counts {
        valid: 0,
        invalid: 0,
    };
    for case in &file.cases {
        let tag = format!("{name} case {} ({})", case.id, case.comment);
        match (case.expected, run(case)) {
            (Expected::Valid, Ok(got)) => {
                counts.valid += 1;
                if let Err(diff) = compare_fields(&got, &case.outputs, rtol) {
                    failures.push(format!("{tag}: {diff}"));
                }
            }
            (Expected::Valid, Err(e)) => {
                counts.valid += 1;
                failures.push(format!("{tag}: valid case refused: {e} (arg {:?})", e.arg));
            }
            (Expected::Invalid, Ok(_)) => {
                counts.invalid += 1;
                failures.push(format!("{tag}: invalid case answered"));
            }
            (Expected::Invalid, Err(e)) => {
                counts.invalid += 1;
                if !fields::has(&case.inputs, &e.arg) {
                    failures.push(format!(
                        "{tag}: refused, but the error names {:?}, which is not an input of \
                         the case: {e}",
                        e.arg
                    ));
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
    assert!(counts.valid > 0, "{name}: no valid cases");
    assert!(counts.invalid > 0, "{name}: no invalid cases");
    eprintln!(
        "{name}: {} valid and {} invalid golden cases pass",
        counts.valid, counts.invalid
    );
    counts
}
