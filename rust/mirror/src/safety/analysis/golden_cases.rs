//! Test kit: reads a golden case of `analysis.txt` into the mirror's
//! arguments, as `parity/safety_cases/_analysis_adapter.py` reads it into the
//! Python surface's (a 0-D input is a Python scalar, so an int is accepted
//! where a float is expected; `params__<name>` and the other prefixed inputs
//! are entries of one mapping; a `model` names the simulator).

use crate::array::NdArray;
use crate::error::{MirrorError, Result};
use crate::fields;
use crate::golden::{Field, Values};

use super::golden_outputs as out;
use super::runs::{Config, Value};

/// Prefixed inputs: entries of one mapping argument.
pub const PREFIXES: [&str; 5] = ["params__", "init__", "held__", "ranges__", "names__"];

/// The ops that run a model, with the op's own argument names.
#[rustfmt::skip] // one op per row
pub const MODEL_OPS: &[(&str, &[&str])] = &[
    ("simulate", &[]),
    ("fi_curve_sweep", &["i_min", "i_max", "i_steps"]),
    ("bifurcation_sweep", &["param_name", "param_min", "param_max", "n_values", "variable"]),
    ("sensitivity_analysis", &["param_names", "perturbation"]),
    ("heatmap_2d", &[
        "param_x", "x_min", "x_max", "x_steps", "param_y", "y_min", "y_max", "y_steps"
    ]),
    ("frequency_response", &["freq_min", "freq_max", "n_freqs", "bias", "depth"]),
];

/// The ops on plain values, with their argument names (a name ending in `__` is a prefix).
#[rustfmt::skip] // one op per row
pub const DIRECT_OPS: &[(&str, &[&str])] = &[
    ("constants", &[]),
    ("drive_samples", &["protocol", "current", "n_steps", "dt", "frequency_hz", "bias"]),
    ("attractor_sample", &["trace"]),
    ("spike_triggered_average", &["time", "voltage", "spikes", "dt", "window_ms"]),
    ("half_window", &["window_ms", "dt"]),
    ("rate_modulation", &["spikes", "dt", "n_steps", "freq_hz"]),
    ("linspace", &["lo", "hi", "n"]),
    ("logspace", &["lo", "hi", "n"]),
    ("round_decimals", &["values", "digits"]),
    ("whole_steps", &["duration", "dt"]),
    ("evaluate", &["expression", "names__"]),
    ("simulate_equations", &[
        "equations", "threshold", "reset", "params__", "init__", "dt", "duration", "current",
        "protocol", "frequency_hz", "bias", "max_steps"
    ]),
    ("nullclines_2d", &[
        "equations", "params__", "var_names", "ranges__", "grid_size", "current", "held__"
    ]),
    ("precision_compare", &[
        "equations", "threshold", "reset", "params__", "init__", "dt", "duration", "current",
        "protocol", "frequency_hz", "q_format", "overflow", "rounding", "max_steps"
    ]),
    ("resolve_word_format", &["q_format"]),
];

fn scalar(f: &Field) -> Result<()> {
    if f.shape.is_empty() {
        Ok(())
    } else {
        Err(MirrorError::value(
            &f.name,
            format!("{} must be a scalar", f.name),
        ))
    }
}

/// The value of one input as a Python scalar (`Other` for an array).
pub fn value_of(f: &Field) -> Value {
    if !f.shape.is_empty() {
        return Value::Other;
    }
    match &f.values {
        Values::F64(v) => Value::Float(v[0]),
        Values::I64(v) => Value::Int(v[0]),
        Values::U64(v) => i64::try_from(v[0]).map_or(Value::Other, Value::Int),
        Values::U8(v) => Value::Int(i64::from(v[0])),
        Values::Str(v) => Value::Str(v[0].clone()),
    }
}

/// The 0-D input `name` as a Python scalar.
fn scalar_in(x: &[Field], name: &str) -> Result<Value> {
    let f = fields::find(x, name)?;
    scalar(f)?;
    Ok(value_of(f))
}

/// Real input `name` (an int converts).
pub fn real_in(x: &[Field], name: &str) -> Result<f64> {
    scalar_in(x, name)?.real(name)
}

/// Real input `name`, or `default` when absent.
pub fn real_or(x: &[Field], name: &str, default: f64) -> Result<f64> {
    Ok(fields::optional(x, name, real_in)?.unwrap_or(default))
}

/// Int input `name` (a float is a type error).
pub fn int_in(x: &[Field], name: &str) -> Result<i64> {
    match scalar_in(x, name)? {
        Value::Int(i) => Ok(i),
        _ => Err(MirrorError::type_error(
            name,
            format!("{name} must be an int"),
        )),
    }
}

/// Int input `name`, or `default` when absent.
pub fn int_or(x: &[Field], name: &str, default: i64) -> Result<i64> {
    Ok(fields::optional(x, name, int_in)?.unwrap_or(default))
}

/// Str input `name`.
pub fn str_in(x: &[Field], name: &str) -> Result<String> {
    Ok(scalar_in(x, name)?.text(name)?.to_string())
}

