//! Runs a golden case through the mirror's kernels, and compares outputs
//! with the golden ones as FORMAT.md prescribes.

use crate::array::{NdArray, format_shape};
use crate::encode::{encode, sc_forward};
use crate::error::{MirrorError, Result};
use crate::golden::{DType, Field, Values};
use crate::kernels::{pack, popcount_per_word, unpack, vec_and, vec_mux, vec_not, vec_xnor};
use crate::lif::{LifParams, lif_step};

/// The kernels of FORMAT.md, in its table order.
pub const KERNELS: [&str; 10] = [
    "pack",
    "unpack",
    "popcount",
    "and",
    "xnor",
    "not",
    "mux",
    "encode",
    "sc_forward",
    "lif_step",
];

/// Input names of each kernel, in FORMAT.md's order.
pub fn input_names(kernel: &str) -> Option<&'static [&'static str]> {
    Some(match kernel {
        "pack" => &["bits"],
        "unpack" => &["packed", "n_bits"],
        "popcount" | "not" => &["a"],
        "and" | "xnor" => &["a", "b"],
        "mux" => &["sel", "a", "b"],
        "encode" => &["probs", "length", "seed"],
        "sc_forward" => &["weights", "probs", "length", "seed"],
        "lif_step" => &[
            "v",
            "i_t",
            "noise",
            "v_rest",
            "v_reset",
            "v_threshold",
            "alpha",
            "resistance",
        ],
        _ => return None,
    })
}

/// The named input with dtype `dtype`: a type error if it has another dtype.
fn input<'a>(inputs: &'a [Field], name: &str, dtype: DType) -> Result<&'a Field> {
    let f = inputs
        .iter()
        .find(|f| f.name == name)
        .ok_or_else(|| MirrorError::value(name, format!("missing input {name}")))?;
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

fn u64_array(inputs: &[Field], name: &str) -> Result<NdArray<u64>> {
    let f = input(inputs, name, DType::U64)?;
    match &f.values {
        Values::U64(v) => NdArray::new(name, f.shape.clone(), v.clone()),
        _ => Err(MirrorError::type_error(
            name,
            format!("{name} must have dtype u64"),
        )),
    }
}

fn u8_array(inputs: &[Field], name: &str) -> Result<NdArray<u8>> {
    let f = input(inputs, name, DType::U8)?;
    match &f.values {
        Values::U8(v) => NdArray::new(name, f.shape.clone(), v.clone()),
        _ => Err(MirrorError::type_error(
            name,
            format!("{name} must have dtype u8"),
        )),
    }
}

fn f64_array(inputs: &[Field], name: &str) -> Result<NdArray<f64>> {
    let f = input(inputs, name, DType::F64)?;
    match &f.values {
        Values::F64(v) => NdArray::new(name, f.shape.clone(), v.clone()),
        _ => Err(MirrorError::type_error(
            name,
            format!("{name} must have dtype f64"),
        )),
    }
}

fn scalar_check(f: &Field, name: &str) -> Result<()> {
    if !f.shape.is_empty() {
        return Err(MirrorError::value(
            name,
            format!(
                "{name} must be a 0-D scalar, got shape {}",
                format_shape(&f.shape)
            ),
        ));
    }
    Ok(())
}

fn i64_scalar(inputs: &[Field], name: &str) -> Result<i64> {
    let f = input(inputs, name, DType::I64)?;
    scalar_check(f, name)?;
    match &f.values {
        Values::I64(v) if v.len() == 1 => Ok(v[0]),
        _ => Err(MirrorError::type_error(
            name,
            format!("{name} must be one i64"),
        )),
    }
}

fn f64_scalar(inputs: &[Field], name: &str) -> Result<f64> {
    let f = input(inputs, name, DType::F64)?;
    scalar_check(f, name)?;
    match &f.values {
        Values::F64(v) if v.len() == 1 => Ok(v[0]),
        _ => Err(MirrorError::type_error(
            name,
            format!("{name} must be one f64"),
        )),
    }
}

fn u64_field(name: &str, a: NdArray<u64>) -> Field {
    let (shape, data) = a.into_parts();
    Field {
        name: name.to_string(),
        shape,
        values: Values::U64(data),
    }
}

