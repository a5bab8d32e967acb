//! The validated model, random models and sampling
//! (`sc_neurocore/world_model/_lgssm_model.py`).

use crate::array::NdArray;
use crate::checks::{check_finite, check_int};
use crate::error::{MirrorError, Result, mul_size, zeroed};
use crate::splitmix::SplitMix64;

use super::checks::{
    as_controls, matrix, positive_definite, positive_semidefinite, semidefinite_factor,
    shape_error, symmetric, vector,
};
use super::linalg::{Mat, all_finite, cholesky, map, matmul, matvec, shift_diagonal, vadd};
use super::{RANDOM_COUPLING_SCALE, RANDOM_NOISE_SCALE, RANDOM_RADIUS, RANDOM_SIGMA0_SCALE};

/// A validated linear-Gaussian state-space model.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearGaussianSsm {
    pub(super) a: Mat,
    pub(super) b: Mat,
    pub(super) c: Mat,
    pub(super) d: Mat,
    pub(super) q: Mat,
    pub(super) r: Mat,
    pub(super) mu_0: Vec<f64>,
    pub(super) sigma_0: Mat,
}

impl LinearGaussianSsm {
    /// Validates the parameters as the Python constructor does, in its order:
    /// `A` (finite, square, `n >= 1`), `B` (`(n, m)`; `None`: `m = 0`), `C`
    /// (`(p, n)`, `p >= 1`), `D` (`(p, m)`; `None`: zeros), `Q`, `R`, `mu_0`,
    /// `Sigma_0` (finite, shapes), then symmetry of `Q`, `R`, `Sigma_0`, `Q`
    /// PSD, `R` PD, `Sigma_0` PD. Stores `Q`, `R`, `Sigma_0` symmetrised.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        a: &NdArray<f64>,
        b: Option<&NdArray<f64>>,
        c: &NdArray<f64>,
        d: Option<&NdArray<f64>>,
        q: &NdArray<f64>,
        r: &NdArray<f64>,
        mu_0: &NdArray<f64>,
        sigma_0: &NdArray<f64>,
    ) -> Result<Self> {
        check_finite("A", a)?;
        let n = match a.shape() {
            [r0, c0] if r0 == c0 && *r0 >= 1 => *r0,
            _ => {
                return Err(shape_error(
                    "A",
                    "be a non-empty square matrix of shape (n, n) with n >= 1",
                    a,
                ));
            }
        };
        let a = Mat::from_vec("A", n, n, a.data().to_vec())?;
        let b = match b {
            None => Mat::zeros(n, 0),
            Some(b) => matrix("B", b, Some(n), None, "(n, m)")?,
        };
        let m = b.cols;
        check_finite("C", c)?;
        let p = match c.shape() {
            [r0, c0] if *c0 == n && *r0 >= 1 => *r0,
            _ => {
                return Err(shape_error(
                    "C",
                    &format!("have shape (p, n) = (p, {n}) with p >= 1"),
                    c,
                ));
            }
        };
        let c = Mat::from_vec("C", p, n, c.data().to_vec())?;
        let d = match d {
            None => Mat::zeros(p, m),
            Some(d) => matrix("D", d, Some(p), Some(m), "(p, m)")?,
        };
        let q = matrix("Q", q, Some(n), Some(n), "(n, n)")?;
        let r = matrix("R", r, Some(p), Some(p), "(p, p)")?;
        let mu_0 = vector("mu_0", mu_0, n, "n", false)?;
        let sigma_0 = matrix("Sigma_0", sigma_0, Some(n), Some(n), "(n, n)")?;
        Self::from_parts(a, b, c, d, q, r, mu_0, sigma_0)
    }

    /// [`LinearGaussianSsm::new`] from the eight arrays in the constructor's
    /// order `A, B, C, D, Q, R, mu_0, Sigma_0` (`B` and `D` given).
    pub fn from_arrays(parts: &[NdArray<f64>; 8]) -> Result<Self> {
        let [a, b, c, d, q, r, mu_0, sigma_0] = parts;
        Self::new(a, Some(b), c, Some(d), q, r, mu_0, sigma_0)
    }

    /// The symmetry and definiteness checks on shape-checked, finite parts.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn from_parts(
        a: Mat,
        b: Mat,
        c: Mat,
        d: Mat,
        q: Mat,
        r: Mat,
        mu_0: Vec<f64>,
        sigma_0: Mat,
    ) -> Result<Self> {
        // The constructor's finiteness order (`new` has checked it already; the
        // random and EM models are checked here).
        let finite = [
            ("A", all_finite(&a.data)),
            ("B", all_finite(&b.data)),
            ("C", all_finite(&c.data)),
            ("D", all_finite(&d.data)),
            ("Q", all_finite(&q.data)),
            ("R", all_finite(&r.data)),
            ("mu_0", all_finite(&mu_0)),
            ("Sigma_0", all_finite(&sigma_0.data)),
        ];
        if let Some((arg, _)) = finite.iter().find(|(_, ok)| !ok) {
            return Err(MirrorError::value(arg, format!("{arg} must be finite")));
        }
        let q = symmetric("Q", &q)?;
        let r = symmetric("R", &r)?;
        let sigma_0 = symmetric("Sigma_0", &sigma_0)?;
        positive_semidefinite("Q", &q)?;
        positive_definite("R", &r)?;
        positive_definite("Sigma_0", &sigma_0)?;
        Ok(LinearGaussianSsm {
            a,
            b,
            c,
            d,
            q,
            r,
            mu_0,
            sigma_0,
        })
    }

    /// A random stable model from `SplitMix64(seed)` whose `A` has spectral
    /// radius `RANDOM_RADIUS` (0.95): `A = V T V` with `V` a Householder
    /// reflection and `T` quasi-upper-triangular, drawn in the order written
    /// on the Python `LinearGaussianSSM.random` (normals, two words each,
    /// blocks row-major): `v` (`n`), block radii `w` (one per diagonal block),
    /// per 2-block `(x, y, z)`, the 1-block `x`, the couplings above the
    /// blocks; then `B` (`n*m`), `C` (`p*n`), `D = 0` (no draws), `Q` from
    /// `M` (`n*n`: `matmul(M, M^T) * (0.1 / n)` then `+ 0.1` on the
    /// diagonal), `R` the same with `p`, `mu_0` (`n`), `Sigma_0` as `Q` with
    /// scale `1.0`.
    pub fn random(state_dim: i64, obs_dim: i64, control_dim: i64, seed: u64) -> Result<Self> {
        let n = check_int("state_dim", state_dim, 1, None)?;
        let p = check_int("obs_dim", obs_dim, 1, None)?;
        let m = check_int("control_dim", control_dim, 0, None)?;
        let mut g = SplitMix64::new(seed);
        let a = random_transition(&mut g, n)?;
        let b = Mat::from_vec(
            "control_dim",
            n,
            m,
            g.normals(mul_size(n, m, "control_dim")?)?,
        )?;
        let c = Mat::from_vec("obs_dim", p, n, g.normals(mul_size(p, n, "obs_dim")?)?)?;
        let d = Mat::zeros(p, m);
        let q = random_covariance(&mut g, n, RANDOM_NOISE_SCALE, "state_dim")?;
        let r = random_covariance(&mut g, p, RANDOM_NOISE_SCALE, "obs_dim")?;
        let mu_0 = g.normals(n)?;
        let sigma_0 = random_covariance(&mut g, n, RANDOM_SIGMA0_SCALE, "state_dim")?;
        Self::from_parts(a, b, c, d, q, r, mu_0, sigma_0)
    }

    /// Simulated `(states (T, n), observations (T, p))` from `SplitMix64(seed)`:
    /// `x_0 = mu_0 + matvec(L_0, normals(n))`; for each `t`:
    /// `y_t = (matvec(C, x_t) + matvec(D, u_t)) + matvec(L_R, normals(p))`,
    /// and before the last step `x_{t+1} = (matvec(A, x_t) + matvec(B, u_t)) +
    /// matvec(L_Q, normals(n))`. `L_0`, `L_R`: Cholesky factors; `L_Q`: the
    /// semidefinite factor of `Q`.
    pub fn sample(
        &self,
        n_steps: i64,
        controls: Option<&NdArray<f64>>,
        seed: u64,
    ) -> Result<(Mat, Mat)> {
        let steps = check_int("n_steps", n_steps, 1, None)?;
        let u = as_controls(controls, steps, self.control_dim(), "controls")?;
        let (n, p) = (self.state_dim(), self.obs_dim());
        let mut g = SplitMix64::new(seed);
        let l0 = cholesky(&self.sigma_0, 0.0)
            .map_err(|_| MirrorError::value("Sigma_0", "Sigma_0 must be positive definite"))?;
        let lr = cholesky(&self.r, 0.0)
            .map_err(|_| MirrorError::value("R", "R must be positive definite"))?;
        let lq = semidefinite_factor(&self.q);
        // Allocated up front: a huge `n_steps` is an error, not an abort.
        let mut states = zeroed::<f64>(mul_size(steps, n, "n_steps")?, "n_steps")?;
        let mut obs = zeroed::<f64>(mul_size(steps, p, "n_steps")?, "n_steps")?;
        let mut x = vadd(&self.mu_0, &matvec(&l0, &g.normals(n)?));
        for t in 0..steps {
            states[t * n..(t + 1) * n].copy_from_slice(&x);
            let y = vadd(
                &vadd(&matvec(&self.c, &x), &matvec(&self.d, u.row(t))),
                &matvec(&lr, &g.normals(p)?),
            );
            obs[t * p..(t + 1) * p].copy_from_slice(&y);
            if t + 1 < steps {
                x = vadd(
                    &vadd(&matvec(&self.a, &x), &matvec(&self.b, u.row(t))),
                    &matvec(&lq, &g.normals(n)?),
                );
            }
        }
        if !(all_finite(&states) && all_finite(&obs)) {
            return Err(MirrorError::value(
                "n_steps",
                "n_steps: the simulation overflowed float64 (the model's values grow too large \
                 over this many steps)",
            ));
        }
        Ok((
            Mat::from_vec("n_steps", steps, n, states)?,
            Mat::from_vec("n_steps", steps, p, obs)?,
        ))
    }

    /// `n`.
    pub fn state_dim(&self) -> usize {
        self.a.rows
    }

    /// `p`.
    pub fn obs_dim(&self) -> usize {
        self.c.rows
    }

    /// `m`.
    pub fn control_dim(&self) -> usize {
        self.b.cols
    }

    /// `A`.
    pub fn a(&self) -> &Mat {
        &self.a
    }

    /// `B`.
    pub fn b(&self) -> &Mat {
        &self.b
    }

    /// `C`.
    pub fn c(&self) -> &Mat {
        &self.c
    }

    /// `D`.
    pub fn d(&self) -> &Mat {
        &self.d
    }

    /// `Q` (symmetrised).
    pub fn q(&self) -> &Mat {
        &self.q
    }

    /// `R` (symmetrised).
    pub fn r(&self) -> &Mat {
        &self.r
    }

    /// `mu_0`.
    pub fn mu_0(&self) -> &[f64] {
        &self.mu_0
    }

    /// `Sigma_0` (symmetrised).
    pub fn sigma_0(&self) -> &Mat {
        &self.sigma_0
    }
}

