//! Reader of the golden-vector files `parity/golden/<name>.txt`
//! (parity/FORMAT.md, format v1), standard library only, and the writer of
//! single array lines (for harness answers and round-trip checks).
//!
//! Besides the kernel files it reads the safety-mirror files, which may use
//! the `str` dtype (`s:` + percent-encoded UTF-8 per value) and declare
//! per-output tolerances with `rtol <output> <value>` lines after `kernel`.
//! Every invalid case carries one `flags` line saying why it is invalid
//! ([`Case::flags`]); the reader checks the spelling of each flag, not the
//! vocabulary.
//!
//! The reader is strict: anything FORMAT.md does not allow (an unknown
//! keyword, a bad dtype, a value count that does not match the shape, a value
//! that is not in its dtype's exact spelling, a case left open …) is a
//! [`ParseError`] with its line number, never a silently dropped line.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

mod tokens;

pub use tokens::{
    MAX_ELEMENTS, MAX_NDIM, decode_str, encode_str, parse_signed, parse_unsigned, python_float_repr,
};
use tokens::{parse_bounded, parse_f64_bits, parse_rtol_value, valid_flag, valid_name};

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
    /// Why an invalid case is invalid: its `flags` line, in file order (at
    /// least one flag); empty for a valid case.
    pub flags: Vec<String>,
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

/// Parses the text after `rtol `: `<name> <value>`, a finite value > 0
/// spelt as Python's `repr` of it.
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
    let value = parse_rtol_value(token).ok_or_else(|| {
        format!("rtol value must be a finite decimal > 0 written as Python's repr, got {token:?}")
    })?;
    Ok((name.to_string(), value))
}

