//! The predictions of `PredictiveWorldModel`
//! (`sc_neurocore/world_model/_world_model.py`): one step with or without a
//! covariance, and trajectories over a sequence of actions.

use crate::array::NdArray;
use crate::error::{MirrorError, Result};

use super::checks::{matrix, positive_semidefinite, symmetric, vector};
use super::filter::predict;
use super::linalg::{Mat, all_finite};
use super::model::LinearGaussianSsm;

/// A `(n, n)` covariance checked as `Q` is (symmetric, PSD), symmetrised.
fn state_covariance(arg: &str, cov: &NdArray<f64>, n: usize) -> Result<Mat> {
    let m = matrix(arg, cov, Some(n), Some(n), "(state_dim, state_dim)")?;
    let sym = symmetric(arg, &m)?;
    positive_semidefinite(arg, &sym)?;
    Ok(sym)
}

/// An action: `(m,)`, or one number when `m = 1`; zeros when `None`.
fn action_of(arg: &str, model: &LinearGaussianSsm, a: Option<&NdArray<f64>>) -> Result<Vec<f64>> {
    match a {
        None => Ok(vec![0.0; model.control_dim()]),
        Some(a) => vector(arg, a, model.control_dim(), "action_dim", true),
    }
}

/// One prediction step, refusing an overflow (naming `arg`).
fn step(
    model: &LinearGaussianSsm,
    mean: &[f64],
    cov: &Mat,
    action: &[f64],
    arg: &str,
) -> Result<(Vec<f64>, Mat)> {
    let (mean, cov) = predict(model, mean, cov, action);
    if !(all_finite(&mean) && all_finite(&cov.data)) {
        return Err(MirrorError::value(
            arg,
            format!("{arg}: the prediction overflowed float64"),
        ));
    }
    Ok((mean, cov))
}

/// `predict_next_state_with_cov(current_state, current_cov, action)`
/// (`current_cov = None`: `predict_next_state`, a known state).
pub fn predict_next_state_with_cov(
    model: &LinearGaussianSsm,
    current_state: &NdArray<f64>,
    current_cov: Option<&NdArray<f64>>,
    action: Option<&NdArray<f64>>,
) -> Result<(Vec<f64>, Mat)> {
    let n = model.state_dim();
    let x = vector("current_state", current_state, n, "state_dim", false)?;
    let cov = match current_cov {
        None => Mat::zeros(n, n),
        Some(c) => state_covariance("current_cov", c, n)?,
    };
    let u = action_of("action", model, action)?;
    step(model, &x, &cov, &u, "current_state")
}

/// The actions of a sequence as the Python iteration sees them: the rows of a
/// 2-D array, the numbers of a 1-D one (each accepted when `m = 1`).
fn actions_of(model: &LinearGaussianSsm, actions: &NdArray<f64>) -> Result<Vec<Vec<f64>>> {
    let arg = "actions";
    let shape = actions.shape();
    if shape.is_empty() {
        return Err(MirrorError::value(
            arg,
            "actions must be a sequence of actions, got one number",
        ));
    }
    let count = shape[0];
    let inner: Vec<usize> = shape[1..].to_vec();
    let size: usize = inner.iter().product();
    (0..count)
        .map(|k| {
            let row = NdArray::new(
                arg,
                inner.clone(),
                actions.data()[k * size..(k + 1) * size].to_vec(),
            )?;
            action_of(arg, model, Some(&row))
        })
        .collect()
}

/// `forecast_with_cov(initial_state, initial_cov, actions)`
/// (`initial_cov = None`: `forecast`, the covariances then start from zero).
pub fn forecast_with_cov(
    model: &LinearGaussianSsm,
    initial_state: &NdArray<f64>,
    initial_cov: Option<&NdArray<f64>>,
    actions: &NdArray<f64>,
) -> Result<Vec<(Vec<f64>, Mat)>> {
    let n = model.state_dim();
    let mut mean = vector("initial_state", initial_state, n, "state_dim", false)?;
    let mut cov = match initial_cov {
        None => Mat::zeros(n, n),
        Some(c) => state_covariance("initial_cov", c, n)?,
    };
    let actions = actions_of(model, actions)?;
    let mut out = Vec::with_capacity(actions.len());
    for action in &actions {
        (mean, cov) = step(model, &mean, &cov, action, "actions")?;
        out.push((mean.clone(), cov.clone()));
    }
    Ok(out)
}
