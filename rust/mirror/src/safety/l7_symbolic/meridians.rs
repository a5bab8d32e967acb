//! Meridian Qi, the drive from the ecological layer (L6), and the acupoints
//! (Python: `_l7/meridians.py`).

use super::arith::{clip01, mean};
use super::checks::{check_dt, check_rate, unit_values};
use crate::array::NdArray;
use crate::checks::{Bounds, Form, check_int, check_real, real_array};
use crate::error::{MirrorError, Result};

/// The named acupoints and their point ids (the reference's own ids).
pub const ACUPOINT_INDICES: [(&str, usize); 8] = [
    ("LI4_Hegu", 4),
    ("ST36_Zusanli", 36),
    ("SP6_Sanyinjiao", 60),
    ("PC6_Neiguan", 96),
    ("LV3_Taichong", 120),
    ("GV20_Baihui", 200),
    ("CV4_Guanyuan", 250),
    ("BL23_Shenshu", 300),
];

/// The L6 outputs L7 reads (other keys of the Python mapping are ignored).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct L6Input {
    /// Values in `[0, 1]` (any shape, flattened); used first.
    pub symbolic_drive: Option<NdArray<f64>>,
    /// Finite values (any shape); used when there is no symbolic drive.
    pub schumann_field: Option<NdArray<f64>>,
}

fn flat_mean(name: &str, values: &NdArray<f64>, unit: bool) -> Result<f64> {
    let v = real_array(name, values, Form::Any)?;
    if v.is_empty() {
        return Err(MirrorError::value(
            name,
            format!("{name} must contain at least one value, got 0"),
        ));
    }
    if unit {
        crate::kernels::encode::check_probs(name, v)?;
    }
    Ok(mean(v))
}

/// `(effect, key)`: the L6 effect and the key it came from (`""`: none).
pub(crate) fn l6_drive(l6: &L6Input) -> Result<(f64, &'static str)> {
    if let Some(d) = &l6.symbolic_drive {
        return Ok((flat_mean("symbolic_drive", d, true)?, "symbolic_drive"));
    }
    if let Some(s) = &l6.schumann_field {
        return Ok((
            flat_mean("schumann_field", s, false)? - 1.0,
            "schumann_field",
        ));
    }
    Ok((0.0, ""))
}

/// `mean(symbolic_drive)`, else `mean(schumann_field) - 1`, else `0`.
pub fn l6_symbolic_effect(l6_input: &L6Input) -> Result<f64> {
    Ok(l6_drive(l6_input)?.0)
}

/// `1 + ecological_coupling * effect`, an error naming `name` when it overflows.
pub(crate) fn qi_gain(effect: f64, ecological_coupling: f64, name: &str) -> Result<f64> {
    let gain = 1.0 + ecological_coupling * effect;
    if !gain.is_finite() {
        return Err(MirrorError::value(
            name,
            format!("{name}: the Qi gain 1 + ecological_coupling * effect overflows"),
        ));
    }
    Ok(gain)
}

/// One checked Qi update: ring flow, gain (`1.0`: none), clip.
pub(crate) fn flow_qi(qi: &[f64], dt: f64, coupling: f64, gain: f64) -> Vec<f64> {
    let n = qi.len();
    (0..n)
        .map(|i| {
            let q = qi[i] + ((qi[(i + n - 1) % n] - qi[i]) * coupling) * dt;
            clip01(if gain != 1.0 { q * gain } else { q })
        })
        .collect()
}

/// One step of meridian Qi: `q[i] = qi[i] + ((qi[i-1] - qi[i]) * c) * dt`,
/// times `1 + ecological_coupling * l6_effect` when `l6_effect != 0`, clipped.
pub fn update_meridian_qi(
    meridian_qi: &NdArray<f64>,
    dt: f64,
    symbol_coupling: f64,
    l6_effect: f64,
    ecological_coupling: f64,
) -> Result<Vec<f64>> {
    let qi = unit_values("meridian_qi", meridian_qi, 1)?;
    let c = check_rate("symbol_coupling", symbol_coupling)?;
    let dt = check_dt(dt, None, Some(c))?;
    let effect = check_real("l6_effect", l6_effect, Bounds::ANY)?;
    let eco = check_rate("ecological_coupling", ecological_coupling)?;
    let gain = if effect != 0.0 {
        qi_gain(effect, eco, "l6_effect")?
    } else {
        1.0
    };
    Ok(flow_qi(qi, dt, c, gain))
}

/// Checked `(point_id, intensity)` pairs: ids in `[0, n_acupoints)`, no id
/// twice (a Python mapping has unique keys), finite intensities.
pub(crate) fn check_stimulus(
    stimulus: &[(i64, f64)],
    n_acupoints: usize,
) -> Result<Vec<(usize, f64)>> {
    let mut out: Vec<(usize, f64)> = Vec::with_capacity(stimulus.len());
    for &(id, x) in stimulus {
        let point = check_int("acupoint_stimulus", id, 0, Some(n_acupoints as i64))?;
        if !x.is_finite() {
            return Err(MirrorError::value(
                "acupoint_stimulus",
                format!("acupoint_stimulus intensities must be finite, got {x:?} for point {id}"),
            ));
        }
        if out.iter().any(|&(p, _)| p == point) {
            return Err(MirrorError::value(
                "acupoint_stimulus",
                format!("acupoint_stimulus names point {id} twice"),
            ));
        }
        out.push((point, x));
    }
    Ok(out)
}

/// One checked acupoint update: stimulation in order, then decay.
pub(crate) fn stimulate_acupoints(
    a: &[f64],
    stim: &[(usize, f64)],
    dt: f64,
    decay: f64,
) -> Vec<f64> {
    let mut out = a.to_vec();
    for &(p, x) in stim {
        out[p] = clip01(out[p] + x);
    }
    let f = 1.0 - decay * dt;
    out.iter().map(|v| v * f).collect()
}

/// One step of the acupoints: `a[id] = clip01(a[id] + intensity)` for each
/// stimulus in order, then `a *= 1 - symbol_decay * dt`.
pub fn update_acupoints(
    acupoint_activations: &NdArray<f64>,
    dt: f64,
    symbol_decay: f64,
    acupoint_stimulus: &[(i64, f64)],
) -> Result<Vec<f64>> {
    let a = unit_values("acupoint_activations", acupoint_activations, 1)?;
    let decay = check_rate("symbol_decay", symbol_decay)?;
    let dt = check_dt(dt, Some(decay), None)?;
    let stim = check_stimulus(acupoint_stimulus, a.len())?;
    Ok(stimulate_acupoints(a, &stim, dt, decay))
}

/// The named acupoints with an id below the number of activations, in
/// [`ACUPOINT_INDICES`] order, with their activations.
pub fn acupoint_map(acupoint_activations: &NdArray<f64>) -> Result<Vec<(String, f64)>> {
    let a = unit_values("acupoint_activations", acupoint_activations, 1)?;
    Ok(named_points(a))
}

pub(crate) fn named_points(a: &[f64]) -> Vec<(String, f64)> {
    ACUPOINT_INDICES
        .iter()
        .filter(|&&(_, i)| i < a.len())
        .map(|&(name, i)| (name.to_string(), a[i]))
        .collect()
}
