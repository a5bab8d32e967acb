//! Unit tests of the golden-file reader (`cargo test --lib`).

use super::*;

const GOOD: &str = "# header\n# more\nkernel sc_forward\ncase 3\ncomment seed wraps\nresult valid\n\
in weights u64 3 2 3 1 : 81985529216486895 18446744073709551615 0 1 2 3\n\
in probs f64 1 3 : 0000000000000000 3ff0000000000000 8000000000000000\n\
in length i64 0 : 100\nin seed i64 0 : -7\n\
out out f64 1 2 : 3fd28f5c28f5c28f 7ff8000000000001\nend\n\n\
case 4\nresult invalid\nflags WrongShape Boundary\nin weights u64 3 1 1 0 :\n\
in n u8 2 1 2 : 0 255\nend\n";

fn first_error(text: &str) -> ParseError {
    parse_golden(text).expect_err("the text must be refused")
}

/// `GOOD` with `from` replaced by `to` (which must occur).
fn variant(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from:?} not in GOOD");
    GOOD.replacen(from, to, 1)
}

/// Each `(from, to, want)`: `text` with `from` replaced by `to` (which must
/// occur) is refused with a message containing `want`, naming a line.
fn assert_refusals(text: &str, cases: &[(&str, &str, &str)]) {
    for &(from, to, want) in cases {
        assert!(text.contains(from), "{from:?} not in the text");
        let e = parse_golden(&text.replacen(from, to, 1)).expect_err(to);
        assert!(e.message.contains(want), "{from:?} -> {to:?}: {e}");
        assert!(e.line > 0, "{from:?} -> {to:?}: no line");
    }
}

#[test]
fn parses_a_well_formed_file() {
    let g = parse_golden(GOOD).unwrap();
    assert_eq!(g.kernel, "sc_forward");
    assert_eq!(g.cases.len(), 2);
    let c = &g.cases[0];
    assert_eq!((c.id, c.expected, c.line), (3, Expected::Valid, 4));
    assert_eq!(c.comment, "seed wraps");
    assert_eq!(c.inputs.len(), 4);
    assert_eq!(c.inputs[0].shape, vec![2, 3, 1]);
    assert_eq!(
        c.inputs[0].values,
        Values::U64(vec![81985529216486895, u64::MAX, 0, 1, 2, 3])
    );
    let Values::F64(p) = &c.inputs[1].values else {
        panic!("probs must be f64")
    };
    assert_eq!(p[1], 1.0);
    assert_eq!(p[2].to_bits(), 0x8000000000000000); // -0.0 kept
    assert_eq!(c.inputs[2].shape, Vec::<usize>::new());
    assert_eq!(c.inputs[3].values, Values::I64(vec![-7]));
    let Values::F64(o) = &c.outputs[0].values else {
        panic!("out must be f64")
    };
    assert_eq!(o[1].to_bits(), 0x7ff8000000000001); // NaN payload kept
    assert!(c.flags.is_empty());
    let c = &g.cases[1];
    assert_eq!(c.expected, Expected::Invalid);
    assert_eq!(c.flags, vec!["WrongShape", "Boundary"]);
    assert_eq!(c.comment, "");
    assert_eq!(c.inputs[0].shape, vec![1, 1, 0]);
    assert!(c.inputs[0].values.is_empty());
    assert_eq!(c.inputs[1].values, Values::U8(vec![0, 255]));
}

#[test]
fn rejects_wrong_value_counts() {
    // One value too few, one too many, values on a 0-element array.
    let e = first_error(&variant("in length i64 0 : 100", "in length i64 0 :"));
    assert_eq!(e.line, 9);
    assert!(e.message.contains("needs 1 values, got 0"), "{e}");
    let e = first_error(&variant(": 0 255", ": 0 255 1"));
    assert!(e.message.contains("needs 2 values, got 3"), "{e}");
    let e = first_error(&variant("3 1 1 0 :", "3 1 1 0 : 5"));
    assert!(e.message.contains("needs 0 values, got 1"), "{e}");
}

