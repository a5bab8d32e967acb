//! Argument checks shared by the L7 parts (Python: `_l7/checks.py`), built on
//! `crate::checks`.

use crate::array::{NdArray, format_shape};
use crate::checks::{Bounds, Form, check_ndim, check_real, real_array};
use crate::error::{MirrorError, Result};

/// The data of a 1-D array of at least `minimum` values, each finite and in `[0, 1]`.
pub(crate) fn unit_values<'a>(
    name: &str,
    values: &'a NdArray<f64>,
    minimum: usize,
) -> Result<&'a [f64]> {
    check_ndim(name, values, 1)?;
    crate::kernels::encode::check_probs(name, values.data())?;
    if values.len() < minimum {
        return Err(MirrorError::value(
            name,
            format!(
                "{name} must hold at least {minimum} value(s), got {}",
                values.len()
            ),
        ));
    }
    Ok(values.data())
}

/// A state vector of `size` values: in `[0, 1]` when `unit`, else finite.
pub(crate) fn state_values(name: &str, values: &[f64], size: usize, unit: bool) -> Result<()> {
    if values.len() != size {
        return Err(MirrorError::value(
            name,
            format!(
                "{name} must have shape ({size},), got shape {}",
                format_shape(&[values.len()])
            ),
        ));
    }
    let a = NdArray::from_vec(values.to_vec());
    if unit {
        crate::kernels::encode::check_probs(name, a.data())
    } else {
        real_array(name, &a, Form::Any).map(|_| ())
    }
}

/// A rate or coupling: finite and `>= 0`.
pub(crate) fn check_rate(name: &str, x: f64) -> Result<f64> {
    check_real(name, x, Bounds::at_least(0.0))
}

/// `dt` finite and `> 0`, with `decay * dt <= 1` and `coupling * dt <= 1` for
/// the rates given.
pub(crate) fn check_dt(dt: f64, decay: Option<f64>, coupling: Option<f64>) -> Result<f64> {
    let dt = check_real("dt", dt, Bounds::POSITIVE)?;
    if let Some(d) = decay
        && d * dt > 1.0
    {
        return Err(MirrorError::value(
            "dt",
            format!("dt must satisfy symbol_decay * dt <= 1, got dt = {dt:?}, decay {d:?}"),
        ));
    }
    if let Some(c) = coupling
        && c * dt > 1.0
    {
        return Err(MirrorError::value(
            "dt",
            format!("dt must satisfy symbol_coupling * dt <= 1, got dt = {dt:?}, coupling {c:?}"),
        ));
    }
    Ok(dt)
}
