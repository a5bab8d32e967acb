//! The Kalman filter with missing observations
//! (`sc_neurocore/world_model/_lgssm_filter.py`), operation for operation.

use crate::array::NdArray;
use crate::error::{MirrorError, Result};

use super::LOG_2PI;
use super::checks::{as_controls, as_observations};
use super::linalg::{
    Mat, add, all_finite, cho_solve, cholesky, matmul, matvec, solve_lower, sub, sum_squares,
    symmetrize, vadd, vsub,
};
use super::model::LinearGaussianSsm;
use super::results::FilterResult;

/// `(matvec(A, m) + matvec(B, u), symmetrize(matmul(matmul(A, P), A^T) + Q))`.
pub(super) fn predict(
    model: &LinearGaussianSsm,
    mean: &[f64],
    cov: &Mat,
    u: &[f64],
) -> (Vec<f64>, Mat) {
    let pred_mean = vadd(&matvec(&model.a, mean), &matvec(&model.b, u));
    let pred_cov = symmetrize(&add(
        &matmul(&matmul(&model.a, cov), &model.a.t()),
        &model.q,
    ));
    (pred_mean, pred_cov)
}

pub(super) fn overflow(step: usize) -> MirrorError {
    MirrorError::value(
        "observations",
        format!(
            "observations: the Kalman filter overflowed float64 at step {step} (values too \
             large for this model)"
        ),
    )
}

/// The measurement update of the Python `update` on the observed entries
/// (`observed`: `None` = all): the rows of `y`, `C`, `D` and the block of `R`
/// that are observed, in increasing index order; with no observed entry the
/// prediction itself and no log-density.
pub(super) fn update(
    model: &LinearGaussianSsm,
    pred_mean: &[f64],
    pred_cov: &Mat,
    y: &[f64],
    u: &[f64],
    observed: Option<&[bool]>,
    step: usize,
) -> Result<(Vec<f64>, Mat, Option<f64>)> {
    let rows: Option<Vec<usize>> = observed
        .filter(|o| !o.iter().all(|&b| b))
        .map(|o| (0..o.len()).filter(|&i| o[i]).collect());
    let selected;
    let (c, d, r, y) = match &rows {
        None => (&model.c, &model.d, &model.r, y.to_vec()),
        Some(rows) if rows.is_empty() => {
            return Ok((pred_mean.to_vec(), pred_cov.clone(), None));
        }
        Some(rows) => {
            selected = (
                model.c.select(rows, None),
                model.d.select(rows, None),
                model.r.select(rows, Some(rows)),
            );
            (
                &selected.0,
                &selected.1,
                &selected.2,
                rows.iter().map(|&i| y[i]).collect(),
            )
        }
    };
    let err = vsub(&y, &vadd(&matvec(c, pred_mean), &matvec(d, u)));
    let gain_t = matmul(pred_cov, &c.t());
    let innov = symmetrize(&add(&matmul(c, &gain_t), r));
    if !all_finite(&innov.data) {
        return Err(overflow(step));
    }
    let low = cholesky(&innov, 0.0).map_err(|(_, s)| {
        MirrorError::linalg(
            "R",
            format!(
                "R: the innovation covariance C P C^T + R at step {step} is not positive \
                 definite (Cholesky pivot {s:e})"
            ),
        )
    })?;
    let gain = cho_solve(&low, &gain_t.t()).t();
    let mean = vadd(pred_mean, &matvec(&gain, &err));
    let joseph = sub(&Mat::identity(pred_mean.len()), &matmul(&gain, c));
    let cov = symmetrize(&add(
        &matmul(&matmul(&joseph, pred_cov), &joseph.t()),
        &matmul(&matmul(&gain, r), &gain.t()),
    ));
    let column = Mat {
        rows: err.len(),
        cols: 1,
        data: err,
    };
    let quad = sum_squares(&solve_lower(&low, &column).data);
    let mut half_logdet = 0.0;
    for i in 0..low.rows {
        half_logdet += low.at(i, i).ln();
    }
    let loglik = -0.5 * ((c.rows as f64 * LOG_2PI + 2.0 * half_logdet) + quad);
    Ok((mean, cov, Some(loglik)))
}

/// The filter on validated `(T, p)` observations, `(T, m)` controls and the
/// missing-value mask (row-major, `true` = missing), before the result checks.
pub(super) fn filter_checked(
    model: &LinearGaussianSsm,
    y: &Mat,
    u: &Mat,
    missing: Option<&[bool]>,
) -> Result<FilterResult> {
    let steps = y.rows;
    let p = y.cols;
    let mut fr = FilterResult {
        means: Vec::with_capacity(steps),
        covariances: Vec::with_capacity(steps),
        pred_means: Vec::with_capacity(steps),
        pred_covariances: Vec::with_capacity(steps),
        log_likelihood: 0.0,
    };
    let mut total = 0.0;
    for t in 0..steps {
        let (pm, pc) = if t == 0 {
            (model.mu_0.clone(), model.sigma_0.clone())
        } else {
            let (pm, pc) = predict(
                model,
                &fr.means[t - 1],
                &fr.covariances[t - 1],
                u.row(t - 1),
            );
            if !(all_finite(&pm) && all_finite(&pc.data)) {
                return Err(overflow(t));
            }
            (pm, pc)
        };
        let observed: Option<Vec<bool>> =
            missing.map(|m| m[t * p..(t + 1) * p].iter().map(|&x| !x).collect());
        let (mean, cov, loglik) =
            update(model, &pm, &pc, y.row(t), u.row(t), observed.as_deref(), t)?;
        if let Some(l) = loglik {
            total += l;
        }
        if !(total.is_finite() && all_finite(&mean) && all_finite(&cov.data)) {
            return Err(overflow(t));
        }
        fr.pred_means.push(pm);
        fr.pred_covariances.push(pc);
        fr.means.push(mean);
        fr.covariances.push(cov);
    }
    fr.log_likelihood = total;
    fr.validate()?;
    Ok(fr)
}

/// `KalmanFilter(model).filter(observations, controls)` with the masked
/// entries `mask` (`1` = missing) treated as missing observations.
pub fn kalman_filter(
    model: &LinearGaussianSsm,
    observations: &NdArray<f64>,
    controls: Option<&NdArray<f64>>,
    mask: Option<&NdArray<u8>>,
) -> Result<FilterResult> {
    let (y, missing) = as_observations(observations, model.obs_dim(), 1, mask)?;
    let u = as_controls(controls, y.rows, model.control_dim(), "controls")?;
    filter_checked(model, &y, &u, missing.as_deref())
}
