//! Expectation-maximisation (`sc_neurocore/world_model/_lgssm_em.py`): one
//! iteration and the `fit` loop, operation for operation.

use crate::array::NdArray;
use crate::checks::{Bounds, check_int, check_real};
use crate::error::{MirrorError, Result};

use super::LL_ROUNDING_RTOL;
use super::checks::{as_controls, as_observations};
use super::filter::filter_checked;
use super::linalg::{
    Mat, add, cho_solve, cholesky, map, matmul, matvec, outer, sub, symmetrize, vsub,
};
use super::model::LinearGaussianSsm;
use super::results::{FilterResult, SmoothResult};
use super::smoother::rts_smooth;

/// Validated EM inputs: observations, controls, the missing-value mask and
/// the steps whose observation is present (`None`: all).
struct EmData {
    y: Mat,
    u: Mat,
    missing: Option<Vec<bool>>,
    present: Option<Vec<bool>>,
}

fn em_data(
    model: &LinearGaussianSsm,
    obs: &NdArray<f64>,
    controls: Option<&NdArray<f64>>,
    mask: Option<&NdArray<u8>>,
) -> Result<EmData> {
    let (y, missing) = as_observations(obs, model.obs_dim(), 2, mask)?;
    let p = y.cols;
    let present = match &missing {
        None => None,
        Some(m) => {
            let rows: Vec<&[bool]> = m.chunks(p).collect();
            if let Some(t) = rows
                .iter()
                .position(|r| r.iter().any(|&x| x) && !r.iter().all(|&x| x))
            {
                return Err(MirrorError::value(
                    "observations",
                    format!(
                        "observations: EM needs each time step fully observed or fully \
                         masked; step {t} is partly masked"
                    ),
                ));
            }
            Some(rows.iter().map(|r| !r.iter().all(|&x| x)).collect())
        }
    };
    let u = as_controls(controls, y.rows, model.control_dim(), "controls")?;
    Ok(EmData {
        y,
        u,
        missing,
        present,
    })
}

/// `s + f(t)` for `t` in `ts`, from zeros, in that order.
fn sum_over(
    rows: usize,
    cols: usize,
    ts: impl Iterator<Item = usize>,
    f: impl Fn(usize) -> Mat,
) -> Mat {
    let mut s = Mat::zeros(rows, cols);
    for t in ts {
        s = add(&s, &f(t));
    }
    s
}

/// The M-step of the Python `m_step` from smoothed moments (`B`, `D` fixed).
fn m_step(
    model: &LinearGaussianSsm,
    sr: &SmoothResult,
    data: &EmData,
) -> Result<LinearGaussianSsm> {
    let (y, u) = (&data.y, &data.u);
    let steps = sr.means.len();
    let (n, p) = (model.state_dim(), model.obs_dim());
    let (ms, ps) = (&sr.means, &sr.covariances);
    let second = |t: usize| add(&ps[t], &outer(&ms[t], &ms[t]));
    let b: Vec<Vec<f64>> = (0..steps - 1).map(|t| matvec(&model.b, u.row(t))).collect();
    let s00 = sum_over(n, n, 0..steps - 1, second);
    let s10 = sum_over(n, n, 0..steps - 1, |t| {
        sub(
            &add(&sr.cross_covariances[t].t(), &outer(&ms[t + 1], &ms[t])),
            &outer(&b[t], &ms[t]),
        )
    });
    let s11 = sum_over(n, n, 0..steps - 1, |t| {
        add(
            &sub(
                &sub(&second(t + 1), &outer(&ms[t + 1], &b[t])),
                &outer(&b[t], &ms[t + 1]),
            ),
            &outer(&b[t], &b[t]),
        )
    });
    let e: Vec<Vec<f64>> = (0..steps)
        .map(|t| vsub(y.row(t), &matvec(&model.d, u.row(t))))
        .collect();
    let keep: Vec<usize> = match &data.present {
        None => (0..steps).collect(),
        Some(present) => (0..steps).filter(|&t| present[t]).collect(),
    };
    let sxx = sum_over(n, n, keep.iter().copied(), second);
    let syx = sum_over(p, n, keep.iter().copied(), |t| outer(&e[t], &ms[t]));
    let syy = sum_over(p, p, keep.iter().copied(), |t| outer(&e[t], &e[t]));
    let degenerate = || {
        MirrorError::value(
            "observations",
            "observations: the EM statistics sum_t E[x_t x_t^T] are not positive definite",
        )
    };
    let low00 = cholesky(&s00, 0.0).map_err(|_| degenerate())?;
    let lowxx = cholesky(&sxx, 0.0).map_err(|_| degenerate())?;
    let a_new = cho_solve(&low00, &s10.t()).t();
    let tq = (steps - 1) as f64;
    let q_new = symmetrize(&map(&sub(&s11, &matmul(&a_new, &s10.t())), |x| x / tq));
    let c_new = cho_solve(&lowxx, &syx.t()).t();
    let tr = keep.len() as f64;
    let r_new = symmetrize(&map(&sub(&syy, &matmul(&c_new, &syx.t())), |x| x / tr));
    LinearGaussianSsm::from_parts(
        a_new,
        model.b.clone(),
        c_new,
        model.d.clone(),
        q_new,
        r_new,
        ms[0].clone(),
        ps[0].clone(),
    )
    .map_err(|e| {
        MirrorError::value(
            "observations",
            format!(
                "observations: the EM update gives an invalid model ({})",
                e.message
            ),
        )
    })
}

