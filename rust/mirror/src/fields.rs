//! Typed access to a golden case's named arrays, and output constructors.
//!
//! A mirror function takes plain Rust values; these helpers turn a case's
//! `in` fields into them, refusing (with a [`MirrorError`] naming the field) a
//! missing field, a wrong dtype or a non-scalar where a scalar is expected,
//! and turn results back into `out` fields. Shared by the kernel dispatcher
//! and every safety mirror's golden test.

use crate::array::{NdArray, format_shape};
use crate::error::{MirrorError, Result};
use crate::golden::{DType, Field, Values};

/// The input called `name`; a value error naming it when the case lacks it.
pub fn find<'a>(inputs: &'a [Field], name: &str) -> Result<&'a Field> {
    inputs
        .iter()
        .find(|f| f.name == name)
        .ok_or_else(|| MirrorError::value(name, format!("missing input {name}")))
}

/// Whether the case has an input called `name`.
pub fn has(inputs: &[Field], name: &str) -> bool {
    inputs.iter().any(|f| f.name == name)
}

/// Input `name` as `read` gives it, or `None` when the case has no such input.
pub fn optional<T>(
    inputs: &[Field],
    name: &str,
    read: fn(&[Field], &str) -> Result<T>,
) -> Result<Option<T>> {
    if has(inputs, name) {
        read(inputs, name).map(Some)
    } else {
        Ok(None)
    }
}

/// Refuses any input whose name is not in `allowed` (naming it).
pub fn check_names(inputs: &[Field], allowed: &[&str], what: &str) -> Result<()> {
    match inputs.iter().find(|f| !allowed.contains(&f.name.as_str())) {
        None => Ok(()),
        Some(f) => Err(MirrorError::value(
            &f.name,
            format!("{what} takes no input called {}", f.name),
        )),
    }
}

/// The input `name`, checked to have dtype `dtype` (a type error otherwise).
pub fn typed<'a>(inputs: &'a [Field], name: &str, dtype: DType) -> Result<&'a Field> {
    let f = find(inputs, name)?;
    if f.values.dtype() != dtype {
        return Err(MirrorError::type_error(
            name,
            format!(
                "{name} must have dtype {}, got {}",
                dtype.name(),
                f.values.dtype().name()
            ),
        ));
    }
    Ok(f)
}

fn scalar_check(f: &Field) -> Result<()> {
    if !f.shape.is_empty() {
        return Err(MirrorError::value(
            &f.name,
            format!(
                "{} must be a 0-D scalar, got shape {}",
                f.name,
                format_shape(&f.shape)
            ),
        ));
    }
    Ok(())
}

macro_rules! accessors {
    ($array:ident, $scalar:ident, $variant:ident, $dtype:ident, $t:ty, $doc:literal) => {
        #[doc = concat!("Input `name` as an `NdArray<", $doc, ">` (dtype `", stringify!($dtype), "`).")]
        pub fn $array(inputs: &[Field], name: &str) -> Result<NdArray<$t>> {
            let f = typed(inputs, name, DType::$dtype)?;
            match &f.values {
                Values::$variant(v) => NdArray::new(name, f.shape.clone(), v.clone()),
                _ => Err(MirrorError::type_error(name, format!("{name} has the wrong dtype"))),
            }
        }

        #[doc = concat!("Input `name` as one `", $doc, "` (a 0-D `", stringify!($dtype), "` array).")]
        pub fn $scalar(inputs: &[Field], name: &str) -> Result<$t> {
            let f = typed(inputs, name, DType::$dtype)?;
            scalar_check(f)?;
            match &f.values {
                Values::$variant(v) if v.len() == 1 => Ok(v[0].clone()),
                _ => Err(MirrorError::type_error(name, format!("{name} must be one value"))),
            }
        }
    };
}

accessors!(u64_array, u64_scalar, U64, U64, u64, "u64");
accessors!(i64_array, i64_scalar, I64, I64, i64, "i64");
accessors!(u8_array, u8_scalar, U8, U8, u8, "u8");
accessors!(f64_array, f64_scalar, F64, F64, f64, "f64");
accessors!(str_array, str_scalar, Str, Str, String, "String");

