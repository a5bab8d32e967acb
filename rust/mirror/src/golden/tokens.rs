//! The one spelling of every token of a golden file (parity/FORMAT.md,
//! "Strictness and limits"), exactly as parity/golden_format.py reads it:
//! canonical decimal integers, 16 lowercase hex digits for `f64`, `s:` tokens
//! for `str`, names, and `rtol` values in Python's `repr` spelling.

/// Most elements one array line may declare (each dimension, and their
/// product); checked before any array is allocated.
pub const MAX_ELEMENTS: usize = 1 << 24;

/// Most dimensions one array line may declare.
pub const MAX_NDIM: usize = 32;

/// Whether `s` is a canonical unsigned decimal: `0`, or digits not starting
/// with `0` (no sign, no leading zeros, no other character).
fn canonical_digits(s: &str) -> bool {
    match s.as_bytes() {
        [b'0'] => true,
        [first, rest @ ..] => (b'1'..=b'9').contains(first) && rest.iter().all(u8::is_ascii_digit),
        [] => false,
    }
}

/// A canonical unsigned decimal that fits in `u64`.
pub fn parse_unsigned(s: &str) -> Option<u64> {
    if !canonical_digits(s) {
        return None;
    }
    s.parse::<u64>().ok()
}

/// A canonical signed decimal that fits in `i64`: `0`, or an optional `-`
/// then digits not starting with `0` (so `-0` is refused).
pub fn parse_signed(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if !canonical_digits(digits) || s == "-0" {
        return None;
    }
    s.parse::<i64>().ok()
}

/// A canonical unsigned decimal of at most `limit` (an ndim or a dimension).
pub fn parse_bounded(s: &str, limit: usize) -> Option<usize> {
    parse_unsigned(s)
        .and_then(|v| usize::try_from(v).ok())
        .filter(|&v| v <= limit)
}

/// Exactly 16 lowercase hex digits, read as an IEEE-754 bit pattern.
pub fn parse_f64_bits(s: &str) -> Option<f64> {
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

/// A valid kernel, array or output name: ASCII letters, digits and `_`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Whether `flag` is spelt as an invalid-case flag: an ASCII capital, then
/// ASCII letters and digits (`[A-Z][A-Za-z0-9]*`). The vocabulary is not
/// checked here (parity/flags.py owns it).
pub fn valid_flag(flag: &str) -> bool {
    match flag.as_bytes() {
        [first, rest @ ..] => {
            first.is_ascii_uppercase() && rest.iter().all(u8::is_ascii_alphanumeric)
        }
        [] => false,
    }
}

/// Whether `s` has the shape of an `rtol` value: digits, optionally `.` and
/// digits, optionally `e`, a sign and digits.
fn decimal_spelling(s: &str) -> bool {
    fn digits(s: &str) -> usize {
        s.bytes().take_while(u8::is_ascii_digit).count()
    }
    let int = digits(s);
    if int == 0 {
        return false;
    }
    let mut rest = &s[int..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = digits(frac);
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    if let Some(exp) = rest.strip_prefix('e') {
        let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        let n = digits(exp);
        return n > 0 && n == exp.len();
    }
    rest.is_empty()
}

/// Python's `repr` of a finite `v > 0`: the shortest digits that round-trip,
/// in fixed notation when the decimal point falls within -4 < point <= 16
/// (with `.0` on integers), else as `d.ddde±XX` (at least two exponent
/// digits), e.g. `1e-12`, `0.5`, `1e-05`, `123.0`, `1e+16`.
pub fn python_float_repr(v: f64) -> String {
    // Rust's `{:e}` is the shortest round-tripping digits, as Python's repr.
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i64 = exp.parse().unwrap_or(0);
    let point = exp + 1;
    let n = digits.len() as i64;
    if -4 < point && point <= 16 {
        if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point >= n {
            format!("{digits}{}.0", "0".repeat((point - n) as usize))
        } else {
            let (head, tail) = digits.split_at(point as usize);
            format!("{head}.{tail}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{first}{dot}e{sign}{:02}", exp.unsigned_abs())
    }
}

/// An `rtol` value: finite, > 0 and spelt exactly as Python's `repr` of it.
pub fn parse_rtol_value(token: &str) -> Option<f64> {
    if !decimal_spelling(token) {
        return None;
    }
    token
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0 && python_float_repr(*v) == token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_have_one_spelling() {
        assert_eq!(parse_unsigned("0"), Some(0));
        assert_eq!(parse_unsigned("18446744073709551615"), Some(u64::MAX));
        for bad in [
            "",
            "+5",
            "-0",
            "007",
            "0x10",
            "1_0",
            "18446744073709551616",
            " 1",
            "1e3",
        ] {
            assert_eq!(parse_unsigned(bad), None, "{bad:?}");
        }
        assert_eq!(parse_signed("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_signed("-7"), Some(-7));
        for bad in ["-0", "--7", "+7", "-07", "-", "9223372036854775808"] {
            assert_eq!(parse_signed(bad), None, "{bad:?}");
        }
        assert_eq!(parse_bounded("32", MAX_NDIM), Some(32));
        assert_eq!(parse_bounded("33", MAX_NDIM), None);
    }

    #[test]
    fn rtol_values_are_python_reprs() {
        for (v, want) in [
            (1e-12, "1e-12"),
            (0.5, "0.5"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (123.0, "123.0"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.5e-7, "1.5e-07"),
            (1e100, "1e+100"),
            (5e-324, "5e-324"),
            (0.1 + 0.2, "0.30000000000000004"),
            (123456.789, "123456.789"),
        ] {
            assert_eq!(python_float_repr(v), want);
            assert_eq!(parse_rtol_value(want), Some(v), "{want}");
        }
        for bad in [
            "1.0e-12", "1E-12", "1e-5", "1e16", ".5", "1.", "0.50", "0.0", "1e999", "nan", "-1",
        ] {
            assert_eq!(parse_rtol_value(bad), None, "{bad:?}");
        }
    }
}