/// Smoother on `fr` (the filter of `model`), then the M-step.
fn m_step_after(
    model: &LinearGaussianSsm,
    fr: &FilterResult,
    data: &EmData,
) -> Result<LinearGaussianSsm> {
    m_step(model, &rts_smooth(model, fr)?, data)
}

fn filter_of(model: &LinearGaussianSsm, data: &EmData) -> Result<FilterResult> {
    filter_checked(model, &data.y, &data.u, data.missing.as_deref())
}

/// `EMLearner().step(observations, model, controls)` on observations with
/// the masked entries `mask` (whole steps only): the updated model and the
/// log-likelihood of `model`.
pub fn em_step(
    model: &LinearGaussianSsm,
    obs: &NdArray<f64>,
    controls: Option<&NdArray<f64>>,
    mask: Option<&NdArray<u8>>,
) -> Result<(LinearGaussianSsm, f64)> {
    let data = em_data(model, obs, controls, mask)?;
    let fr = filter_of(model, &data)?;
    Ok((m_step_after(model, &fr, &data)?, fr.log_likelihood))
}

/// What [`em_fit`] ran to: the last accepted model (the initial one when
/// none was), the log-likelihood history (as `EMLearner.log_likelihood_history`),
/// and the error that stopped the loop, if one did.
#[derive(Debug, Clone)]
pub struct EmFit {
    /// The last accepted model.
    pub model: LinearGaussianSsm,
    /// `l_0`, then the log-likelihood of each candidate in turn.
    pub history: Vec<f64>,
    /// The error raised after the inputs were accepted (a filter, smoother or
    /// M-step failure, or a likelihood decrease: [`ErrorKind::Runtime`](crate::ErrorKind)).
    pub failure: Option<MirrorError>,
}

/// The `EMLearner(max_iter, tol)` argument checks.
pub fn check_em_params(max_iter: i64, tol: f64) -> Result<(usize, f64)> {
    let max_iter = check_int("max_iter", max_iter, 1, None)?;
    let tol = check_real("tol", tol, Bounds::at_least(0.0))?;
    Ok((max_iter, tol))
}

/// `EMLearner(max_iter, tol).fit(observations, model, controls)`: `Err` for
/// refused arguments; otherwise an [`EmFit`], whose `failure` holds an error
/// raised inside the loop together with the history so far.
pub fn em_fit(
    model: &LinearGaussianSsm,
    obs: &NdArray<f64>,
    controls: Option<&NdArray<f64>>,
    mask: Option<&NdArray<u8>>,
    max_iter: i64,
    tol: f64,
) -> Result<EmFit> {
    let (max_iter, tol) = check_em_params(max_iter, tol)?;
    let data = em_data(model, obs, controls, mask)?;
    let mut out = EmFit {
        model: model.clone(),
        history: Vec::new(),
        failure: None,
    };
    if let Err(e) = em_loop(&data, max_iter, tol, &mut out) {
        out.failure = Some(e);
    }
    Ok(out)
}

/// Whether `current` is below `previous` by more than rounding:
/// `previous - current > LL_ROUNDING_RTOL * max(1, |previous|)`.
pub(super) fn decreased_beyond_rounding(previous: f64, current: f64) -> bool {
    previous - current > LL_ROUNDING_RTOL * previous.abs().max(1.0)
}

fn em_loop(data: &EmData, max_iter: usize, tol: f64, out: &mut EmFit) -> Result<()> {
    let mut fr = filter_of(&out.model, data)?;
    out.history.push(fr.log_likelihood);
    for k in 0..max_iter {
        let candidate = m_step_after(&out.model, &fr, data)?;
        let fr_new = filter_of(&candidate, data)?;
        let (previous, current) = (fr.log_likelihood, fr_new.log_likelihood);
        out.history.push(current);
        if decreased_beyond_rounding(previous, current) {
            return Err(MirrorError::runtime(
                "observations",
                format!(
                    "EM iteration {}: the log-likelihood decreased beyond float64 round-off \
                     ({LL_ROUNDING_RTOL:e} relative), {previous:?} -> {current:?}",
                    k + 1
                ),
            ));
        }
        out.model = candidate;
        fr = fr_new;
        if (current - previous).abs() <= tol {
            break;
        }
    }
    Ok(())
}
