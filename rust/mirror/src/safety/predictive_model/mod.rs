//! Mirror of `sc_neurocore.world_model.predictive_model`: linear-Gaussian
//! state-space models (validation, `random`, `sample`), the Kalman filter
//! with missing observations, the RTS smoother, EM (one iteration and the
//! `fit` loop), the validated filter and smoother results, and the
//! predictions of `PredictiveWorldModel`; checked against
//! `parity/golden/predictive_model.txt`. It is also the implementation of the
//! Python surface's `backend="rust"`: the engine (`rust/engine/src/lgssm.rs`)
//! calls [`kalman_filter`], [`rts_smooth`] and [`em_fit`] through thin
//! bindings.
//!
//! The model (`n` states, `p` observations, `m` controls):
//! `x_0 ~ N(mu_0, Sigma_0)`, `x_{t+1} = A x_t + B u_t + w_t` (`w ~ N(0, Q)`),
//! `y_t = C x_t + D u_t + v_t` (`v ~ N(0, R)`).
//!
//! One concept per module: [`linalg`] (matrices and the ordered routines),
//! `checks` (argument checks and tolerances), [`model`], [`results`],
//! [`filter`], [`smoother`], [`em`], [`world`].
//!
//! **Order of operations.** Every product, factorization and solve is one of
//! the routines of [`linalg`], each doing exactly the IEEE-754 double
//! operations of its Python twin in `sc_neurocore/world_model/_linalg.py`, in
//! the same order: sums start from their first operand and add terms in
//! increasing index order, every product is one multiplication (Rust never
//! fuses a multiply and an add on its own). So the filter, smoother and EM
//! outputs match Python bit for bit on one machine (the log-likelihood too:
//! both sides call the platform's `log`); across machines only the
//! log-likelihood (`ln`) and whatever is drawn from normals (`ln`, `cos`) are
//! compared within `rtol` 1e-12.
//!
//! **Validation** (the Python rules, same constants): symmetry
//! `|M[i,j] - M[j,i]| <= SYM_RTOL * max|M|`, then `symmetrize`; `R`, `Sigma_0`
//! positive definite: every Cholesky pivot `> PD_RTOL * max_i |M[i,i]|`; `Q`
//! (and every covariance of a result or a state) positive semidefinite:
//! `M + PSD_RTOL * max_i |M[i,i]| * I` has a Cholesky factor (pivots `> 0`),
//! or `M` is exactly zero when its diagonal is. Every invalid input is an
//! `Err` naming the argument, never a panic; a matrix that must be factored
//! and is not positive definite is [`ErrorKind::LinAlg`](crate::ErrorKind)
//! (Python `numpy.linalg.LinAlgError`), an EM likelihood decrease
//! [`ErrorKind::Runtime`](crate::ErrorKind) (Python `RuntimeError`).
//!
//! **Randomness** (docs/safety-mirrors.md, `world_model.predictive_model`):
//! [`LinearGaussianSsm::random`] and [`LinearGaussianSsm::sample`] each own a
//! fresh [`SplitMix64`](crate::SplitMix64) seeded with their `seed` and draw
//! normals (two words each) in the order written on them.

mod checks;
pub mod em;
pub mod filter;
pub mod linalg;
pub mod model;
pub mod results;
pub mod smoother;
pub mod world;

#[cfg(test)]
mod tests;

pub use checks::{as_controls, as_observations};
pub use em::{EmFit, check_em_params, em_fit, em_step};
pub use filter::kalman_filter;
pub use linalg::Mat;
pub use model::LinearGaussianSsm;
pub use results::{FilterResult, SmoothResult, stack_mats, stack_rows};
pub use smoother::rts_smooth;
pub use world::{forecast_with_cov, predict_next_state_with_cov};

/// Relative tolerance of the symmetry check (against `max|M|`).
pub const SYM_RTOL: f64 = 1e-10;
/// Cholesky pivots of `R` and `Sigma_0` must exceed `PD_RTOL * max_i |M[i,i]|`.
pub const PD_RTOL: f64 = 1e-12;
/// `Q + PSD_RTOL * max_i |Q[i,i]| * I` must have a Cholesky factor.
pub const PSD_RTOL: f64 = 1e-10;
/// `log(2 pi)` as a double.
pub const LOG_2PI: f64 = 1.8378770664093453;
/// EM refuses a log-likelihood decrease above `LL_ROUNDING_RTOL * max(1, |previous|)`.
pub const LL_ROUNDING_RTOL: f64 = 1e-9;
/// `random` gives `A` this spectral radius.
pub const RANDOM_RADIUS: f64 = 0.95;
/// Scale of the random couplings above the eigenvalue blocks of the random `A`.
pub const RANDOM_COUPLING_SCALE: f64 = 0.5;
/// Scale of the random `Q` and `R`.
pub const RANDOM_NOISE_SCALE: f64 = 0.1;
/// Scale of the random `Sigma_0`.
pub const RANDOM_SIGMA0_SCALE: f64 = 1.0;