/// The case's `op` (its first input by convention): the name of the function
/// under test, a 0-D `str`.
pub fn op(inputs: &[Field]) -> Result<String> {
    str_scalar(inputs, "op")
}

/// An output field from a shape and values.
fn field(name: &str, shape: Vec<usize>, values: Values) -> Field {
    Field {
        name: name.to_string(),
        shape,
        values,
    }
}

macro_rules! outputs {
    ($from:ident, $vec:ident, $scalar:ident, $variant:ident, $t:ty, $what:literal) => {
        #[doc = concat!("A `", $what, "` output from an array.")]
        pub fn $from(name: &str, a: NdArray<$t>) -> Field {
            let (shape, data) = a.into_parts();
            field(name, shape, Values::$variant(data))
        }

        #[doc = concat!("A 1-D `", $what, "` output.")]
        pub fn $vec(name: &str, v: Vec<$t>) -> Field {
            field(name, vec![v.len()], Values::$variant(v))
        }

        #[doc = concat!("A 0-D `", $what, "` output.")]
        pub fn $scalar(name: &str, v: $t) -> Field {
            field(name, Vec::new(), Values::$variant(vec![v]))
        }
    };
}

impl Field {
    outputs!(from_u64, u64s, u64_scalar, U64, u64, "u64");
    outputs!(from_i64, i64s, i64_scalar, I64, i64, "i64");
    outputs!(from_u8, u8s, u8_scalar, U8, u8, "u8");
    outputs!(from_f64, f64s, f64_scalar, F64, f64, "f64");

    /// A `str` output from an array.
    pub fn from_str_array(name: &str, a: NdArray<String>) -> Field {
        let (shape, data) = a.into_parts();
        field(name, shape, Values::Str(data))
    }

    /// A 1-D `str` output.
    pub fn strs(name: &str, v: Vec<String>) -> Field {
        field(name, vec![v.len()], Values::Str(v))
    }

    /// A 0-D `str` output.
    pub fn str_scalar(name: &str, v: &str) -> Field {
        field(name, Vec::new(), Values::Str(vec![v.to_string()]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_check_presence_dtype_and_rank() {
        let inputs = vec![
            Field::str_scalar("op", "gc_content"),
            Field::f64s("x", vec![1.0, 2.0]),
            Field::i64_scalar("n", 3),
            Field::strs("seqs", vec!["A".into(), "".into()]),
        ];
        assert_eq!(op(&inputs).unwrap(), "gc_content");
        assert_eq!(f64_array(&inputs, "x").unwrap().data(), &[1.0, 2.0]);
        assert_eq!(i64_scalar(&inputs, "n").unwrap(), 3);
        assert_eq!(str_array(&inputs, "seqs").unwrap().shape(), &[2]);
        let e = f64_scalar(&inputs, "x").unwrap_err();
        assert_eq!((e.arg.as_str(), e.kind), ("x", crate::ErrorKind::Value));
        let e = u64_scalar(&inputs, "n").unwrap_err();
        assert_eq!((e.arg.as_str(), e.kind), ("n", crate::ErrorKind::Type));
        assert_eq!(f64_scalar(&inputs, "missing").unwrap_err().arg, "missing");
        assert_eq!(op(&inputs[1..]).unwrap_err().arg, "op");
        assert!(has(&inputs, "n") && !has(&inputs, "missing"));
        assert_eq!(optional(&inputs, "n", i64_scalar).unwrap(), Some(3));
        assert_eq!(optional(&inputs, "missing", i64_scalar).unwrap(), None);
        assert_eq!(optional(&inputs, "x", i64_scalar).unwrap_err().arg, "x");
        assert!(check_names(&inputs, &["op", "x", "n", "seqs"], "f").is_ok());
        assert_eq!(
            check_names(&inputs, &["op", "x", "n"], "f")
                .unwrap_err()
                .arg,
            "seqs"
        );
    }
}
