//! Argument checks shared by the kernel and safety mirrors: the Rust side of
//! `sc_neurocore.accel._validation` (`check_real`, `check_int`, `check_text`,
//! `as_real_array`), so that each rule and its message exist once.
//!
//! Every check returns a [`MirrorError`] of kind `Value` naming the argument;
//! the types themselves are already fixed by the Rust signatures.

use crate::array::{NdArray, format_shape};
use crate::error::{MirrorError, Result};

/// The range a real argument must lie in (every bound inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bounds {
    /// Smallest allowed value.
    pub min: Option<f64>,
    /// Largest allowed value.
    pub max: Option<f64>,
    /// Whether the value must also be `> 0`.
    pub positive: bool,
}

impl Bounds {
    /// Any finite value.
    pub const ANY: Bounds = Bounds {
        min: None,
        max: None,
        positive: false,
    };

    /// A finite value `> 0`.
    pub const POSITIVE: Bounds = Bounds {
        min: None,
        max: None,
        positive: true,
    };

    /// A finite value `>= min`.
    pub const fn at_least(min: f64) -> Bounds {
        Bounds {
            min: Some(min),
            max: None,
            positive: false,
        }
    }

    /// A finite value in `[min, max]`.
    pub const fn within(min: f64, max: f64) -> Bounds {
        Bounds {
            min: Some(min),
            max: Some(max),
            positive: false,
        }
    }

    /// These bounds with `max` as the largest allowed value.
    pub const fn at_most(self, max: f64) -> Bounds {
        Bounds {
            max: Some(max),
            ..self
        }
    }
}

/// `x` when it is finite and within `bounds` (checked in that order: finite,
/// `> 0`, `>= min`, `<= max`), else a value error naming `arg`.
pub fn check_real(arg: &str, x: f64, bounds: Bounds) -> Result<f64> {
    let refuse = |rule: String| {
        Err(MirrorError::value(
            arg,
            format!("{arg} must be {rule}, got {x:?}"),
        ))
    };
    if !x.is_finite() {
        return refuse("finite".to_string());
    }
    if bounds.positive && x <= 0.0 {
        return refuse("> 0".to_string());
    }
    if let Some(lo) = bounds.min
        && x < lo
    {
        return refuse(format!(">= {lo:?}"));
    }
    if let Some(hi) = bounds.max
        && x > hi
    {
        return refuse(format!("<= {hi:?}"));
    }
    Ok(x)
}

/// `x` as a `usize` when it is in `[minimum, below)` (no upper bound when
/// `below` is `None`), else a value error naming `arg`.
pub fn check_int(arg: &str, x: i64, minimum: i64, below: Option<i64>) -> Result<usize> {
    if x < minimum || below.is_some_and(|b| x >= b) {
        let range = match below {
            Some(b) => format!("in [{minimum}, {b})"),
            None => format!(">= {minimum}"),
        };
        return Err(MirrorError::value(
            arg,
            format!("{arg} must be an int {range}, got {x}"),
        ));
    }
    usize::try_from(x)
        .map_err(|_| MirrorError::value(arg, format!("{arg} = {x} does not fit in usize")))
}

/// `Ok` for a non-empty string, else a value error naming `arg`.
pub fn check_text(arg: &str, s: &str) -> Result<()> {
    if s.is_empty() {
        return Err(MirrorError::value(
            arg,
            format!("{arg} must be a non-empty str"),
        ));
    }
    Ok(())
}

/// The NumPy-style index tuple of flat (row-major) position `k` in `shape`:
/// `(k,)` in 1-D, `(i, j)` in 2-D, `()` for a 0-D array.
fn index_of(k: usize, shape: &[usize]) -> String {
    let mut index = vec![0usize; shape.len()];
    let mut rest = k;
    for (slot, &d) in index.iter_mut().zip(shape).rev() {
        *slot = rest % d.max(1);
        rest /= d.max(1);
    }
    format_shape(&index) // an index tuple prints like a shape
}

/// `Ok` when every value of `a` is finite, else a value error naming `arg`,
/// the first non-finite value and its index.
pub fn check_finite(arg: &str, a: &NdArray<f64>) -> Result<()> {
    match a.data().iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(k) => Err(MirrorError::value(
            arg,
            format!(
                "{arg} must be finite, got {:?} at index {}",
                a.data()[k],
                index_of(k, a.shape())
            ),
        )),
    }
}

