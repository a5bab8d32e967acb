//! Reader of the golden-vector files `parity/golden/<name>.txt`
//! (parity/FORMAT.md, format v1), standard library only, and the writer of
//! single array lines (for harness answers and round-trip checks).
//!
//! Besides the kernel files it reads the safety-mirror files, which may use
//! the `str` dtype (`s:` + percent-encoded UTF-8 per value) and declare
//! per-output tolerances with `rtol <output> <value>` lines after `kernel`.
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
    /// A string: `s:` then its UTF-8 bytes, unreserved ASCII as is, others `%XX`.
    Str,
}

impl DType {
    /// The dtype's spelling in the file.
    pub fn name(self) -> &'static str {
        match self {
            DType::U64 => "u64",
            DType::I64 => "i64",
            DType::U8 => "u8",
            DType::F64 => "f64",
            DType::Str => "str",
        }
    }

    /// Parses a dtype's spelling.
    pub fn from_name(s: &str) -> Option<DType> {
        match s {
            "u64" => Some(DType::U64),
            "i64" => Some(DType::I64),
            "u8" => Some(DType::U8),
            "f64" => Some(DType::F64),
            "str" => Some(DType::Str),
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
    /// `str` values (decoded).
    Str(Vec<String>),
}

impl Values {
    /// The dtype of these values.
    pub fn dtype(&self) -> DType {
        match self {
            Values::U64(_) => DType::U64,
            Values::I64(_) => DType::I64,
            Values::U8(_) => DType::U8,
            Values::F64(_) => DType::F64,
            Values::Str(_) => DType::Str,
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Values::U64(v) => v.len(),
            Values::I64(v) => v.len(),
            Values::U8(v) => v.len(),
            Values::F64(v) => v.len(),
            Values::Str(v) => v.len(),
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
    /// The kernel (or safety module) named by the `kernel` line.
    pub kernel: String,
    /// The `rtol <output> <value>` directives, in file order: outputs compared
    /// within that relative tolerance (every other output bit for bit).
    pub rtol: Vec<(String, f64)>,
    /// The cases, in file order.
    pub cases: Vec<Case>,
}

impl GoldenFile {
    /// The declared relative tolerance of output `name`, if any.
    pub fn rtol_of(&self, name: &str) -> Option<f64> {
        self.rtol.iter().find(|(n, _)| n == name).map(|&(_, v)| v)
    }
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

/// Whether byte `b` is written as itself in a `str` value (`A-Z a-z 0-9 - . _ ~`).
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// The token of one `str` value: `s:` then the UTF-8 bytes, unreserved ones
/// as they are, every other one as `%XX` (uppercase hex).
pub fn encode_str(value: &str) -> String {
    let mut out = String::with_capacity(2 + value.len());
    out.push_str("s:");
    for &b in value.as_bytes() {
        if unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn upper_hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The string a `str` token spells, or why the token is not canonical: no
/// `s:` prefix, a byte outside the unreserved set and `%`, a `%` not followed
/// by two uppercase hex digits, an escaped unreserved byte, invalid UTF-8.
pub fn decode_str(token: &str) -> Result<String, String> {
    let Some(body) = token.strip_prefix("s:") else {
        return Err(format!("{token:?} does not start with 's:'"));
    };
    let bytes = body.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut k = 0;
    while k < bytes.len() {
        let b = bytes[k];
        if b == b'%' {
            let hi = bytes.get(k + 1).copied().and_then(upper_hex);
            let lo = bytes.get(k + 2).copied().and_then(upper_hex);
            let (Some(hi), Some(lo)) = (hi, lo) else {
                return Err(format!(
                    "{token:?}: '%' must be followed by two uppercase hex digits"
                ));
            };
            let byte = hi * 16 + lo;
            if unreserved(byte) {
                return Err(format!(
                    "{token:?} escapes the unreserved character {:?}",
                    char::from(byte)
                ));
            }
            out.push(byte);
            k += 3;
        } else if unreserved(b) {
            out.push(b);
            k += 1;
        } else {
            return Err(format!(
                "{token:?} holds the raw character {:?}",
                char::from(b)
            ));
        }
    }
    String::from_utf8(out).map_err(|_| format!("{token:?} is not valid UTF-8"))
}

/// A valid array or output name: ASCII letters, digits and `_`.
fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Parses the text after `rtol `: `<name> <value>`, a finite value > 0 spelled
/// with digits, `.`, `e` and a sign only after `e`.
fn parse_rtol(rest: &str) -> Result<(String, f64), String> {
    let parts: Vec<&str> = rest.split(' ').collect();
    let [name, token] = parts[..] else {
        return Err(format!(
            "expected 'rtol <output> <value>', got 'rtol {rest}'"
        ));
    };
    if !valid_name(name) {
        return Err(format!("bad rtol output name {name:?}"));
    }
    let spelled = !token.is_empty()
        && token.as_bytes()[0].is_ascii_digit()
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'-' | b'+'));
    let value = token
        .parse::<f64>()
        .ok()
        .filter(|v| spelled && v.is_finite() && *v > 0.0)
        .ok_or_else(|| format!("rtol value must be a finite decimal > 0, got {token:?}"))?;
    Ok((name.to_string(), value))
}

/// Writes one array line, `in|out <name> <dtype> <ndim> <dims…> : <values…>`,
/// exactly as parity/golden_format.py does (an empty array ends in ` :`).
pub fn format_field_line(direction: Direction, field: &Field) -> String {
    let mut parts: Vec<String> = vec![
        match direction {
            Direction::In => "in",
            Direction::Out => "out",
        }
        .to_string(),
        field.name.clone(),
        field.values.dtype().name().to_string(),
        field.shape.len().to_string(),
    ];
    parts.extend(field.shape.iter().map(|d| d.to_string()));
    parts.push(":".to_string());
    match &field.values {
        Values::U64(v) => parts.extend(v.iter().map(|x| x.to_string())),
        Values::I64(v) => parts.extend(v.iter().map(|x| x.to_string())),
        Values::U8(v) => parts.extend(v.iter().map(|x| x.to_string())),
        Values::F64(v) => parts.extend(v.iter().map(|x| format!("{:016x}", x.to_bits()))),
        Values::Str(v) => parts.extend(v.iter().map(|x| encode_str(x))),
    }
    parts.join(" ")
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
        DType::Str => Values::Str(
            tokens
                .iter()
                .enumerate()
                .map(|(k, t)| decode_str(t).map_err(|e| format!("value {k} is not a str: {e}")))
                .collect::<Result<_, _>>()?,
        ),
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
    if !valid_name(name) {
        return Err(format!("bad array name {name:?}"));
    }
    let dtype = DType::from_name(tokens[2]).ok_or_else(|| {
        format!(
            "unknown dtype {:?} (expected u64, i64, u8, f64 or str)",
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
    let mut rtol: Vec<(String, f64)> = Vec::new();
    let mut cases: Vec<Case> = Vec::new();
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
            "rtol" => {
                if open.is_some() || !cases.is_empty() {
                    return Err(err("'rtol' lines come before the first case".to_string()));
                }
                let (name, value) = parse_rtol(rest).map_err(err)?;
                if rtol.iter().any(|(n, _)| *n == name) {
                    return Err(err(format!("rtol of {name:?} given twice")));
                }
                rtol.push((name, value));
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
    // Every rtol names an output that is f64 wherever a case lists it, and
    // some case does.
    for (name, _) in &rtol {
        let dtypes: Vec<DType> = cases
            .iter()
            .flat_map(|c| c.outputs.iter())
            .filter(|f| f.name == *name)
            .map(|f| f.values.dtype())
            .collect();
        if dtypes.is_empty() || dtypes.iter().any(|&d| d != DType::F64) {
            return Err(ParseError {
                line: 0,
                message: format!(
                    "rtol names output {name:?}, which must be an f64 output of at least one case"
                ),
            });
        }
    }
    Ok(GoldenFile {
        kernel,
        rtol,
        cases,
    })
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

    /// The same text as tests/test_golden_format_ext.py's TEXT.
    const EXT: &str = "# header\nkernel demo\nrtol gain 1e-12\nrtol phase 0.5\ncase 1\n\
comment strings and tolerances\nresult valid\nin op str 0 : s:fi_curve\n\
in names str 1 3 : s:V s: s:a%20b\nout gain f64 1 2 : 3ff0000000000000 0000000000000000\n\
out phase f64 0 : 3ff0000000000000\nout label str 0 : s:ok\nend\ncase 2\ncomment\n\
result invalid\nin op str 0 : s:fi_curve\nin names str 1 1 : s:%21\nend\n";

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
        let cases: [(&str, &str, &str); 22] = [
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
        for (from, to, want) in cases {
            assert!(EXT.contains(from), "{from:?}");
            let e = parse_golden(&EXT.replacen(from, to, 1)).expect_err(to);
            assert!(e.message.contains(want), "{from:?} -> {to:?}: {e}");
        }
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
}