#[test]
fn rejects_bad_dtypes_and_values() {
    for (from, to) in [
        ("in seed i64", "in seed i32"),
        ("in seed i64", "in seed I64"),
        ("in seed i64", "in seed float"),
    ] {
        let e = first_error(&variant(from, to));
        assert!(e.message.contains("unknown dtype"), "{e}");
    }
    for (from, to) in [
        (": 0 255", ": 0 256"),                           // u8 out of range
        (": 0 255", ": 0 -1"),                            // negative u8
        ("i64 0 : 100", "i64 0 : 1e2"),                   // float spelling
        ("i64 0 : 100", "i64 0 : +100"),                  // sign on decimal
        ("i64 0 : -7", "i64 0 : --7"),                    // double sign
        ("18446744073709551615", "18446744073709551616"), // u64 overflow
        ("0000000000000000 3ff", "000000000000000 3ff"),  // 15 hex digits
        ("3ff0000000000000", "3FF0000000000000"),         // uppercase hex
        ("3ff0000000000000", "0x3ff0000000000000"),       // prefix
    ] {
        let e = first_error(&variant(from, to));
        assert!(e.message.contains("is not"), "{from} -> {to}: {e}");
    }
}

#[test]
fn rejects_malformed_lines() {
    const LEN: &str = "in length i64 0 : 100";
    let cases = [
        ("case 3\n", "case 0\n", "positive integer"),
        ("case 3\n", "case x\n", "positive integer"),
        ("case 4\n", "case 3\n", "duplicate case id"),
        ("result valid", "result maybe", "valid or invalid"),
        (LEN, "in length i64 0 100", "followed by ':'"),
        (LEN, "in length i64 1 : 100", "followed by ':'"),
        (LEN, "in length i64 x : 100", "bad ndim"),
        ("u64 3 2 3 1", "u64 3 2 -3 1", "bad dimension"),
        (LEN, "in length", "needs '<name>"),
        (LEN, "bogus line", "unknown keyword"),
        ("end\n\ncase 4", "\ncase 4", "not closed"),
        (
            "WrongShape Boundary\n",
            "WrongShape Boundary\nout x u8 0 : 1\n",
            "no outputs",
        ),
        (
            "out out f64 1 2 : 3fd28f5c28f5c28f 7ff8000000000001\n",
            "",
            "lists no outputs",
        ),
        (
            "comment seed wraps\nresult valid\n",
            "result valid\ncomment seed wraps\n",
            "'comment' must come",
        ),
    ];
    assert_refusals(GOOD, &cases);
}

#[test]
fn rejects_structure_errors() {
    let e = first_error("case 1\nresult valid\nend\n");
    assert!(e.message.contains("'kernel' line first"), "{e}");
    let e = first_error("# only a header\n");
    assert!(e.message.contains("no 'kernel' line"), "{e}");
    let e = first_error("kernel not\nkernel and\n");
    assert!(e.message.contains("second 'kernel'"), "{e}");
    let e = first_error("kernel not\nresult valid\n");
    assert!(e.message.contains("outside a case"), "{e}");
    let e =
        first_error("kernel not\ncase 1\nresult valid\nin a u64 1 1 : 1\nout out u64 1 1 : 2\n");
    assert!(e.message.contains("not closed"), "{e}");
    let e = first_error("kernel not\ncase 1\nin a u64 1 1 : 1\nend\n");
    assert!(e.message.contains("before 'result'"), "{e}");
    let e = first_error("kernel not\ncase 1\nend\n");
    assert!(e.message.contains("no 'result'"), "{e}");
    let e = first_error(
        "kernel not\ncase 1\nresult invalid\nflags X\nin a u64 1 1 : 1\nin a u64 1 1 : 1\nend\n",
    );
    assert!(e.message.contains("duplicate in array"), "{e}");
    let e = first_error(
        "kernel not\ncase 1\nresult valid\nin a u64 1 1 : 1\nout o u64 1 1 : 1\nin b u64 1 1 : 1\nend\n",
    );
    assert!(e.message.contains("after an 'out'"), "{e}");
    let e = first_error("kernel not\r\n");
    assert!(e.message.contains("carriage return"), "{e}");
}