/// `A = V T V` of [`LinearGaussianSsm::random`] (steps 1 to 5 of the Python
/// draw order): `V[i][j] = [i = j] - (f * v_i) * v_j` with
/// `f = 2.0 / sum_i v_i*v_i`; block radii `r_k = 0.95 * (|w_k| / max|w|)`; a
/// 2-block from `(x, y, z)`: `h = sqrt(x*x + y*y)`, `c = r * (x / h)`,
/// `s = r * (y / h)`, `[[c, -s], [s, c]]` when `z >= 0`, else
/// `diag(+-r, s)` with the sign of `x`; the 1-block `[+-r]` by the sign of
/// its `x`; each entry above the blocks `normal * RANDOM_COUPLING_SCALE`.
fn random_transition(g: &mut SplitMix64, n: usize) -> Result<Mat> {
    // Allocated before anything is drawn: a huge `n` is an error, not an abort.
    let size = mul_size(n, n, "state_dim")?;
    let mut reflect = Mat::from_vec("state_dim", n, n, zeroed(size, "state_dim")?)?;
    let mut schur = Mat::from_vec("state_dim", n, n, zeroed(size, "state_dim")?)?;
    let v = g.normals(n)?;
    let mut norm2 = 0.0;
    for x in &v {
        norm2 += x * x;
    }
    let f = 2.0 / norm2;
    for i in 0..n {
        for j in 0..n {
            let delta = if i == j { 1.0 } else { 0.0 };
            reflect.set(i, j, delta - (f * v[i]) * v[j]);
        }
    }
    let (pairs, single) = (n / 2, n % 2);
    let weights: Vec<f64> = g.normals(pairs + single)?.iter().map(|w| w.abs()).collect();
    let wmax = weights.iter().fold(0.0f64, |acc, &w| acc.max(w));
    let radii: Vec<f64> = weights.iter().map(|w| RANDOM_RADIUS * (w / wmax)).collect();
    for (k, &r) in radii.iter().enumerate().take(pairs) {
        let xyz = g.normals(3)?;
        let (x, y, z) = (xyz[0], xyz[1], xyz[2]);
        let h = (x * x + y * y).sqrt();
        let (c, s) = (r * (x / h), r * (y / h));
        let i = 2 * k;
        if z >= 0.0 {
            schur.set(i, i, c);
            schur.set(i, i + 1, -s);
            schur.set(i + 1, i, s);
            schur.set(i + 1, i + 1, c);
        } else {
            schur.set(i, i, if x >= 0.0 { r } else { -r });
            schur.set(i + 1, i + 1, s);
        }
    }
    if single == 1 {
        let x = g.normals(1)?[0];
        let r = radii[pairs];
        schur.set(n - 1, n - 1, if x >= 0.0 { r } else { -r });
    }
    let above: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .filter(|&(i, j)| !(i % 2 == 0 && j == i + 1 && i / 2 < pairs))
        .collect();
    let couplings = g.normals(above.len())?;
    for (&(i, j), u) in above.iter().zip(&couplings) {
        schur.set(i, j, u * RANDOM_COUPLING_SCALE);
    }
    Ok(matmul(&matmul(&reflect, &schur), &reflect))
}

/// `matmul(M, M^T) * (s / dim)` then `+ s` on the diagonal, `M = normals(dim*dim)`.
fn random_covariance(g: &mut SplitMix64, d: usize, s: f64, arg: &str) -> Result<Mat> {
    let m = Mat::from_vec(arg, d, d, g.normals(mul_size(d, d, arg)?)?)?;
    let f = s / d as f64;
    let cov = map(&matmul(&m, &m.t()), |x| x * f);
    Ok(shift_diagonal(&cov, s))
}
