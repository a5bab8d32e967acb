//! The Rauch-Tung-Striebel smoother (`sc_neurocore/world_model/_lgssm_smoother.py`).

use crate::error::{MirrorError, Result};

use super::linalg::{
    Mat, add, all_finite, cho_solve, cholesky, matmul, matvec, sub, symmetrize, vadd, vsub,
};
use super::model::LinearGaussianSsm;
use super::results::{FilterResult, SmoothResult};

/// `RTSSmoother(model).smooth(filter_result)`: for `t = T-2` down to `0`,
/// `L = cholesky(P_p[t+1])`, `J = cho_solve(L, matmul(A, P[t]))^T`,
/// `m_s[t] = m[t] + matvec(J, m_s[t+1] - m_p[t+1])`,
/// `P_s[t] = symmetrize(P[t] + matmul(matmul(J, P_s[t+1] - P_p[t+1]), J^T))`,
/// `cross[t] = matmul(J, P_s[t+1])` (`Cov[x_t, x_{t+1}]`); the result is
/// then checked as the Python `SmoothResult` is.
pub fn rts_smooth(model: &LinearGaussianSsm, fr: &FilterResult) -> Result<SmoothResult> {
    let n = model.state_dim();
    let steps = fr.means.len();
    if fr.state_dim() != n {
        return Err(MirrorError::value(
            "means",
            format!(
                "filter_result state dimension {} does not match model state dimension {n}",
                fr.state_dim()
            ),
        ));
    }
    let mut means = fr.means.clone();
    let mut covs = fr.covariances.clone();
    let mut cross = vec![Mat::zeros(n, n); steps.saturating_sub(1)];
    for t in (0..steps.saturating_sub(1)).rev() {
        let low = cholesky(&fr.pred_covariances[t + 1], 0.0).map_err(|(_, s)| {
            MirrorError::linalg(
                "pred_covariances",
                format!(
                    "filter_result.pred_covariances[{}] must be positive definite for the RTS \
                     smoother (Cholesky pivot {s:e})",
                    t + 1
                ),
            )
        })?;
        let gain = cho_solve(&low, &matmul(&model.a, &fr.covariances[t])).t();
        means[t] = vadd(
            &fr.means[t],
            &matvec(&gain, &vsub(&means[t + 1], &fr.pred_means[t + 1])),
        );
        covs[t] = symmetrize(&add(
            &fr.covariances[t],
            &matmul(
                &matmul(&gain, &sub(&covs[t + 1], &fr.pred_covariances[t + 1])),
                &gain.t(),
            ),
        ));
        cross[t] = matmul(&gain, &covs[t + 1]);
    }
    let finite = means.iter().all(|m| all_finite(m))
        && covs.iter().all(|c| all_finite(&c.data))
        && cross.iter().all(|c| all_finite(&c.data));
    if !finite {
        return Err(MirrorError::value(
            "filter_result",
            "filter_result: the RTS smoother overflowed float64",
        ));
    }
    let sr = SmoothResult {
        means,
        covariances: covs,
        cross_covariances: cross,
    };
    sr.validate()?;
    Ok(sr)
}
