//! Runs a golden case through the mirror's kernels, and compares outputs
//! with the golden ones as FORMAT.md prescribes.

use crate::compare::compare_fields;
use crate::error::{MirrorError, Result};
use crate::fields::{check_names, f64_array, f64_scalar, i64_scalar, u8_array, u64_array};
use crate::golden::{Field, MAX_ELEMENTS};
use crate::kernels::bitops::{
    pack, popcount_per_word, unpack, vec_and, vec_mux, vec_not, vec_xnor,
};
use crate::kernels::encode::{encode, sc_forward};
use crate::kernels::lif::{LifParams, lif_step};

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

/// Refuses (before anything is allocated) a case whose output, `rows`
/// times `ceil(amount / per)` elements, would be more than a golden file or
/// harness answer may hold ([`MAX_ELEMENTS`], FORMAT.md "Strictness and
/// limits"): e.g. `encode` with `length = 2**32`. A non-positive `amount` is
/// left to the kernel's own checks.
fn check_output_size(arg: &str, rows: usize, amount: i64, per: u64) -> Result<()> {
    let Ok(amount) = u64::try_from(amount) else {
        return Ok(());
    };
    let elements = u64::try_from(rows)
        .ok()
        .and_then(|r| r.checked_mul(amount.div_ceil(per)));
    match elements {
        Some(n) if n <= MAX_ELEMENTS as u64 => Ok(()),
        _ => Err(MirrorError::value(
            arg,
            format!(
                "{arg} = {amount} asks for an output of more than the format's limit of \
                 {MAX_ELEMENTS} elements"
            ),
        )),
    }
}

/// Runs `kernel` on a case's inputs and returns its outputs in FORMAT.md's
/// order, or the error naming the refused argument. Inputs the kernel does
/// not take are refused too, and so is an unknown kernel.
pub fn run_kernel(kernel: &str, inputs: &[Field]) -> Result<Vec<Field>> {
    let names = input_names(kernel)
        .ok_or_else(|| MirrorError::value("kernel", format!("unknown kernel {kernel:?}")))?;
    check_names(inputs, names, kernel)?;
    Ok(match kernel {
        "pack" => vec![Field::from_u64("packed", pack(&u8_array(inputs, "bits")?)?)],
        "unpack" => {
            let packed = u64_array(inputs, "packed")?;
            let n_bits = i64_scalar(inputs, "n_bits")?;
            let rows = if packed.ndim() == 2 {
                packed.shape()[0]
            } else {
                1
            };
            check_output_size("n_bits", rows, n_bits, 1)?;
            vec![Field::from_u8("bits", unpack(&packed, n_bits)?)]
        }
        "popcount" => vec![Field::from_u64(
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
            vec![Field::from_u64("out", out)]
        }
        "not" => vec![Field::from_u64("out", vec_not(&u64_array(inputs, "a")?)?)],
        "mux" => {
            let sel = u64_array(inputs, "sel")?;
            let a = u64_array(inputs, "a")?;
            let b = u64_array(inputs, "b")?;
            vec![Field::from_u64("out", vec_mux(&sel, &a, &b)?)]
        }
        "encode" => {
            let probs = f64_array(inputs, "probs")?;
            let length = i64_scalar(inputs, "length")?;
            let seed = i64_scalar(inputs, "seed")?;
            check_output_size("length", probs.data().len(), length, 64)?;
            vec![Field::from_u64("packed", encode(&probs, length, seed)?)]
        }
        "sc_forward" => {
            let weights = u64_array(inputs, "weights")?;
            let probs = f64_array(inputs, "probs")?;
            let length = i64_scalar(inputs, "length")?;
            let seed = i64_scalar(inputs, "seed")?;
            vec![Field::from_f64(
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
            vec![Field::from_f64("v", v_new), Field::from_u8("spike", spikes)]
        }
    })
}

/// Relative tolerance of `lif_step`'s `v` (FORMAT.md).
pub const LIF_V_TOLERANCE: f64 = 1e-12;

/// Compares a kernel's outputs with the golden ones ([`compare_fields`]):
/// bit for bit, except `lif_step`'s `v` within [`LIF_V_TOLERANCE`].
pub fn compare_outputs(
    kernel: &str,
    got: &[Field],
    want: &[Field],
) -> std::result::Result<(), String> {
    compare_fields(got, want, |name| {
        (kernel == "lif_step" && name == "v").then_some(LIF_V_TOLERANCE)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::golden::Values;

    fn f64s(name: &str, v: Vec<f64>) -> Field {
        Field::f64s(name, v)
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

    fn scalar(name: &str, v: i64) -> Field {
        Field {
            name: name.to_string(),
            shape: vec![],
            values: Values::I64(vec![v]),
        }
    }

    #[test]
    fn outputs_beyond_the_format_limit_are_refused_before_allocating() {
        // 3 streams of 2**32 bits would be 2**26 words each (1.5 GB).
        let probs = f64s("probs", vec![0.5, 0.25, 1.0]);
        let inputs = [probs.clone(), scalar("length", 1 << 32), scalar("seed", 1)];
        let e = run_kernel("encode", &inputs).unwrap_err();
        assert_eq!(e.arg, "length");
        assert!(e.message.contains("limit"), "{}", e.message);
        // At the limit it still answers: 2 streams of 2**23 words.
        let two = f64s("probs", vec![0.5, 0.25]);
        let inputs = [two, scalar("length", 64 << 23), scalar("seed", 1)];
        assert_eq!(
            run_kernel("encode", &inputs).unwrap()[0].shape,
            vec![2, 1 << 23]
        );
        let packed = Field {
            name: "packed".to_string(),
            shape: vec![2, 1],
            values: Values::U64(vec![1, 2]),
        };
        let e = run_kernel("unpack", &[packed, scalar("n_bits", 1 << 40)]).unwrap_err();
        assert_eq!(e.arg, "n_bits");
    }
}
