//! `harness run <kernel> <golden file>`: the mirror's answers to a kernel
//! golden file in the harness protocol of parity/FORMAT.md ("Harness
//! protocol"): per case, in file order, `case <id> ok` and one `out` line per
//! output, or `case <id> invalid <reason>`. Exit 0 when every case was
//! answered, 1 when the file cannot be read, 2 on a usage error.

#![forbid(unsafe_code)]

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use sc_neurocore_mirror::dispatch::{KERNELS, run_kernel};
use sc_neurocore_mirror::golden::{Direction, format_field_line, read_golden};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [cmd, kernel, path] = &args[..] else {
        eprintln!("usage: harness run <kernel> <golden file>");
        return ExitCode::from(2);
    };
    if cmd != "run" || !KERNELS.contains(&kernel.as_str()) {
        eprintln!(
            "usage: harness run <kernel> <golden file>; kernels: {}",
            KERNELS.join(", ")
        );
        return ExitCode::from(2);
    }
    let file = match read_golden(Path::new(path)) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    if file.kernel != *kernel {
        eprintln!("{path} holds kernel {}, not {kernel}", file.kernel);
        return ExitCode::from(1);
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    for case in &file.cases {
        let written = match run_kernel(kernel, &case.inputs) {
            Ok(fields) => writeln!(out, "case {} ok", case.id).and_then(|_| {
                fields
                    .iter()
                    .try_for_each(|f| writeln!(out, "{}", format_field_line(Direction::Out, f)))
            }),
            Err(e) => writeln!(
                out,
                "case {} invalid {}",
                case.id,
                e.message.replace('\n', " ")
            ),
        };
        if written.is_err() {
            return ExitCode::from(1);
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
