//! The reader against the shared conformance files (parity/FORMAT.md,
//! "Strictness and limits"): `parity/format_cases.txt` (hand-written accepted
//! and refused texts) and `parity/format_mutants.txt` (seeded mutants, with the
//! verdict of parity/golden_format.py). This reader must give every recorded
//! verdict: accept (with the same content digest) or refuse on the same line.
//! Entry syntax: parity/conformance.py.

use std::path::PathBuf;

use super::*;

/// One entry: the file's bytes, accept or refuse, and the digest ("-": not
/// checked) or the line the refusal names.
struct Entry {
    data: Vec<u8>,
    accept: bool,
    detail: String,
    source_line: usize,
}

/// The bytes of an escaped text (`\n`, `\\`, `\xHH`).
fn unescape(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut k = 0;
    while k < bytes.len() {
        match (bytes[k], bytes.get(k + 1)) {
            (b'\\', Some(b'n')) => {
                out.push(b'\n');
                k += 2;
            }
            (b'\\', Some(b'\\')) => {
                out.push(b'\\');
                k += 2;
            }
            (b'\\', Some(b'x')) => {
                let hex = std::str::from_utf8(&bytes[k + 2..k + 4]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                k += 4;
            }
            (b'\\', _) => panic!("bad escape in {text:?}"),
            (b, _) => {
                out.push(b);
                k += 1;
            }
        }
    }
    out
}

fn read_entries(name: &str) -> Vec<Entry> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../parity")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut template = "{LINE}".to_string();
    let mut entries = Vec::new();
    for (idx, line) in text.split('\n').enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        if word == "template" {
            template = rest.to_string();
            continue;
        }
        let (detail, body) = rest.split_once(' ').unwrap_or((rest, ""));
        assert!(
            matches!(word, "accept" | "refuse") && !detail.is_empty(),
            "{name}:{}: bad entry",
            idx + 1
        );
        entries.push(Entry {
            data: unescape(&template.replace("{LINE}", body)),
            accept: word == "accept",
            detail: detail.to_string(),
            source_line: idx + 1,
        });
    }
    entries
}

/// FNV-1a (64-bit) of the canonical listing of what was read, exactly as
/// parity/conformance.py's `digest` computes it.
fn digest(file: &GoldenFile) -> String {
    let mut lines = vec![format!("kernel {}", file.kernel)];
    for (name, value) in &file.rtol {
        lines.push(format!("rtol {name} {:016x}", value.to_bits()));
    }
    for case in &file.cases {
        lines.push(format!("case {}", case.id));
        lines.push(format!("comment {}", case.comment));
        let result = match case.expected {
            Expected::Valid => "valid",
            Expected::Invalid => "invalid",
        };
        lines.push(format!("result {result}"));
        if case.expected == Expected::Invalid {
            lines.push(format!("flags {}", case.flags.join(" ")));
        }
        lines.extend(
            case.inputs
                .iter()
                .map(|f| format_field_line(Direction::In, f)),
        );
        lines.extend(
            case.outputs
                .iter()
                .map(|f| format_field_line(Direction::Out, f)),
        );
        lines.push("end".to_string());
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for line in &lines {
        for &b in line.as_bytes().iter().chain(b"\n") {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// Every entry of `name` gets its recorded verdict, and the file holds at
/// least `min_accepted` accepted and `min_refused` refused entries (so a
/// truncated corpus cannot pass).
fn check_file(name: &str, min_accepted: usize, min_refused: usize) {
    let entries = read_entries(name);
    let mut disagreements = Vec::new();
    let (mut accepted, mut refused) = (0, 0);
    for e in &entries {
        let got = match parse_golden_bytes(&e.data) {
            Ok(file) => {
                accepted += 1;
                (
                    true,
                    if e.detail == "-" {
                        "-".to_string()
                    } else {
                        digest(&file)
                    },
                )
            }
            Err(err) => {
                refused += 1;
                (false, err.line.to_string())
            }
        };
        if got != (e.accept, e.detail.clone()) {
            disagreements.push(format!(
                "{name}:{}: recorded {} {}, got {} {} for {:?}",
                e.source_line,
                if e.accept { "accept" } else { "refuse" },
                e.detail,
                if got.0 { "accept" } else { "refuse" },
                got.1,
                String::from_utf8_lossy(&e.data)
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} entries disagree:\n{}",
        disagreements.len(),
        entries.len(),
        disagreements.join("\n")
    );
    assert!(
        accepted >= min_accepted && refused >= min_refused,
        "{name}: {accepted} accepted, {refused} refused"
    );
}

#[test]
fn the_shared_list_of_accepted_and_refused_texts() {
    check_file("format_cases.txt", 15, 100);
}

#[test]
fn the_seeded_mutation_corpus() {
    check_file("format_mutants.txt", 40, 400);
}

#[test]
fn the_digest_matches_parity_conformance() {
    // The digest parity/conformance.py gives this text (a fixed value, so a
    // change of either listing is caught even where no corpus entry has one).
    let file = parse_golden(
        "kernel k\nrtol o 0.5\ncase 3\ncomment a b\nresult valid\nin s str 1 2 : s:x s:\n\
         out o f64 0 : 3ff0000000000000\nend\n",
    )
    .unwrap();
    assert_eq!(digest(&file), "4a361445a4309026");
}