/// Parses the text after `flags `: one or more flags separated by single
/// spaces, each spelt `[A-Z][A-Za-z0-9]*`, none repeated.
fn parse_flags(rest: &str) -> Result<Vec<String>, String> {
    let flags: Vec<&str> = rest.split(' ').collect();
    if flags.iter().any(|f| f.is_empty()) {
        return Err(format!(
            "expected 'flags <Flag> ...' with single spaces, got 'flags {rest}'"
        ));
    }
    if let Some(bad) = flags.iter().find(|f| !valid_flag(f)) {
        return Err(format!(
            "a flag is an ASCII capital then letters and digits, got {bad:?}"
        ));
    }
    let unique: HashSet<&str> = flags.iter().copied().collect();
    if unique.len() != flags.len() {
        return Err(format!("a flag is named twice in {rest:?}"));
    }
    Ok(flags.into_iter().map(str::to_string).collect())
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

/// Parses one array line, `in|out <name> <dtype> <ndim> <dims…> : <values…>`:
/// tokens separated by single spaces, `ndim` at most [`MAX_NDIM`], every
/// dimension and their product at most [`MAX_ELEMENTS`] (checked before any
/// value is stored), every value in its dtype's one spelling.
pub fn parse_field_line(line: &str) -> Result<(Direction, Field), String> {
    if !line.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        return Err("an array line holds only printable ASCII characters".to_string());
    }
    let tokens: Vec<&str> = line.split(' ').collect();
    let direction = match tokens.first() {
        Some(&"in") => Direction::In,
        Some(&"out") => Direction::Out,
        _ => return Err("an array line must start with 'in' or 'out'".to_string()),
    };
    if tokens.len() < 5 {
        return Err("an array line needs '<name> <dtype> <ndim> … :'".to_string());
    }
    if tokens.iter().any(|t| t.is_empty()) {
        return Err(
            "the tokens of an array line are separated by single spaces, with none before or after"
                .to_string(),
        );
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
    let ndim =
        parse_bounded(tokens[3], MAX_NDIM).ok_or_else(|| format!("bad ndim {:?}", tokens[3]))?;
    let colon = 4 + ndim;
    if tokens.len() <= colon || tokens[colon] != ":" {
        return Err(format!("expected {ndim} dimensions followed by ':'"));
    }
    let mut shape = Vec::with_capacity(ndim);
    let mut count: usize = 1;
    for t in &tokens[4..colon] {
        let d = parse_bounded(t, MAX_ELEMENTS).ok_or_else(|| format!("bad dimension {t:?}"))?;
        count = count.saturating_mul(d);
        if count > MAX_ELEMENTS {
            return Err(format!(
                "the shape has more than the format's limit of {MAX_ELEMENTS} elements"
            ));
        }
        shape.push(d);
    }
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
    flags: Option<Vec<String>>,
    inputs: Vec<Field>,
    outputs: Vec<Field>,
}

/// Parses the text of a golden file (see [`parse_golden_bytes`]).
pub fn parse_golden(text: &str) -> Result<GoldenFile, ParseError> {
    parse_golden_bytes(text.as_bytes())
}

/// Parses the bytes of a golden file. Strict (parity/FORMAT.md,
/// "Strictness and limits"): every line is printable ASCII, in its one
/// spelling; the error names the line it is about (0: the whole file).
pub fn parse_golden_bytes(data: &[u8]) -> Result<GoldenFile, ParseError> {
    let mut kernel: Option<String> = None;
    let mut rtol: Vec<(String, f64, usize)> = Vec::new();
    let mut cases: Vec<Case> = Vec::new();
    let mut ids = HashSet::new();
    let mut open: Option<Open> = None;
    for (idx, bytes) in data.split(|&b| b == b'\n').enumerate() {
        let lineno = idx + 1;
        let err = |message: String| ParseError {
            line: lineno,
            message,
        };
        if !bytes.iter().all(|b| (0x20..=0x7e).contains(b)) {
            return Err(err(
                "golden files hold printable ASCII only (no tab, carriage return, control or non-ASCII byte)"
                    .to_string(),
            ));
        }
        let raw = std::str::from_utf8(bytes).map_err(|e| err(e.to_string()))?;
        if raw.trim_matches(' ').is_empty() || raw.starts_with('#') {
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
                if !valid_name(rest) {
                    return Err(err(format!("bad kernel name {rest:?}")));
                }
                kernel = Some(rest.to_string());
            }
            "rtol" => {
                if open.is_some() || !cases.is_empty() {
                    return Err(err("'rtol' lines come before the first case".to_string()));
                }
                let (name, value) = parse_rtol(rest).map_err(err)?;
                if rtol.iter().any(|(n, _, _)| *n == name) {
                    return Err(err(format!("rtol of {name:?} given twice")));
                }
                rtol.push((name, value, lineno));
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
                    flags: None,
                    inputs: Vec::new(),
                    outputs: Vec::new(),
                });
            }
            "comment" | "result" | "flags" | "in" | "out" | "end" => {
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
                    "flags" => {
                        if o.expected.is_none() || o.flags.is_some() || !o.inputs.is_empty() {
                            return Err(err(
                                "'flags' comes once, after 'result' and before the arrays"
                                    .to_string(),
                            ));
                        }
                        if o.expected == Some(Expected::Valid) {
                            return Err(err(format!("valid case {} has no 'flags' line", o.id)));
                        }
                        o.flags = Some(parse_flags(rest).map_err(err)?);
                    }
                    "in" | "out" => {
                        let Some(expected) = o.expected else {
                            return Err(err("array line before 'result'".to_string()));
                        };
                        if expected == Expected::Invalid && o.flags.is_none() {
                            return Err(err(
                                "array line before the invalid case's 'flags' line".to_string()
                            ));
                        }
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
                        if raw != "end" {
                            return Err(err(format!(
                                "the line closing a case is exactly 'end', got {raw:?}"
                            )));
                        }
                        let Some(expected) = o.expected else {
                            return Err(err(format!("case {} has no 'result' line", o.id)));
                        };
                        if expected == Expected::Valid && o.outputs.is_empty() {
                            return Err(err(format!("valid case {} lists no outputs", o.id)));
                        }
                        if expected == Expected::Invalid && o.flags.is_none() {
                            return Err(err(format!("invalid case {} has no 'flags' line", o.id)));
                        }
                        cases.push(Case {
                            id: o.id,
                            comment: o.comment.take().unwrap_or_default(),
                            expected,
                            flags: o.flags.take().unwrap_or_default(),
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
            line: o.line,
            message: format!("case {} is not closed by 'end'", o.id),
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
    for (name, _, line) in &rtol {
        let dtypes: Vec<DType> = cases
            .iter()
            .flat_map(|c| c.outputs.iter())
            .filter(|f| f.name == *name)
            .map(|f| f.values.dtype())
            .collect();
        if dtypes.is_empty() || dtypes.iter().any(|&d| d != DType::F64) {
            return Err(ParseError {
                line: *line,
                message: format!(
                    "rtol names output {name:?}, which must be an f64 output of at least one case"
                ),
            });
        }
    }
    Ok(GoldenFile {
        kernel,
        rtol: rtol.into_iter().map(|(n, v, _)| (n, v)).collect(),
        cases,
    })
}

/// Reads and parses the golden file at `path`.
pub fn read_golden(path: &Path) -> Result<GoldenFile, ParseError> {
    let data = std::fs::read(path).map_err(|e| ParseError {
        line: 0,
        message: format!("cannot read {}: {e}", path.display()),
    })?;
    parse_golden_bytes(&data).map_err(|e| ParseError {
        line: e.line,
        message: format!("{}: {}", path.display(), e.message),
    })
}

#[cfg(test)]
mod conformance;
#[cfg(test)]
mod tests;