#[test]
fn reads_and_checks_flags_lines() {
    // Spelling only: a flag outside parity/flags.py's vocabulary is read too.
    let g = parse_golden("kernel k\ncase 1\nresult invalid\nflags NotYetKnown X9\nend\n").unwrap();
    assert_eq!(g.cases[0].flags, vec!["NotYetKnown", "X9"]);
    for (text, line, want) in [
        ("result invalid\nend\n", 4, "no 'flags' line"),
        (
            "result invalid\nin a u8 0 : 1\nend\n",
            4,
            "before the invalid case's 'flags'",
        ),
        (
            "result valid\nflags X\nout o u8 0 : 1\nend\n",
            4,
            "has no 'flags' line",
        ),
        ("flags X\nresult invalid\nend\n", 3, "'flags' comes once"),
        (
            "result invalid\nflags X\nflags Y\nend\n",
            5,
            "'flags' comes once",
        ),
        ("result invalid\nflags\nend\n", 4, "single spaces"),
        ("result invalid\nflags A  B\nend\n", 4, "single spaces"),
        ("result invalid\nflags a\nend\n", 4, "ASCII capital"),
        ("result invalid\nflags A_B\nend\n", 4, "ASCII capital"),
        ("result invalid\nflags A A\nend\n", 4, "named twice"),
    ] {
        let e = first_error(&format!("kernel k\ncase 1\n{text}"));
        assert_eq!(e.line, line, "{text:?}: {e}");
        assert!(e.message.contains(want), "{text:?}: {e}");
    }
}

/// The same text as tests/parity/test_golden_format_ext.py's TEXT.
const EXT: &str = "# header\nkernel demo\nrtol gain 1e-12\nrtol phase 0.5\ncase 1\n\
comment strings and tolerances\nresult valid\nin op str 0 : s:fi_curve\n\
in names str 1 3 : s:V s: s:a%20b\nout gain f64 1 2 : 3ff0000000000000 0000000000000000\n\
out phase f64 0 : 3ff0000000000000\nout label str 0 : s:ok\nend\ncase 2\ncomment\n\
result invalid\nflags OutOfRange\nin op str 0 : s:fi_curve\nin names str 1 1 : s:%21\nend\n";

#[test]
fn parses_strings_and_rtol() {
    let g = parse_golden(EXT).unwrap();
    assert_eq!(
        g.rtol,
        vec![("gain".to_string(), 1e-12), ("phase".to_string(), 0.5)]
    );
    assert_eq!(g.rtol_of("gain"), Some(1e-12));
    assert_eq!(g.rtol_of("label"), None);
    let names = &g.cases[0].inputs[1];
    assert_eq!(
        names.values,
        Values::Str(vec!["V".into(), "".into(), "a b".into()])
    );
    assert_eq!(g.cases[1].inputs[1].values, Values::Str(vec!["!".into()]));
    // Writing the array lines back gives the same text.
    for line in EXT
        .lines()
        .filter(|l| l.starts_with("in ") || l.starts_with("out "))
    {
        let (dir, field) = parse_field_line(line).unwrap();
        assert_eq!(format_field_line(dir, &field), line);
    }
}

#[test]
fn str_values_round_trip() {
    for v in [
        "",
        "ACGT",
        "a b",
        "s:",
        "%41",
        "x\0y",
        "\u{e9}\u{20ac}\u{1f600}",
        "~-._",
        "!\"#$&'()*+,/:;<=>?@[\\]^`{|}",
    ] {
        let t = encode_str(v);
        assert!(t.is_ascii() && !t.contains(char::is_whitespace), "{t}");
        assert_eq!(decode_str(&t).unwrap(), v);
    }
    assert_eq!(encode_str("a b:c\u{e9}"), "s:a%20b%3Ac%C3%A9");
}