fn u8_field(name: &str, a: NdArray<u8>) -> Field {
    let (shape, data) = a.into_parts();
    Field {
        name: name.to_string(),
        shape,
        values: Values::U8(data),
    }
}

fn f64_field(name: &str, a: NdArray<f64>) -> Field {
    let (shape, data) = a.into_parts();
    Field {
        name: name.to_string(),
        shape,
        values: Values::F64(data),
    }
}

/// Runs `kernel` on a case's inputs and returns its outputs in FORMAT.md's
/// order, or the error naming the refused argument. Inputs the kernel does
/// not take are refused too, and so is an unknown kernel.
pub fn run_kernel(kernel: &str, inputs: &[Field]) -> Result<Vec<Field>> {
    let names = input_names(kernel)
        .ok_or_else(|| MirrorError::value("kernel", format!("unknown kernel {kernel:?}")))?;
    for f in inputs {
        if !names.contains(&f.name.as_str()) {
            return Err(MirrorError::value(
                &f.name,
                format!("{kernel} takes no input called {}", f.name),
            ));
        }
    }
    Ok(match kernel {
        "pack" => vec![u64_field("packed", pack(&u8_array(inputs, "bits")?)?)],
        "unpack" => {
            let packed = u64_array(inputs, "packed")?;
            let n_bits = i64_scalar(inputs, "n_bits")?;
            vec![u8_field("bits", unpack(&packed, n_bits)?)]
        }
        "popcount" => vec![u64_field(
            "counts",
            popcount_per_word(&u64_array(inputs, "a")?)?,
        )],
        "and" | "xnor" => {
            let a = u64_array(inputs, "a")?;
            let b = u64_array(inputs, "b")?;
            let out = if kernel == "and" {
                vec_and(&a, &b)?
            } else {
                vec_xnor(&a, &b)?
            };
            vec![u64_field("out", out)]
        }
        "not" => vec![u64_field("out", vec_not(&u64_array(inputs, "a")?)?)],
        "mux" => {
            let sel = u64_array(inputs, "sel")?;
            let a = u64_array(inputs, "a")?;
            let b = u64_array(inputs, "b")?;
            vec![u64_field("out", vec_mux(&sel, &a, &b)?)]
        }
        "encode" => {
            let probs = f64_array(inputs, "probs")?;
            let length = i64_scalar(inputs, "length")?;
            let seed = i64_scalar(inputs, "seed")?;
            vec![u64_field("packed", encode(&probs, length, seed)?)]
        }
        "sc_forward" => {
            let weights = u64_array(inputs, "weights")?;
            let probs = f64_array(inputs, "probs")?;
            let length = i64_scalar(inputs, "length")?;
            let seed = i64_scalar(inputs, "seed")?;
            vec![f64_field(
                "out",
                sc_forward(&weights, &probs, length, seed)?,
            )]
        }
        _ => {
            // lif_step (the only name left in `input_names`).
            let v = f64_array(inputs, "v")?;
            let i_t = f64_array(inputs, "i_t")?;
            let noise = f64_array(inputs, "noise")?;
            let p = LifParams {
                v_rest: f64_scalar(inputs, "v_rest")?,
                v_reset: f64_scalar(inputs, "v_reset")?,
                v_threshold: f64_scalar(inputs, "v_threshold")?,
                alpha: f64_scalar(inputs, "alpha")?,
                resistance: f64_scalar(inputs, "resistance")?,
            };
            let (v_new, spikes) = lif_step(&v, &i_t, &noise, &p)?;
            vec![f64_field("v", v_new), u8_field("spike", spikes)]
        }
    })
}

/// Relative tolerance of `lif_step`'s `v` (FORMAT.md).
pub const LIF_V_TOLERANCE: f64 = 1e-12;

/// Whether element `k` of `got` matches `want`, FORMAT.md style: bit for bit
/// (f64 by bit pattern), except `lif_step`'s `v` within the tolerance.
fn element_matches(got: &Values, want: &Values, k: usize, loose: bool) -> bool {
    match (got, want) {
        (Values::U64(g), Values::U64(w)) => g[k] == w[k],
        (Values::I64(g), Values::I64(w)) => g[k] == w[k],
        (Values::U8(g), Values::U8(w)) => g[k] == w[k],
        (Values::F64(g), Values::F64(w)) => {
            let (g, w) = (g[k], w[k]);
            g.to_bits() == w.to_bits()
                || (loose && (g - w).abs() <= LIF_V_TOLERANCE * w.abs().max(1.0))
        }
        _ => false,
    }
}

