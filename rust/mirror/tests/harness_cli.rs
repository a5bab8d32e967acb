//! The `harness` binary (feature `harness`) against every kernel golden file:
//! its answers, read back with the crate's reader, match the golden outputs,
//! and it refuses exactly the invalid cases.

use std::path::PathBuf;
use std::process::Command;

use sc_neurocore_mirror::dispatch::{KERNELS, compare_outputs};
use sc_neurocore_mirror::golden::{Expected, parse_field_line, read_golden};

fn golden(kernel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../parity/golden/{kernel}.txt"))
}

#[test]
fn harness_answers_every_kernel_file() {
    for kernel in KERNELS {
        let path = golden(kernel);
        let file = read_golden(&path).unwrap_or_else(|e| panic!("{e}"));
        let run = Command::new(env!("CARGO_BIN_EXE_harness"))
            .args(["run", kernel, path.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{kernel}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let stdout = String::from_utf8(run.stdout).unwrap();
        let mut lines = stdout.lines().peekable();
        for case in &file.cases {
            let head = lines
                .next()
                .unwrap_or_else(|| panic!("{kernel}: no answer to {}", case.id));
            let prefix = format!("case {} ", case.id);
            let status = head
                .strip_prefix(&prefix)
                .unwrap_or_else(|| panic!("{head}"));
            let mut outs = Vec::new();
            while lines.peek().is_some_and(|l| l.starts_with("out ")) {
                outs.push(parse_field_line(lines.next().unwrap()).unwrap().1);
            }
            match case.expected {
                Expected::Valid => {
                    assert_eq!(status, "ok", "{kernel} case {}", case.id);
                    compare_outputs(kernel, &outs, &case.outputs)
                        .unwrap_or_else(|e| panic!("{kernel} case {}: {e}", case.id));
                }
                Expected::Invalid => {
                    assert!(
                        status.starts_with("invalid "),
                        "{kernel} case {}: {status}",
                        case.id
                    );
                    assert!(outs.is_empty());
                }
            }
        }
        assert!(lines.next().is_none(), "{kernel}: extra output");
    }
}

#[test]
fn harness_usage_errors() {
    let bin = env!("CARGO_BIN_EXE_harness");
    let code = |args: &[&str]| Command::new(bin).args(args).output().unwrap().status.code();
    assert_eq!(code(&[]), Some(2));
    assert_eq!(code(&["run", "nope", "x"]), Some(2));
    assert_eq!(code(&["run", "pack", "/nonexistent/golden.txt"]), Some(1));
    let not = golden("not");
    assert_eq!(code(&["run", "pack", not.to_str().unwrap()]), Some(1));
}