#[test]
fn rejects_malformed_strings_and_rtol() {
    let cases = [
        ("rtol gain 1e-12", "rtol gain", "expected 'rtol"),
        ("rtol gain 1e-12", "rtol gain 1e-12 x", "expected 'rtol"),
        ("rtol gain 1e-12", "rtol  gain 1e-12", "expected 'rtol"),
        ("rtol gain 1e-12", "rtol gain 1E-12", "finite decimal"),
        ("rtol gain 1e-12", "rtol gain -1e-12", "finite decimal"),
        ("rtol gain 1e-12", "rtol gain nan", "finite decimal"),
        ("rtol gain 1e-12", "rtol gain inf", "finite decimal"),
        ("rtol gain 1e-12", "rtol gain 0.0", "finite decimal"),
        ("rtol gain 1e-12", "rtol gain 1e999", "finite decimal"),
        (
            "rtol gain 1e-12",
            "rtol g-ain 1e-12",
            "bad rtol output name",
        ),
        ("rtol phase 0.5", "rtol gain 0.5", "given twice"),
        (
            "rtol phase 0.5",
            "rtol nothing 0.5",
            "must be an f64 output",
        ),
        ("rtol phase 0.5", "rtol label 0.5", "must be an f64 output"),
        (
            "end\ncase 2",
            "end\nrtol x 0.5\ncase 2",
            "before the first case",
        ),
        (
            "s:fi_curve\nin names str 1 3",
            "fi_curve\nin names str 1 3",
            "'s:'",
        ),
        (
            "s:fi_curve\nin names str 1 3",
            "S:fi_curve\nin names str 1 3",
            "'s:'",
        ),
        (
            "s:fi_curve\nin names str 1 3",
            "s:fi:curve\nin names str 1 3",
            "raw character",
        ),
        (
            "s:fi_curve\nin names str 1 3",
            "s:%66i_curve\nin names str 1 3",
            "unreserved",
        ),
        (
            "s:fi_curve\nin names str 1 3",
            "s:fi%2\nin names str 1 3",
            "uppercase hex",
        ),
        (
            "s:fi_curve\nin names str 1 3",
            "s:fi%c3%a9\nin names str 1 3",
            "uppercase hex",
        ),
        (
            "s:fi_curve\nin names str 1 3",
            "s:%FF\nin names str 1 3",
            "UTF-8",
        ),
        ("in op str 0", "in op string 0", "unknown dtype"),
    ];
    assert_refusals(EXT, &cases);
    let e = parse_golden(&EXT.replacen("s:V s: s:a%20b", "s:V s:", 1)).unwrap_err();
    assert!(e.message.contains("needs 3 values, got 2"), "{e}");
}

/// Every committed golden file parses, and each array line written back
/// is byte-identical to the file's line (reader and writer agree with
/// parity/golden_format.py on every value).
#[test]
fn committed_files_round_trip_line_by_line() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../parity/golden");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("parity/golden is missing") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        parse_golden(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for line in text
            .lines()
            .filter(|l| l.starts_with("in ") || l.starts_with("out "))
        {
            let (dir, field) = parse_field_line(line).unwrap();
            assert_eq!(format_field_line(dir, &field), line, "{}", path.display());
        }
    }
    assert!(
        files >= 11,
        "only {files} golden files in {}",
        dir.display()
    );
}

#[test]
fn missing_file_is_an_error() {
    let e = read_golden(Path::new("/nonexistent/sc_neurocore/golden.txt")).unwrap_err();
    assert_eq!(e.line, 0);
    assert!(e.message.contains("cannot read"), "{e}");
}