fn element_text(v: &Values, k: usize) -> String {
    match v {
        Values::U64(x) => x[k].to_string(),
        Values::I64(x) => x[k].to_string(),
        Values::U8(x) => x[k].to_string(),
        Values::F64(x) => format!("{:?} ({:016x})", x[k], x[k].to_bits()),
    }
}

/// Compares a kernel's outputs with the golden ones: same names in the same
/// order, same dtypes and shapes, and equal values. The error describes the
/// first difference.
pub fn compare_outputs(
    kernel: &str,
    got: &[Field],
    want: &[Field],
) -> std::result::Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{} outputs, expected {}", got.len(), want.len()));
    }
    for (g, w) in got.iter().zip(want) {
        if g.name != w.name {
            return Err(format!("output {:?}, expected {:?}", g.name, w.name));
        }
        if g.values.dtype() != w.values.dtype() {
            return Err(format!(
                "{}: dtype {}, expected {}",
                w.name,
                g.values.dtype().name(),
                w.values.dtype().name()
            ));
        }
        if g.shape != w.shape || g.values.len() != w.values.len() {
            return Err(format!(
                "{}: shape {}, expected {}",
                w.name,
                format_shape(&g.shape),
                format_shape(&w.shape)
            ));
        }
        let loose = kernel == "lif_step" && w.name == "v";
        if let Some(k) =
            (0..w.values.len()).find(|&k| !element_matches(&g.values, &w.values, k, loose))
        {
            return Err(format!(
                "{}[{k}] = {}, expected {}",
                w.name,
                element_text(&g.values, k),
                element_text(&w.values, k)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f64s(name: &str, v: Vec<f64>) -> Field {
        Field {
            name: name.to_string(),
            shape: vec![v.len()],
            values: Values::F64(v),
        }
    }

    #[test]
    fn comparison_is_exact_except_lif_v() {
        let want = [f64s("v", vec![1.0, 0.0])];
        let near = [f64s("v", vec![1.0 + 4.0 * f64::EPSILON, 1e-13])];
        let far = [f64s("v", vec![1.0, 2e-12])];
        assert!(compare_outputs("lif_step", &near, &want).is_ok());
        assert!(compare_outputs("lif_step", &far, &want).is_err());
        let want = [f64s("out", vec![1.0, 0.0])];
        assert!(compare_outputs("sc_forward", &[f64s("out", vec![1.0, 0.0])], &want).is_ok());
        assert!(compare_outputs("sc_forward", &near, &want).is_err());
        let nearly = [f64s("out", vec![1.0 + f64::EPSILON, 0.0])];
        assert!(compare_outputs("sc_forward", &nearly, &want).is_err());
        // -0.0 differs from 0.0 by bit pattern.
        let neg = [f64s("out", vec![1.0, -0.0])];
        assert!(compare_outputs("sc_forward", &neg, &want).is_err());
        let shaped = [Field {
            name: "out".to_string(),
            shape: vec![1, 2],
            values: Values::F64(vec![1.0, 0.0]),
        }];
        assert!(compare_outputs("sc_forward", &shaped, &want).is_err());
        let typed = [Field {
            name: "out".to_string(),
            shape: vec![2],
            values: Values::U64(vec![1, 0]),
        }];
        assert!(compare_outputs("sc_forward", &typed, &want).is_err());
    }

    #[test]
    fn dispatch_checks_dtypes_and_names() {
        let a = Field {
            name: "a".to_string(),
            shape: vec![1],
            values: Values::I64(vec![1]),
        };
        let e = run_kernel("not", std::slice::from_ref(&a)).unwrap_err();
        assert_eq!((e.arg.as_str(), e.kind), ("a", crate::ErrorKind::Type));
        assert_eq!(run_kernel("nope", &[]).unwrap_err().arg, "kernel");
        let extra = Field {
            name: "zz".to_string(),
            shape: vec![],
            values: Values::U64(vec![1]),
        };
        assert_eq!(run_kernel("popcount", &[extra]).unwrap_err().arg, "zz");
        assert_eq!(run_kernel("popcount", &[]).unwrap_err().arg, "a");
    }
}
