//! Reader of the golden-vector files `parity/golden/<kernel>.txt`
//! (parity/FORMAT.md, format v1), standard library only.
//!
//! The reader is strict: anything FORMAT.md does not allow (an unknown
//! keyword, a bad dtype, a value count that does not match the shape, a value
//! that is not in its dtype's exact spelling, a case left open …) is a
//! [`ParseError`] with its line number, never a silently dropped line.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

/// Element type of a golden array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    /// Unsigned 64-bit, decimal.
    U64,
    /// Signed 64-bit, decimal.
    I64,
    /// Unsigned 8-bit, decimal 0..255.
    U8,
    /// IEEE-754 double as 16 lowercase hex digits of its bit pattern.
    F64,
}

impl DType {
    /// The dtype's spelling in the file.
    pub fn name(self) -> &'static str {
        match self {
            DType::U64 => "u64",
            DType::I64 => "i64",
            DType::U8 => "u8",
            DType::F64 => "f64",
        }
    }

    /// Parses a dtype's spelling.
    pub fn from_name(s: &str) -> Option<DType> {
        match s {
            "u64" => Some(DType::U64),
            "i64" => Some(DType::I64),
            "u8" => Some(DType::U8),
            "f64" => Some(DType::F64),
            _ => None,
        }
    }
}

/// The values of a golden array, in C order.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// `u64` values.
    U64(Vec<u64>),
    /// `i64` values.
    I64(Vec<i64>),
    /// `u8` values.
    U8(Vec<u8>),
    /// `f64` values (bit patterns preserved, NaN payloads included).
    F64(Vec<f64>),
}

impl Values {
    /// The dtype of these values.
    pub fn dtype(&self) -> DType {
        match self {
            Values::U64(_) => DType::U64,
            Values::I64(_) => DType::I64,
            Values::U8(_) => DType::U8,
            Values::F64(_) => DType::F64,
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Values::U64(v) => v.len(),
            Values::I64(v) => v.len(),
            Values::U8(v) => v.len(),
            Values::F64(v) => v.len(),
        }
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One `in` or `out` line: a named array.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The array's name, e.g. `weights`.
    pub name: String,
    /// Its shape (empty for a 0-D scalar).
    pub shape: Vec<usize>,
    /// Its values; `values.len()` is the product of `shape`.
    pub values: Values,
}

/// Whether a line is an input or an expected output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// An `in` line.
    In,
    /// An `out` line.
    Out,
}

/// The expected result of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// The inputs are valid; the case lists the outputs.
    Valid,
    /// Every implementation must refuse the inputs.
    Invalid,
}

/// One test case.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The case id (positive, unique in its file).
    pub id: u64,
    /// The `comment` text ("" if the case has none).
    pub comment: String,
    /// `result valid|invalid`.
    pub expected: Expected,
    /// The `in` arrays, in file order.
    pub inputs: Vec<Field>,
    /// The `out` arrays, in file order (empty for an invalid case).
    pub outputs: Vec<Field>,
    /// Line number of the `case` line.
    pub line: usize,
}

/// A parsed golden file.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldenFile {
    /// The kernel named by the `kernel` line.
    pub kernel: String,
    /// The cases, in file order.
    pub cases: Vec<Case>,
}

/// A malformed file: the 1-based line number (0 when the file could not be
/// read at all) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number, 0 for a file-level problem.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for ParseError {}

/// Most dimensions an array line may declare (guards against absurd input).
const MAX_NDIM: usize = 32;

/// A strictly decimal unsigned integer: ASCII digits only, no sign.
fn parse_unsigned(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u64>().ok()
}

