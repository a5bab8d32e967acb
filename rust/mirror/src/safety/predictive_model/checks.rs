//! Argument checks and their tolerances (the rules of
//! `sc_neurocore/world_model/_lgssm_checks.py`): symmetry
//! `|M[i,j] - M[j,i]| <= SYM_RTOL * max|M|`, then `symmetrize`; positive
//! definite: every Cholesky pivot `> PD_RTOL * max_i |M[i,i]|`; positive
//! semidefinite: `M + PSD_RTOL * max_i |M[i,i]| * I` has a Cholesky factor
//! (pivots `> 0`), or `M` is exactly zero when its diagonal is.

use crate::array::{NdArray, format_shape};
use crate::checks::check_finite;
use crate::error::{MirrorError, Result};

use super::linalg::{Mat, all_finite, cholesky, semidefinite_columns, shift_diagonal, symmetrize};
use super::{PD_RTOL, PSD_RTOL, SYM_RTOL};

pub(super) fn shape_error(arg: &str, what: &str, a: &NdArray<f64>) -> MirrorError {
    MirrorError::value(
        arg,
        format!("{arg} must {what}, got shape {}", format_shape(a.shape())),
    )
}

/// A finite 2-D `(rows, cols)` matrix (`None`: any size on that axis).
pub(super) fn matrix(
    arg: &str,
    a: &NdArray<f64>,
    rows: Option<usize>,
    cols: Option<usize>,
    form: &str,
) -> Result<Mat> {
    check_finite(arg, a)?;
    let s = a.shape();
    if s.len() != 2 || rows.is_some_and(|r| s[0] != r) || cols.is_some_and(|c| s[1] != c) {
        let dim = |d: Option<usize>| d.map_or("?".to_string(), |v| v.to_string());
        let what = format!(
            "have shape {form} = ({}, {}) (a 2-D array)",
            dim(rows),
            dim(cols)
        );
        return Err(shape_error(arg, &what, a));
    }
    Mat::from_vec(arg, s[0], s[1], a.data().to_vec())
}

/// A finite 1-D array of `size` values; with `allow_scalar`, one number (0-D)
/// is accepted as `(1,)` when `size` is 1.
pub(super) fn vector(
    arg: &str,
    a: &NdArray<f64>,
    size: usize,
    form: &str,
    allow_scalar: bool,
) -> Result<Vec<f64>> {
    check_finite(arg, a)?;
    let scalar_ok = allow_scalar && a.shape().is_empty() && size == 1;
    if !scalar_ok && a.shape() != [size] {
        return Err(shape_error(
            arg,
            &format!("have shape ({form},) = ({size},)"),
            a,
        ));
    }
    Ok(a.data().to_vec())
}

fn max_abs(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(0.0, |acc, v| acc.max(v.abs()))
}

pub(super) fn max_abs_diag(m: &Mat) -> f64 {
    max_abs((0..m.rows).map(|i| m.at(i, i)))
}

/// Symmetry within `SYM_RTOL * max|m|`; returns `symmetrize(m)` (finite).
pub(super) fn symmetric(arg: &str, m: &Mat) -> Result<Mat> {
    let tol = SYM_RTOL * max_abs(m.data.iter().copied());
    for i in 0..m.rows {
        for j in 0..m.cols {
            let gap = (m.at(i, j) - m.at(j, i)).abs();
            if gap > tol {
                return Err(MirrorError::value(
                    arg,
                    format!(
                        "{arg} must be symmetric: |{arg}[{i},{j}] - {arg}[{j},{i}]| = {gap:e} \
                         exceeds {SYM_RTOL:e} * max|{arg}| = {tol:e}"
                    ),
                ));
            }
        }
    }
    let out = symmetrize(m);
    if !all_finite(&out.data) {
        return Err(MirrorError::value(
            arg,
            format!("{arg} is too large: ({arg} + {arg}^T) * 0.5 overflows float64"),
        ));
    }
    Ok(out)
}

/// Every Cholesky pivot above `PD_RTOL * max_i |m[i,i]|`.
pub(super) fn positive_definite(arg: &str, m: &Mat) -> Result<()> {
    let threshold = PD_RTOL * max_abs_diag(m);
    cholesky(m, threshold).map(|_| ()).map_err(|(j, s)| {
        MirrorError::value(
            arg,
            format!(
                "{arg} must be positive definite: its Cholesky pivot {j} is {s:e}, not above \
                 {PD_RTOL:e} * max|diag {arg}| = {threshold:e}"
            ),
        )
    })
}

