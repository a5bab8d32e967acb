//! The validated filter and smoother results
//! (`sc_neurocore/world_model/_lgssm_results.py`).

use crate::array::{NdArray, format_shape};
use crate::checks::{Form, check_finite, check_ndim, real_array};
use crate::error::{MirrorError, Result};

use super::checks::covariance_stack;
use super::linalg::Mat;

/// Filtered and predicted moments and the log-likelihood (`T` steps).
#[derive(Debug, Clone, PartialEq)]
pub struct FilterResult {
    /// `E[x_t | y_0..y_t]`.
    pub means: Vec<Vec<f64>>,
    /// `Cov[x_t | y_0..y_t]`.
    pub covariances: Vec<Mat>,
    /// `E[x_t | y_0..y_{t-1}]` (`mu_0` at `t = 0`).
    pub pred_means: Vec<Vec<f64>>,
    /// `Cov[x_t | y_0..y_{t-1}]` (`Sigma_0` at `t = 0`).
    pub pred_covariances: Vec<Mat>,
    /// `log p(y_0..y_{T-1})` (of the observed values).
    pub log_likelihood: f64,
}

/// Smoothed moments and lag-one cross-covariances.
#[derive(Debug, Clone, PartialEq)]
pub struct SmoothResult {
    /// `E[x_t | y_0..y_{T-1}]`.
    pub means: Vec<Vec<f64>>,
    /// `Cov[x_t | y_0..y_{T-1}]`.
    pub covariances: Vec<Mat>,
    /// Entry `t`: `Cov[x_t, x_{t+1} | y_0..y_{T-1}]` (`T - 1` entries).
    pub cross_covariances: Vec<Mat>,
}

/// A finite array of rank `ndim` (the Python `_moments`).
fn moments(arg: &str, a: &NdArray<f64>, ndim: usize) -> Result<()> {
    check_finite(arg, a)?;
    check_ndim(arg, a, ndim)
}

fn want_shape(arg: &str, a: &NdArray<f64>, shape: &[usize]) -> Result<()> {
    real_array(arg, a, Form::Shape(shape)).map(|_| ())
}

fn time_and_state(means: &NdArray<f64>) -> Result<(usize, usize)> {
    let (t, n) = (means.shape()[0], means.shape()[1]);
    if t == 0 || n == 0 {
        return Err(MirrorError::value(
            "means",
            format!(
                "means must have non-zero time and state dimensions, got shape {}",
                format_shape(means.shape())
            ),
        ));
    }
    Ok((t, n))
}

/// The rows of a `(T, n)` array.
fn rows_of(a: &NdArray<f64>, n: usize) -> Vec<Vec<f64>> {
    a.data().chunks(n.max(1)).map(|r| r.to_vec()).collect()
}

/// The matrices of a `(T, r, c)` array (`T` may be 0).
fn mats_of(arg: &str, a: &NdArray<f64>) -> Result<Vec<Mat>> {
    let (r, c) = (a.shape()[1], a.shape()[2]);
    (0..a.shape()[0])
        .map(|t| Mat::from_vec(arg, r, c, a.data()[t * r * c..(t + 1) * r * c].to_vec()))
        .collect()
}

fn finite_log_likelihood(value: f64) -> Result<()> {
    if !value.is_finite() {
        return Err(MirrorError::value(
            "log_likelihood",
            format!("log_likelihood must be finite, got {value}"),
        ));
    }
    Ok(())
}

impl FilterResult {
    /// `FilterResult(means, covariances, pred_means, pred_covariances,
    /// log_likelihood)`, validated as the Python dataclass is: each array
    /// finite with its rank; `T >= 1`, `n >= 1`; `pred_means` `(T, n)`;
    /// `covariances` then `pred_covariances` `(T, n, n)`, symmetric PSD; a
    /// finite `log_likelihood`.
    pub fn from_arrays(
        means: &NdArray<f64>,
        covariances: &NdArray<f64>,
        pred_means: &NdArray<f64>,
        pred_covariances: &NdArray<f64>,
        log_likelihood: f64,
    ) -> Result<Self> {
        moments("means", means, 2)?;
        moments("covariances", covariances, 3)?;
        moments("pred_means", pred_means, 2)?;
        moments("pred_covariances", pred_covariances, 3)?;
        let (t, n) = time_and_state(means)?;
        want_shape("pred_means", pred_means, &[t, n])?;
        want_shape("covariances", covariances, &[t, n, n])?;
        let covs = mats_of("covariances", covariances)?;
        covariance_stack("covariances", &covs)?;
        want_shape("pred_covariances", pred_covariances, &[t, n, n])?;
        let pred_covs = mats_of("pred_covariances", pred_covariances)?;
        covariance_stack("pred_covariances", &pred_covs)?;
        finite_log_likelihood(log_likelihood)?;
        Ok(FilterResult {
            means: rows_of(means, n),
            covariances: covs,
            pred_means: rows_of(pred_means, n),
            pred_covariances: pred_covs,
            log_likelihood,
        })
    }

    /// The checks of [`FilterResult::from_arrays`] that a computed result can
    /// fail (its shapes hold by construction).
    pub(super) fn validate(&self) -> Result<()> {
        covariance_stack("covariances", &self.covariances)?;
        covariance_stack("pred_covariances", &self.pred_covariances)?;
        finite_log_likelihood(self.log_likelihood)
    }

    /// `n`.
    pub fn state_dim(&self) -> usize {
        self.means.first().map_or(0, Vec::len)
    }
}

impl SmoothResult {
    /// `SmoothResult(means, covariances, cross_covariances)`, validated as the
    /// Python dataclass is: each array finite with its rank; `T >= 1`,
    /// `n >= 1`; `covariances` `(T, n, n)`; `cross_covariances`
    /// `(T-1, n, n)`; `covariances` symmetric PSD.
    pub fn from_arrays(
        means: &NdArray<f64>,
        covariances: &NdArray<f64>,
        cross_covariances: &NdArray<f64>,
    ) -> Result<Self> {
        moments("means", means, 2)?;
        moments("covariances", covariances, 3)?;
        moments("cross_covariances", cross_covariances, 3)?;
        let (t, n) = time_and_state(means)?;
        want_shape("covariances", covariances, &[t, n, n])?;
        want_shape("cross_covariances", cross_covariances, &[t - 1, n, n])?;
        let covs = mats_of("covariances", covariances)?;
        covariance_stack("covariances", &covs)?;
        Ok(SmoothResult {
            means: rows_of(means, n),
            covariances: covs,
            cross_covariances: mats_of("cross_covariances", cross_covariances)?,
        })
    }

    /// The check of [`SmoothResult::from_arrays`] that a computed result can fail.
    pub(super) fn validate(&self) -> Result<()> {
        covariance_stack("covariances", &self.covariances)
    }
}

/// `T` rows of length `n` as an `NdArray` `(T, n)`.
pub fn stack_rows(arg: &str, rows: &[Vec<f64>], n: usize) -> Result<NdArray<f64>> {
    NdArray::new(arg, vec![rows.len(), n], rows.concat())
}

/// `T` matrices `(r, c)` as an `NdArray` `(T, r, c)`.
pub fn stack_mats(arg: &str, mats: &[Mat], r: usize, c: usize) -> Result<NdArray<f64>> {
    let mut data = Vec::new();
    for m in mats {
        data.extend_from_slice(&m.data);
    }
    NdArray::new(arg, vec![mats.len(), r, c], data)
}