/// A strictly decimal signed integer: an optional `-`, then ASCII digits.
fn parse_signed(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// Exactly 16 lowercase hex digits, read as an IEEE-754 bit pattern.
fn parse_f64_bits(s: &str) -> Option<f64> {
    let ok = s.len() == 16
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !ok {
        return None;
    }
    u64::from_str_radix(s, 16).ok().map(f64::from_bits)
}

fn parse_values(dtype: DType, tokens: &[&str]) -> Result<Values, String> {
    fn all<T>(
        tokens: &[&str],
        what: &str,
        f: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<T>, String> {
        tokens
            .iter()
            .enumerate()
            .map(|(k, t)| f(t).ok_or_else(|| format!("value {k} ({t:?}) is not {what}")))
            .collect()
    }
    Ok(match dtype {
        DType::U64 => Values::U64(all(tokens, "a decimal u64", parse_unsigned)?),
        DType::I64 => Values::I64(all(tokens, "a decimal i64", parse_signed)?),
        DType::U8 => Values::U8(all(tokens, "a decimal u8 (0..255)", |t| {
            parse_unsigned(t).and_then(|v| u8::try_from(v).ok())
        })?),
        DType::F64 => Values::F64(all(tokens, "16 lowercase hex digits", parse_f64_bits)?),
    })
}

/// Parses one array line, `in|out <name> <dtype> <ndim> <dims…> : <values…>`.
pub fn parse_field_line(line: &str) -> Result<(Direction, Field), String> {
    let tokens: Vec<&str> = line.split_ascii_whitespace().collect();
    let direction = match tokens.first() {
        Some(&"in") => Direction::In,
        Some(&"out") => Direction::Out,
        _ => return Err("an array line must start with 'in' or 'out'".to_string()),
    };
    if tokens.len() < 4 {
        return Err("an array line needs '<name> <dtype> <ndim> … :'".to_string());
    }
    let name = tokens[1];
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(format!("bad array name {name:?}"));
    }
    let dtype = DType::from_name(tokens[2]).ok_or_else(|| {
        format!(
            "unknown dtype {:?} (expected u64, i64, u8 or f64)",
            tokens[2]
        )
    })?;
    let ndim = parse_unsigned(tokens[3])
        .and_then(|n| usize::try_from(n).ok())
        .filter(|&n| n <= MAX_NDIM)
        .ok_or_else(|| format!("bad ndim {:?}", tokens[3]))?;
    let colon = 4 + ndim;
    if tokens.len() <= colon || tokens[colon] != ":" {
        return Err(format!("expected {ndim} dimensions followed by ':'"));
    }
    let mut shape = Vec::with_capacity(ndim);
    for t in &tokens[4..colon] {
        let d = parse_unsigned(t)
            .and_then(|d| usize::try_from(d).ok())
            .ok_or_else(|| format!("bad dimension {t:?}"))?;
        shape.push(d);
    }
    let count = crate::array::shape_size(&shape).ok_or("the shape's size overflows")?;
    let value_tokens = &tokens[colon + 1..];
    if value_tokens.len() != count {
        return Err(format!(
            "array {name} of shape {:?} needs {count} values, got {}",
            shape,
            value_tokens.len()
        ));
    }
    let values = parse_values(dtype, value_tokens).map_err(|e| format!("array {name}: {e}"))?;
    Ok((
        direction,
        Field {
            name: name.to_string(),
            shape,
            values,
        },
    ))
}

/// A case being read.
struct Open {
    id: u64,
    line: usize,
    comment: Option<String>,
    expected: Option<Expected>,
    inputs: Vec<Field>,
    outputs: Vec<Field>,
}

/// Parses the text of a golden file.
pub fn parse_golden(text: &str) -> Result<GoldenFile, ParseError> {
    let mut kernel: Option<String> = None;
    let mut cases = Vec::new();
    let mut ids = HashSet::new();
    let mut open: Option<Open> = None;
    let mut last_line = 0;
    for (idx, raw) in text.split('\n').enumerate() {
        let lineno = idx + 1;
        last_line = lineno;
        let err = |message: String| ParseError {
            line: lineno,
            message,
        };
        if !raw.is_ascii() {
            return Err(err("the line is not ASCII".to_string()));
        }
        if raw.contains('\r') {
            return Err(err(
                "carriage return: golden files use '\\n' line ends".to_string()
            ));
        }
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let (keyword, rest) = raw.split_once(' ').unwrap_or((raw, ""));
        if keyword != "kernel" && kernel.is_none() {
            return Err(err(format!(
                "expected the 'kernel' line first, got {keyword:?}"
            )));
        }
        match keyword {
            "kernel" => {
                if kernel.is_some() {
                    return Err(err("a second 'kernel' line".to_string()));
                }
                let name = rest.trim();
                if name.is_empty() || name.contains(' ') {
                    return Err(err(format!("bad kernel name {rest:?}")));
                }
                kernel = Some(name.to_string());
            }
            "case" => {
                if let Some(o) = &open {
                    return Err(err(format!(
                        "case {} (line {}) is not closed by 'end'",
                        o.id, o.line
                    )));
                }
                let id = parse_unsigned(rest).filter(|&id| id > 0).ok_or_else(|| {
                    err(format!("case id must be a positive integer, got {rest:?}"))
                })?;
                if !ids.insert(id) {
                    return Err(err(format!("duplicate case id {id}")));
                }
                open = Some(Open {
                    id,
                    line: lineno,
                    comment: None,
                    expected: None,
                    inputs: Vec::new(),
                    outputs: Vec::new(),
                });
            }
            "comment" | "result" | "in" | "out" | "end" => {
                let Some(o) = open.as_mut() else {
                    return Err(err(format!("{keyword:?} outside a case")));
                };
                match keyword {
                    "comment" => {
                        if o.comment.is_some() || o.expected.is_some() || !o.inputs.is_empty() {
                            return Err(err(
                                "'comment' must come once, before 'result' and the arrays"
                                    .to_string(),
                            ));
                        }
                        o.comment = Some(rest.to_string());
                    }
                    "result" => {
                        if o.expected.is_some() || !o.inputs.is_empty() {
                            return Err(err(
                                "'result' must come once, before the arrays".to_string()
                            ));
                        }
                        o.expected = Some(match rest {
                            "valid" => Expected::Valid,
                            "invalid" => Expected::Invalid,
                            _ => {
                                return Err(err(format!(
                                    "result must be valid or invalid, got {rest:?}"
                                )));
                            }
                        });
                    }
                    "in" | "out" => {
                        let Some(expected) = o.expected else {
                            return Err(err("array line before 'result'".to_string()));
                        };
                        let (dir, field) = parse_field_line(raw).map_err(err)?;
                        let same_side = match dir {
                            Direction::In => &o.inputs,
                            Direction::Out => &o.outputs,
                        };
                        if same_side.iter().any(|f| f.name == field.name) {
                            return Err(err(format!("duplicate {keyword} array {:?}", field.name)));
                        }
                        match dir {
                            Direction::In => {
                                if !o.outputs.is_empty() {
                                    return Err(err("'in' line after an 'out' line".to_string()));
                                }
                                o.inputs.push(field);
                            }
                            Direction::Out => {
                                if expected == Expected::Invalid {
                                    return Err(
                                        err("an invalid case lists no outputs".to_string()),
                                    );
                                }
                                o.outputs.push(field);
                            }
                        }
                    }
                    _ => {
                        if !rest.trim().is_empty() {
                            return Err(err(format!("unexpected text after 'end': {rest:?}")));
                        }
                        let Some(expected) = o.expected else {
                            return Err(err(format!("case {} has no 'result' line", o.id)));
                        };
                        if expected == Expected::Valid && o.outputs.is_empty() {
                            return Err(err(format!("valid case {} lists no outputs", o.id)));
                        }
                        cases.push(Case {
                            id: o.id,
                            comment: o.comment.take().unwrap_or_default(),
                            expected,
                            inputs: std::mem::take(&mut o.inputs),
                            outputs: std::mem::take(&mut o.outputs),
                            line: o.line,
                        });
                        open = None;
                    }
                }
            }
            _ => return Err(err(format!("unknown keyword {keyword:?}"))),
        }
    }
    if let Some(o) = open {
        return Err(ParseError {
            line: last_line,
            message: format!("case {} (line {}) is not closed by 'end'", o.id, o.line),
        });
    }
    let Some(kernel) = kernel else {
        return Err(ParseError {
            line: 0,
            message: "no 'kernel' line".to_string(),
        });
    };
    Ok(GoldenFile { kernel, cases })
}

/// Reads and parses the golden file at `path`.
pub fn read_golden(path: &Path) -> Result<GoldenFile, ParseError> {
    let text = std::fs::read_to_string(path).map_err(|e| ParseError {
        line: 0,
        message: format!("cannot read {}: {e}", path.display()),
    })?;
    parse_golden(&text).map_err(|e| ParseError {
        line: e.line,
        message: format!("{}: {}", path.display(), e.message),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "# header\n# more\nkernel sc_forward\ncase 3\ncomment seed wraps\nresult valid\n\
in weights u64 3 2 3 1 : 81985529216486895 18446744073709551615 0 1 2 3\n\
in probs f64 1 3 : 0000000000000000 3ff0000000000000 8000000000000000\n\
in length i64 0 : 100\nin seed i64 0 : -7\n\
out out f64 1 2 : 3fd28f5c28f5c28f 7ff8000000000001\nend\n\n\
case 4\nresult invalid\nin weights u64 3 1 1 0 :\nin n u8 2 1 2 : 0 255\nend\n";

    fn first_error(text: &str) -> ParseError {
        parse_golden(text).expect_err("the text must be refused")
    }

    /// `GOOD` with `from` replaced by `to` (which must occur).
    fn variant(from: &str, to: &str) -> String {
        assert!(GOOD.contains(from), "{from:?} not in GOOD");
        GOOD.replacen(from, to, 1)
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
        let c = &g.cases[1];
        assert_eq!(c.expected, Expected::Invalid);
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
        let cases: [(&str, &str, &str); 14] = [
            ("case 3\n", "case 0\n", "positive integer"),
            ("case 3\n", "case x\n", "positive integer"),
            ("case 4\n", "case 3\n", "duplicate case id"),
            ("result valid", "result maybe", "valid or invalid"),
            (
                "in length i64 0 : 100",
                "in length i64 0 100",
                "followed by ':'",
            ),
            (
                "in length i64 0 : 100",
                "in length i64 1 : 100",
                "followed by ':'",
            ),
            ("in length i64 0 : 100", "in length i64 x : 100", "bad ndim"),
            (
                "in weights u64 3 2 3 1",
                "in weights u64 3 2 -3 1",
                "bad dimension",
            ),
            ("in length i64 0 : 100", "in length", "needs '<name>"),
            ("in length i64 0 : 100", "bogus line", "unknown keyword"),
            ("end\n\ncase 4", "\ncase 4", "not closed"),
            (
                "result invalid\n",
                "result invalid\nout x u8 0 : 1\n",
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
        for (from, to, want) in cases {
            let e = first_error(&variant(from, to));
            assert!(e.message.contains(want), "{from:?} -> {to:?}: {e}");
            assert!(e.line > 0);
        }
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
        let e = first_error(
            "kernel not\ncase 1\nresult valid\nin a u64 1 1 : 1\nout out u64 1 1 : 2\n",
        );
        assert!(e.message.contains("not closed"), "{e}");
        let e = first_error("kernel not\ncase 1\nin a u64 1 1 : 1\nend\n");
        assert!(e.message.contains("before 'result'"), "{e}");
        let e = first_error("kernel not\ncase 1\nend\n");
        assert!(e.message.contains("no 'result'"), "{e}");
        let e = first_error(
            "kernel not\ncase 1\nresult invalid\nin a u64 1 1 : 1\nin a u64 1 1 : 1\nend\n",
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
    fn missing_file_is_an_error() {
        let e = read_golden(Path::new("/nonexistent/sc_neurocore/golden.txt")).unwrap_err();
        assert_eq!(e.line, 0);
        assert!(e.message.contains("cannot read"), "{e}");
    }
}