/// `m + PSD_RTOL * max_i |m[i,i]| * I` has a Cholesky factor; `m = 0` when its diagonal is.
pub(super) fn positive_semidefinite(arg: &str, m: &Mat) -> Result<()> {
    let diag = max_abs_diag(m);
    if diag == 0.0 {
        if m.data.iter().any(|&v| v != 0.0) {
            return Err(MirrorError::value(
                arg,
                format!(
                    "{arg} must be positive semidefinite: its diagonal is zero but an \
                     off-diagonal entry is not"
                ),
            ));
        }
        return Ok(());
    }
    let tau = PSD_RTOL * diag;
    cholesky(&shift_diagonal(m, tau), 0.0)
        .map(|_| ())
        .map_err(|(j, s)| {
            MirrorError::value(
                arg,
                format!(
                    "{arg} must be positive semidefinite: {arg} + {tau:e} I has Cholesky pivot \
                     {j} = {s:e} <= 0"
                ),
            )
        })
}

/// The sampling factor of a validated PSD matrix: the column Cholesky, where
/// a pivot `<= PSD_RTOL * max_i |m[i][i]|` gives a zero column.
pub(super) fn semidefinite_factor(m: &Mat) -> Mat {
    semidefinite_columns(m, PSD_RTOL * max_abs_diag(m))
}

/// Every matrix of a stack symmetric and positive semidefinite, checked in
/// order of `t` (the first failing one is named in the message).
pub(super) fn covariance_stack(arg: &str, mats: &[Mat]) -> Result<()> {
    for (t, m) in mats.iter().enumerate() {
        let at = |e: MirrorError| MirrorError::value(arg, format!("{arg}[{t}]: {}", e.message));
        let sym = symmetric(arg, m).map_err(at)?;
        positive_semidefinite(arg, &sym).map_err(at)?;
    }
    Ok(())
}

/// Observations as a `(T, p)` matrix (`(T,)` accepted when `p = 1`),
/// `T >= min_steps`, and the missing-value mask (`true` = missing; `None`
/// when nothing is missing). `mask` (`1` = missing, `0` = observed) must have
/// the shape of `obs`; the values under it are replaced by `0.0` and never read.
pub fn as_observations(
    obs: &NdArray<f64>,
    p: usize,
    min_steps: usize,
    mask: Option<&NdArray<u8>>,
) -> Result<(Mat, Option<Vec<bool>>)> {
    let arg = "observations";
    let mut data = obs.data().to_vec();
    let mut missing = None;
    if let Some(mask) = mask {
        if mask.shape() != obs.shape() {
            return Err(MirrorError::value(
                "mask",
                format!(
                    "mask must have the shape of the observations {}, got {}",
                    format_shape(obs.shape()),
                    format_shape(mask.shape())
                ),
            ));
        }
        if let Some(bad) = mask.data().iter().find(|&&v| v > 1) {
            return Err(MirrorError::value(
                "mask",
                format!("mask must contain only 0 and 1, got {bad}"),
            ));
        }
        for (x, &m) in data.iter_mut().zip(mask.data()) {
            if m == 1 {
                *x = 0.0;
            }
        }
        if mask.data().contains(&1) {
            missing = Some(mask.data().iter().map(|&m| m == 1).collect::<Vec<bool>>());
        }
    }
    let filled = NdArray::new(arg, obs.shape().to_vec(), data)?;
    check_finite(arg, &filled)?;
    let (rows, cols) = match filled.shape() {
        [t] if p == 1 => (*t, 1),
        [t, c] if *c == p => (*t, *c),
        _ => {
            return Err(shape_error(
                arg,
                &format!("have shape (T, obs_dim) = (T, {p})"),
                obs,
            ));
        }
    };
    if rows < min_steps {
        return Err(MirrorError::value(
            arg,
            format!("{arg} must hold at least {min_steps} time step(s), got {rows}"),
        ));
    }
    let (_, values) = filled.into_parts();
    Ok((Mat::from_vec(arg, rows, cols, values)?, missing))
}

/// Controls as a `(T, m)` matrix: `None` only when `m = 0`; `(T,)` when `m = 1`.
pub fn as_controls(
    controls: Option<&NdArray<f64>>,
    steps: usize,
    m: usize,
    arg: &str,
) -> Result<Mat> {
    let Some(u) = controls else {
        if m == 0 {
            return Ok(Mat::zeros(steps, 0));
        }
        return Err(MirrorError::value(
            arg,
            format!("{arg} must have shape (T, control_dim) = ({steps}, {m}): it must be given"),
        ));
    };
    check_finite(arg, u)?;
    let ok = match u.shape() {
        [t] => m == 1 && *t == steps,
        [t, c] => *t == steps && *c == m,
        _ => false,
    };
    if !ok {
        return Err(shape_error(
            arg,
            &format!("have shape (T, control_dim) = ({steps}, {m})"),
            u,
        ));
    }
    Mat::from_vec(arg, steps, m, u.data().to_vec())
}