/// Str input `name`, or `None` when absent.
pub fn str_opt(x: &[Field], name: &str) -> Result<Option<String>> {
    fields::optional(x, name, str_in)
}

/// A 1-D list of str (one str is a type error, as Python refuses it).
pub fn str_list(x: &[Field], name: &str) -> Result<Vec<String>> {
    let a = fields::str_array(x, name)?;
    if a.ndim() != 1 {
        return Err(MirrorError::type_error(
            name,
            format!("{name} must be a list of str"),
        ));
    }
    Ok(a.data().to_vec())
}

/// A real array input (ints convert).
pub fn array_in(x: &[Field], name: &str) -> Result<NdArray<f64>> {
    let f = fields::find(x, name)?;
    let data: Vec<f64> = match &f.values {
        Values::F64(v) => v.clone(),
        Values::I64(v) => v.iter().map(|&i| i as f64).collect(),
        Values::U64(v) => v.iter().map(|&i| i as f64).collect(),
        Values::U8(v) => v.iter().map(|&i| f64::from(i)).collect(),
        Values::Str(_) => {
            return Err(MirrorError::type_error(
                name,
                format!("{name} must hold real numbers"),
            ));
        }
    };
    NdArray::new(name, f.shape.clone(), data)
}

/// A 1-D finite real array input.
pub fn vector_in(x: &[Field], name: &str) -> Result<Vec<f64>> {
    let a = array_in(x, name)?;
    crate::checks::real_array(name, &a, crate::checks::Form::Ndim(1)).map(<[f64]>::to_vec)
}

/// 1-D step indices: integers, or an empty array of any dtype (as Python).
pub fn index_in(x: &[Field], name: &str) -> Result<Vec<i64>> {
    let f = fields::find(x, name)?;
    if f.shape.len() != 1 {
        return Err(MirrorError::value(name, format!("{name} must be 1-D")));
    }
    match &f.values {
        Values::I64(v) => Ok(v.clone()),
        Values::U8(v) => Ok(v.iter().map(|&i| i64::from(i)).collect()),
        _ if f.values.is_empty() => Ok(Vec::new()),
        _ => Err(MirrorError::type_error(
            name,
            format!("{name} must hold integer step indices"),
        )),
    }
}

/// The entries of the mapping `prefix` (e.g. `params.`) as Python scalars.
pub fn group(x: &[Field], prefix: &str) -> Vec<(String, Value)> {
    x.iter()
        .filter_map(|f| {
            f.name
                .strip_prefix(prefix)
                .map(|k| (k.to_string(), value_of(f)))
        })
        .collect()
}

/// The entries of the mapping `prefix` as reals (errors name `<prefix><name>`).
pub fn real_group(x: &[Field], prefix: &str) -> Result<Vec<(String, f64)>> {
    group(x, prefix)
        .into_iter()
        .map(|(k, v)| {
            let name = format!("{prefix}{k}");
            let r = v.real(&name)?;
            Ok((k, r))
        })
        .collect()
}

/// The case's `base_config`: every input not in `taken`, `params.<name>` into `params`.
pub fn config_in(x: &[Field], taken: &[&str]) -> Result<Config> {
    let mut cfg = Config::default();
    for f in x.iter().filter(|f| !taken.contains(&f.name.as_str())) {
        if let Some(key) = f.name.strip_prefix("params__") {
            cfg.params.set(key, value_of(f));
        } else if PREFIXES.iter().any(|p| f.name.starts_with(p)) {
            return Err(MirrorError::type_error(
                &f.name,
                format!("{} is not a configuration key", f.name),
            ));
        } else {
            cfg.keys.set(&f.name, value_of(f));
        }
    }
    Ok(cfg)
}

/// Refuses an input the direct op does not take (naming it).
fn check_inputs(x: &[Field], op: &str, names: &[&str]) -> Result<()> {
    for f in x.iter().filter(|f| f.name != "op") {
        let known = names
            .iter()
            .any(|n| *n == f.name || (n.ends_with("__") && f.name.starts_with(n)));
        if !known {
            return Err(MirrorError::type_error(
                &f.name,
                format!("{op} takes no input called {}", f.name),
            ));
        }
    }
    Ok(())
}

/// One golden case through the mirror. The mirror names a mapping entry as
/// Python does (`params.tau`); the case's input is `params__tau`.
pub fn run_case(x: &[Field]) -> Result<Vec<Field>> {
    dispatch(x).map_err(|e| match e.arg.split_once('.') {
        Some((head, tail)) => MirrorError {
            arg: format!("{head}__{tail}"),
            ..e
        },
        None => e,
    })
}

fn dispatch(x: &[Field]) -> Result<Vec<Field>> {
    let op = fields::op(x)?;
    if let Some((_, names)) = MODEL_OPS.iter().find(|(n, _)| *n == op) {
        return out::model_case(&op, names, x);
    }
    let (_, names) = DIRECT_OPS
        .iter()
        .find(|(n, _)| *n == op)
        .ok_or_else(|| MirrorError::value("op", format!("unknown op {op:?}")))?;
    check_inputs(x, &op, names)?;
    out::direct_case(&op, x)
}