/// `Ok` when `a` has `ndim` dimensions, else a value error naming `arg`.
pub fn check_ndim<T>(arg: &str, a: &NdArray<T>, ndim: usize) -> Result<()> {
    if a.ndim() != ndim {
        return Err(MirrorError::value(
            arg,
            format!(
                "{arg} must be {ndim}-D, got shape {}",
                format_shape(a.shape())
            ),
        ));
    }
    Ok(())
}

/// The form a real array argument must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form<'s> {
    /// Any shape.
    Any,
    /// Any shape with this many dimensions.
    Ndim(usize),
    /// Exactly this shape.
    Shape(&'s [usize]),
}

/// The data of `a` when it has the form `form` and every value is finite
/// (the shape is checked first), else a value error naming `arg`.
pub fn real_array<'a>(arg: &str, a: &'a NdArray<f64>, form: Form<'_>) -> Result<&'a [f64]> {
    match form {
        Form::Any => {}
        Form::Ndim(ndim) => check_ndim(arg, a, ndim)?,
        Form::Shape(shape) => {
            if a.shape() != shape {
                return Err(MirrorError::value(
                    arg,
                    format!(
                        "{arg} must have shape {}, got shape {}",
                        format_shape(shape),
                        format_shape(a.shape())
                    ),
                ));
            }
        }
    }
    check_finite(arg, a)?;
    Ok(a.data())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn nd(shape: &[usize], data: &[f64]) -> NdArray<f64> {
        NdArray::new("x", shape.to_vec(), data.to_vec()).unwrap()
    }

    #[test]
    fn reals_are_finite_and_within_bounds() {
        assert_eq!(check_real("x", -0.0, Bounds::within(0.0, 1.0)), Ok(-0.0));
        assert_eq!(check_real("x", 1.0, Bounds::POSITIVE.at_most(1.0)), Ok(1.0));
        for (x, b, want) in [
            (f64::NAN, Bounds::ANY, "x must be finite, got NaN"),
            (f64::NEG_INFINITY, Bounds::ANY, "x must be finite, got -inf"),
            (0.0, Bounds::POSITIVE, "x must be > 0, got 0.0"),
            (-1.0, Bounds::at_least(0.0), "x must be >= 0.0, got -1.0"),
            (2.0, Bounds::within(0.0, 1.0), "x must be <= 1.0, got 2.0"),
        ] {
            let e = check_real("x", x, b).unwrap_err();
            assert_eq!(
                (e.kind, e.arg.as_str(), e.message.as_str()),
                (ErrorKind::Value, "x", want)
            );
        }
    }

    #[test]
    fn ints_are_in_range() {
        assert_eq!(check_int("n", 0, 0, None), Ok(0));
        assert_eq!(check_int("n", 9, 1, Some(10)), Ok(9));
        let e = check_int("n", 10, 1, Some(10)).unwrap_err();
        assert_eq!(e.message, "n must be an int in [1, 10), got 10");
        let e = check_int("n", -1, 0, None).unwrap_err();
        assert_eq!(
            (e.arg.as_str(), e.message.as_str()),
            ("n", "n must be an int >= 0, got -1")
        );
    }

    #[test]
    fn text_and_arrays() {
        assert!(check_text("name", "a").is_ok());
        assert_eq!(check_text("name", "").unwrap_err().arg, "name");
        let m = nd(&[2, 2], &[0.0, 1.0, f64::INFINITY, 2.0]);
        let e = check_finite("m", &m).unwrap_err();
        assert_eq!(e.message, "m must be finite, got inf at index (1, 0)");
        let v = nd(&[3], &[0.0, f64::NAN, 1.0]);
        let e = real_array("v", &v, Form::Any).unwrap_err();
        assert_eq!(e.message, "v must be finite, got NaN at index (1,)");
        let e = real_array("v", &v, Form::Shape(&[2])).unwrap_err();
        assert_eq!(e.message, "v must have shape (2,), got shape (3,)");
        let e = real_array("m", &m, Form::Ndim(1)).unwrap_err();
        assert_eq!(e.message, "m must be 1-D, got shape (2, 2)");
        let ok = nd(&[2], &[0.5, -1.0]);
        assert_eq!(
            real_array("ok", &ok, Form::Shape(&[2])),
            Ok(&[0.5, -1.0][..])
        );
        assert!(check_finite("s", &NdArray::scalar(f64::NAN)).is_err());
    }
}
