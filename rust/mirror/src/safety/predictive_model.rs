//! Mirror of `sc_neurocore.world_model.predictive_model`: linear-Gaussian
//! state-space models (validation and `random`), the Kalman filter, the RTS
//! smoother and EM (one iteration, and the `fit` loop over it), checked
//! against `parity/golden/predictive_model.txt`.
//!
//! The model (`n` states, `p` observations, `m` controls):
//! `x_0 ~ N(mu_0, Sigma_0)`, `x_{t+1} = A x_t + B u_t + w_t` (`w ~ N(0, Q)`),
//! `y_t = C x_t + D u_t + v_t` (`v ~ N(0, R)`).
//!
//! **Order of operations.** Every product, factorization and solve is one of
//! the small dense routines below, each doing exactly the IEEE-754 double
//! operations of its Python twin in `sc_neurocore/world_model/_linalg.py`, in
//! the same order: sums start from `0.0` and add terms in increasing index
//! order, every product is one multiplication (Rust never fuses a multiply and
//! an add on its own). So the filter, smoother and EM outputs match Python bit
//! for bit; only the log-likelihood (`ln` from the platform's math library)
//! and whatever is drawn from normals (`ln`, `cos`) are compared within
//! `rtol` 1e-12.
//!
//! **Validation** (the Python rules, same constants): symmetry
//! `|M[i,j] - M[j,i]| <= SYM_RTOL * max|M|`, then `symmetrize`; `R`, `Sigma_0`
//! positive definite: every Cholesky pivot `> PD_RTOL * max_i |M[i,i]|`; `Q`
//! positive semidefinite: `Q + PSD_RTOL * max_i |Q[i,i]| * I` has a Cholesky
//! factor (pivots `> 0`), or `Q` is exactly zero when its diagonal is. Every
//! invalid input is an `Err` naming the argument, never a panic.
//!
//! **Randomness** (docs/safety-mirrors.md, `world_model.predictive_model`):
//! [`LinearGaussianSsm::random`] and [`LinearGaussianSsm::sample`] each own a
//! fresh [`SplitMix64`] seeded with their `seed` and draw normals (two words
//! each) in the order written on them.

use crate::array::{NdArray, format_shape};
use crate::checks::{Bounds, check_finite, check_int, check_real};
use crate::error::{MirrorError, Result, mul_size, zeroed};
use crate::splitmix::SplitMix64;

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
/// `random` scales `A` to this maximum absolute row sum.
pub const RANDOM_RADIUS: f64 = 0.9;
/// Scale of the random `Q` and `R`.
pub const RANDOM_NOISE_SCALE: f64 = 0.1;
/// Scale of the random `Sigma_0`.
pub const RANDOM_SIGMA0_SCALE: f64 = 1.0;

// ------------------------------------------------------------------ dense matrices
//
// The routines below are private: they index without checks and are only
// called on shapes the model's validation has already established.

/// A small dense row-major matrix of doubles (built with [`Mat::from_vec`],
/// which checks the size; returned by the model's accessors).
#[derive(Debug, Clone, PartialEq)]
pub struct Mat {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Mat {
    /// A `rows x cols` matrix of zeros.
    fn zeros(rows: usize, cols: usize) -> Mat {
        Mat {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// The `n x n` identity.
    fn identity(n: usize) -> Mat {
        let mut out = Mat::zeros(n, n);
        for i in 0..n {
            out.set(i, i, 1.0);
        }
        out
    }

    /// A matrix from row-major `data` (its length must be `rows * cols`).
    pub fn from_vec(arg: &str, rows: usize, cols: usize, data: Vec<f64>) -> Result<Mat> {
        if mul_size(rows, cols, arg)? != data.len() {
            return Err(MirrorError::value(
                arg,
                format!("{arg} needs {rows} x {cols} values, got {}", data.len()),
            ));
        }
        Ok(Mat { rows, cols, data })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The values, row-major.
    pub fn data(&self) -> &[f64] {
        &self.data
    }

    /// Element `(i, j)`.
    fn at(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }

    fn set(&mut self, i: usize, j: usize, v: f64) {
        self.data[i * self.cols + j] = v;
    }

    /// Row `i`.
    fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// The transpose (exact).
    pub fn t(&self) -> Mat {
        let mut out = Mat::zeros(self.cols, self.rows);
        for i in 0..self.rows {
            for j in 0..self.cols {
                out.set(j, i, self.at(i, j));
            }
        }
        out
    }

    /// As an `NdArray` of shape `(rows, cols)`.
    pub fn to_nd(&self) -> NdArray<f64> {
        NdArray::new("matrix", vec![self.rows, self.cols], self.data.clone())
            .unwrap_or_else(|_| NdArray::from_vec(self.data.clone()))
    }
}

/// `a @ b`: `out[i][j] = ((0.0 + a[i][0]*b[0][j]) + a[i][1]*b[1][j]) + ...`.
fn matmul(a: &Mat, b: &Mat) -> Mat {
    let mut out = Mat::zeros(a.rows, b.cols);
    for i in 0..a.rows {
        for j in 0..b.cols {
            let mut s = 0.0;
            for k in 0..a.cols {
                s += a.at(i, k) * b.at(k, j);
            }
            out.set(i, j, s);
        }
    }
    out
}

/// `a @ v`: `out[i] = ((0.0 + a[i][0]*v[0]) + a[i][1]*v[1]) + ...`.
fn matvec(a: &Mat, v: &[f64]) -> Vec<f64> {
    (0..a.rows)
        .map(|i| {
            let mut s = 0.0;
            for (k, vk) in v.iter().enumerate().take(a.cols) {
                s += a.at(i, k) * vk;
            }
            s
        })
        .collect()
}

/// `out[i][j] = a[i] * b[j]`.
fn outer(a: &[f64], b: &[f64]) -> Mat {
    let mut out = Mat::zeros(a.len(), b.len());
    for (i, ai) in a.iter().enumerate() {
        for (j, bj) in b.iter().enumerate() {
            out.set(i, j, ai * bj);
        }
    }
    out
}

/// `out[i][j] = (m[i][j] + m[j][i]) * 0.5` (exactly symmetric).
fn symmetrize(m: &Mat) -> Mat {
    let mut out = Mat::zeros(m.rows, m.cols);
    for i in 0..m.rows {
        for j in 0..m.cols {
            out.set(i, j, (m.at(i, j) + m.at(j, i)) * 0.5);
        }
    }
    out
}

fn zip_with(a: &Mat, b: &Mat, f: impl Fn(f64, f64) -> f64) -> Mat {
    Mat {
        rows: a.rows,
        cols: a.cols,
        data: a.data.iter().zip(&b.data).map(|(x, y)| f(*x, *y)).collect(),
    }
}

/// `a + b` elementwise.
fn add(a: &Mat, b: &Mat) -> Mat {
    zip_with(a, b, |x, y| x + y)
}

/// `a - b` elementwise.
fn sub(a: &Mat, b: &Mat) -> Mat {
    zip_with(a, b, |x, y| x - y)
}

fn scale(a: &Mat, f: impl Fn(f64) -> f64) -> Mat {
    Mat {
        rows: a.rows,
        cols: a.cols,
        data: a.data.iter().map(|x| f(*x)).collect(),
    }
}

fn vadd(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

fn vsub(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

/// Lower Cholesky factor by columns, without pivoting: pivot
/// `s = m[j][j] - L[j][0]^2 - ... - L[j][j-1]^2` (in that order) must be
/// `> threshold` (NaN fails), `L[j][j] = sqrt(s)`, and for `i > j`
/// `L[i][j] = (m[i][j] - L[i][0]*L[j][0] - ...) / L[j][j]`. Only the lower
/// triangle is read. `Err((j, s))`: the first failing column and its pivot.
fn cholesky(m: &Mat, threshold: f64) -> std::result::Result<Mat, (usize, f64)> {
    match column_cholesky(m, threshold, true) {
        (low, None) => Ok(low),
        (_, Some(failed)) => Err(failed),
    }
}

/// The column loop of [`cholesky`] and [`semidefinite_factor`]: a pivot `s`
/// that is NaN or `<= threshold` ends the loop with `Some((j, s))` when
/// `stop`, else leaves column `j` zero.
fn column_cholesky(m: &Mat, threshold: f64, stop: bool) -> (Mat, Option<(usize, f64)>) {
    let n = m.rows;
    let mut low = Mat::zeros(n, n);
    for j in 0..n {
        let mut s = m.at(j, j);
        for k in 0..j {
            s -= low.at(j, k) * low.at(j, k);
        }
        // A NaN pivot is refused too.
        if s.is_nan() || s <= threshold {
            if stop {
                return (low, Some((j, s)));
            }
            continue;
        }
        let d = s.sqrt();
        low.set(j, j, d);
        for i in j + 1..n {
            let mut t = m.at(i, j);
            for k in 0..j {
                t -= low.at(i, k) * low.at(j, k);
            }
            low.set(i, j, t / d);
        }
    }
    (low, None)
}

/// `Z` with `L Z = G`: row `i` is `(G[i] - L[i][0]*Z[0] - ... - L[i][i-1]*Z[i-1]) / L[i][i]`.
fn solve_lower(low: &Mat, g: &Mat) -> Mat {
    let mut z = Mat::zeros(g.rows, g.cols);
    for i in 0..low.rows {
        for c in 0..g.cols {
            let mut r = g.at(i, c);
            for k in 0..i {
                r -= low.at(i, k) * z.at(k, c);
            }
            z.set(i, c, r / low.at(i, i));
        }
    }
    z
}

/// `W` with `L^T W = Z`: rows `i = p-1` down to `0`,
/// `(Z[i] - L[i+1][i]*W[i+1] - ... - L[p-1][i]*W[p-1]) / L[i][i]`.
fn solve_lower_t(low: &Mat, z: &Mat) -> Mat {
    let p = low.rows;
    let mut w = Mat::zeros(z.rows, z.cols);
    for i in (0..p).rev() {
        for c in 0..z.cols {
            let mut r = z.at(i, c);
            for k in i + 1..p {
                r -= low.at(k, i) * w.at(k, c);
            }
            w.set(i, c, r / low.at(i, i));
        }
    }
    w
}

/// `(L L^T)^{-1} G` as `solve_lower_t(L, solve_lower(L, G))`.
fn cho_solve(low: &Mat, g: &Mat) -> Mat {
    solve_lower_t(low, &solve_lower(low, g))
}

// ------------------------------------------------------------------ validation

fn shape_error(arg: &str, what: &str, a: &NdArray<f64>) -> MirrorError {
    MirrorError::value(
        arg,
        format!(
            "{arg} must be {what}, got shape {}",
            format_shape(a.shape())
        ),
    )
}

/// A finite 2-D `(rows, cols)` matrix (`None`: any size on that axis).
fn matrix(
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
            "a 2-D array of shape {form} = ({}, {})",
            dim(rows),
            dim(cols)
        );
        return Err(shape_error(arg, &what, a));
    }
    Mat::from_vec(arg, s[0], s[1], a.data().to_vec())
}

/// A finite 1-D array of `size` values.
fn vector(arg: &str, a: &NdArray<f64>, size: usize, form: &str) -> Result<Vec<f64>> {
    check_finite(arg, a)?;
    if a.shape() != [size] {
        return Err(shape_error(
            arg,
            &format!("a 1-D array of shape ({form},) = ({size},)"),
            a,
        ));
    }
    Ok(a.data().to_vec())
}

fn max_abs(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(0.0, |acc, v| acc.max(v.abs()))
}

fn max_abs_diag(m: &Mat) -> f64 {
    max_abs((0..m.rows).map(|i| m.at(i, i)))
}

fn symmetric(arg: &str, m: &Mat) -> Result<Mat> {
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

fn positive_definite(arg: &str, m: &Mat) -> Result<()> {
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

fn shift_diagonal(m: &Mat, tau: f64) -> Mat {
    let mut out = m.clone();
    for i in 0..m.rows {
        out.set(i, i, m.at(i, i) + tau);
    }
    out
}

fn positive_semidefinite(arg: &str, m: &Mat) -> Result<()> {
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
fn semidefinite_factor(m: &Mat) -> Mat {
    column_cholesky(m, PSD_RTOL * max_abs_diag(m), false).0
}

/// Observations as a `(T, p)` matrix (`(T,)` accepted when `p = 1`), `T >= min_steps`.
pub fn as_observations(obs: &NdArray<f64>, p: usize, min_steps: usize) -> Result<Mat> {
    let arg = "observations";
    check_finite(arg, obs)?;
    let s = obs.shape();
    let (rows, cols) = match s {
        [t] if p == 1 => (*t, 1),
        [t, c] if *c == p => (*t, *c),
        _ => {
            return Err(shape_error(
                arg,
                &format!("a 2-D array (T, obs_dim) = (T, {p})"),
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
    Mat::from_vec(arg, rows, cols, obs.data().to_vec())
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
            format!("{arg} must be given: the model has control_dim = {m}"),
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
            &format!("a 2-D array (T, control_dim) = ({steps}, {m})"),
            u,
        ));
    }
    Mat::from_vec(arg, steps, m, u.data().to_vec())
}

// ------------------------------------------------------------------ the model

/// A validated linear-Gaussian state-space model.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearGaussianSsm {
    a: Mat,
    b: Mat,
    c: Mat,
    d: Mat,
    q: Mat,
    r: Mat,
    mu_0: Vec<f64>,
    sigma_0: Mat,
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
                return Err(shape_error("A", "a square 2-D array (n, n) with n >= 1", a));
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
                    &format!("a 2-D array (p, n) = (p, {n}) with p >= 1"),
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
        let mu_0 = vector("mu_0", mu_0, n, "n")?;
        let sigma_0 = matrix("Sigma_0", sigma_0, Some(n), Some(n), "(n, n)")?;
        Self::from_parts(a, b, c, d, q, r, mu_0, sigma_0)
    }

    /// The symmetry and definiteness checks on shape-checked, finite parts.
    #[allow(clippy::too_many_arguments)]
    fn from_parts(
        a: Mat,
        b: Mat,
        c: Mat,
        d: Mat,
        q: Mat,
        r: Mat,
        mu_0: Vec<f64>,
        sigma_0: Mat,
    ) -> Result<Self> {
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

    /// A random stable model from `SplitMix64(seed)`; draw order (row-major
    /// blocks of normals, two words each): `G` (`n*n`), `A = G * (0.9 / r)`
    /// with `r = max_i sum_j |G[i][j]|` (row sums from `0.0`, increasing `j`);
    /// `B` (`n*m`); `C` (`p*n`); `D = 0` (no draws); `Q` from `M` (`n*n`):
    /// `matmul(M, M^T) * (0.1 / n)` then `+ 0.1` on the diagonal; `R` the same
    /// with `p`; `mu_0` (`n`); `Sigma_0` as `Q` with scale `1.0`.
    pub fn random(state_dim: i64, obs_dim: i64, control_dim: i64, seed: u64) -> Result<Self> {
        let n = check_int("state_dim", state_dim, 1, None)?;
        let p = check_int("obs_dim", obs_dim, 1, None)?;
        let m = check_int("control_dim", control_dim, 0, None)?;
        let mut g = SplitMix64::new(seed);
        let gm = Mat::from_vec("state_dim", n, n, g.normals(mul_size(n, n, "state_dim")?)?)?;
        let mut radius = 0.0f64;
        for i in 0..n {
            let mut s = 0.0;
            for j in 0..n {
                s += gm.at(i, j).abs();
            }
            radius = radius.max(s);
        }
        let a = if radius > 0.0 {
            let f = RANDOM_RADIUS / radius;
            scale(&gm, |x| x * f)
        } else {
            gm
        };
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

/// `matmul(M, M^T) * (s / dim)` then `+ s` on the diagonal, `M = normals(dim*dim)`.
fn random_covariance(g: &mut SplitMix64, d: usize, s: f64, arg: &str) -> Result<Mat> {
    let m = Mat::from_vec(arg, d, d, g.normals(mul_size(d, d, arg)?)?)?;
    let f = s / d as f64;
    let cov = scale(&matmul(&m, &m.t()), |x| x * f);
    Ok(shift_diagonal(&cov, s))
}

// ------------------------------------------------------------------ filter

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
    /// `log p(y_0..y_{T-1})`.
    pub log_likelihood: f64,
}

fn predict(model: &LinearGaussianSsm, mean: &[f64], cov: &Mat, u: &[f64]) -> (Vec<f64>, Mat) {
    let pred_mean = vadd(&matvec(&model.a, mean), &matvec(&model.b, u));
    let pred_cov = symmetrize(&add(
        &matmul(&matmul(&model.a, cov), &model.a.t()),
        &model.q,
    ));
    (pred_mean, pred_cov)
}

/// The measurement update of the Python `_update`, operation for operation.
fn update(
    model: &LinearGaussianSsm,
    pred_mean: &[f64],
    pred_cov: &Mat,
    y: &[f64],
    u: &[f64],
    step: usize,
) -> Result<(Vec<f64>, Mat, f64)> {
    let (c, r) = (&model.c, &model.r);
    let err = vsub(y, &vadd(&matvec(c, pred_mean), &matvec(&model.d, u)));
    let gain_t = matmul(pred_cov, &c.t());
    let innov = symmetrize(&add(&matmul(c, &gain_t), r));
    if !all_finite(&innov.data) {
        return Err(overflow(step));
    }
    let low = cholesky(&innov, 0.0).map_err(|(_, s)| {
        MirrorError::value(
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
    let z = solve_lower(&low, &column);
    let mut quad = 0.0;
    for v in &z.data {
        quad += v * v;
    }
    let mut half_logdet = 0.0;
    for i in 0..low.rows {
        half_logdet += low.at(i, i).ln();
    }
    let loglik = -0.5 * ((c.rows as f64 * LOG_2PI + 2.0 * half_logdet) + quad);
    Ok((mean, cov, loglik))
}

fn all_finite(values: &[f64]) -> bool {
    values.iter().all(|v| v.is_finite())
}

fn overflow(step: usize) -> MirrorError {
    MirrorError::value(
        "observations",
        format!(
            "observations: the Kalman filter overflowed float64 at step {step} (values too \
             large for this model)"
        ),
    )
}

fn filter_checked(model: &LinearGaussianSsm, y: &Mat, u: &Mat) -> Result<FilterResult> {
    let steps = y.rows;
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
        let (mean, cov, loglik) = update(model, &pm, &pc, y.row(t), u.row(t), t)?;
        total += loglik;
        if !(total.is_finite() && all_finite(&mean) && all_finite(&cov.data)) {
            return Err(overflow(t));
        }
        fr.pred_means.push(pm);
        fr.pred_covariances.push(pc);
        fr.means.push(mean);
        fr.covariances.push(cov);
    }
    fr.log_likelihood = total;
    Ok(fr)
}

/// `KalmanFilter(model).filter(observations, controls)`.
pub fn kalman_filter(
    model: &LinearGaussianSsm,
    observations: &NdArray<f64>,
    controls: Option<&NdArray<f64>>,
) -> Result<FilterResult> {
    let y = as_observations(observations, model.obs_dim(), 1)?;
    let u = as_controls(controls, y.rows, model.control_dim(), "controls")?;
    filter_checked(model, &y, &u)
}

// ------------------------------------------------------------------ smoother

/// Smoothed moments and lag-one cross-covariances.
#[derive(Debug, Clone, PartialEq)]
pub struct SmoothResult {
    /// `E[x_t | y_0..y_{T-1}]`.
    pub means: Vec<Vec<f64>>,
    /// `Cov[x_t | y_0..y_{T-1}]`.
    pub covariances: Vec<Mat>,
    /// Entry `t`: `Cov[x_{t+1}, x_t | y_0..y_{T-1}]` (`T - 1` entries).
    pub cross_covariances: Vec<Mat>,
}

/// `RTSSmoother(model).smooth(filter_result)`: for `t = T-2` down to `0`,
/// `L = cholesky(P_p[t+1])`, `J = cho_solve(L, matmul(A, P[t]))^T`,
/// `m_s[t] = m[t] + matvec(J, m_s[t+1] - m_p[t+1])`,
/// `P_s[t] = symmetrize(P[t] + matmul(matmul(J, P_s[t+1] - P_p[t+1]), J^T))`,
/// `cross[t] = matmul(P_s[t+1], J^T)`.
pub fn rts_smooth(model: &LinearGaussianSsm, fr: &FilterResult) -> Result<SmoothResult> {
    let n = model.state_dim();
    let steps = fr.means.len();
    let square = |m: &Mat| m.rows == n && m.cols == n && all_finite(&m.data);
    let fits = steps >= 1
        && fr.pred_means.len() == steps
        && fr.covariances.len() == steps
        && fr.pred_covariances.len() == steps
        && fr
            .means
            .iter()
            .chain(&fr.pred_means)
            .all(|v| v.len() == n && all_finite(v))
        && fr
            .covariances
            .iter()
            .chain(&fr.pred_covariances)
            .all(square);
    if !fits {
        return Err(MirrorError::value(
            "filter_result",
            format!(
                "filter_result must hold T >= 1 finite steps of means (n,) and covariances \
                 (n, n) with n = {n}"
            ),
        ));
    }
    let mut means = fr.means.clone();
    let mut covs = fr.covariances.clone();
    let mut cross = vec![Mat::zeros(n, n); steps - 1];
    for t in (0..steps - 1).rev() {
        let low = cholesky(&fr.pred_covariances[t + 1], 0.0).map_err(|(_, s)| {
            MirrorError::value(
                "filter_result",
                format!(
                    "filter_result: the predicted covariance at step {} is not positive \
                     definite (Cholesky pivot {s:e}); the RTS smoother needs it invertible",
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
        cross[t] = matmul(&covs[t + 1], &gain.t());
    }
    let finite = means.iter().all(|v| all_finite(v))
        && covs.iter().chain(&cross).all(|m| all_finite(&m.data));
    if !finite {
        return Err(MirrorError::value(
            "filter_result",
            "filter_result: the RTS smoother overflowed float64",
        ));
    }
    Ok(SmoothResult {
        means,
        covariances: covs,
        cross_covariances: cross,
    })
}

// ------------------------------------------------------------------ EM

/// The M-step of the Python `_m_step` on the filter result of `model`.
fn m_step(
    model: &LinearGaussianSsm,
    fr: &FilterResult,
    y: &Mat,
    u: &Mat,
) -> Result<LinearGaussianSsm> {
    let sr = rts_smooth(model, fr)?;
    let (steps, n, p) = (y.rows, model.state_dim(), model.obs_dim());
    let (ms, ps) = (&sr.means, &sr.covariances);
    let mut s00 = Mat::zeros(n, n);
    let mut s10 = Mat::zeros(n, n);
    let mut s11 = Mat::zeros(n, n);
    for t in 0..steps - 1 {
        let b = matvec(&model.b, u.row(t));
        let now = add(&ps[t], &outer(&ms[t], &ms[t]));
        let next = add(&ps[t + 1], &outer(&ms[t + 1], &ms[t + 1]));
        s00 = add(&s00, &now);
        s10 = add(
            &s10,
            &sub(
                &add(&sr.cross_covariances[t], &outer(&ms[t + 1], &ms[t])),
                &outer(&b, &ms[t]),
            ),
        );
        s11 = add(
            &s11,
            &add(
                &sub(&sub(&next, &outer(&ms[t + 1], &b)), &outer(&b, &ms[t + 1])),
                &outer(&b, &b),
            ),
        );
    }
    let mut sxx = Mat::zeros(n, n);
    let mut syx = Mat::zeros(p, n);
    let mut syy = Mat::zeros(p, p);
    for t in 0..steps {
        let e = vsub(y.row(t), &matvec(&model.d, u.row(t)));
        sxx = add(&sxx, &add(&ps[t], &outer(&ms[t], &ms[t])));
        syx = add(&syx, &outer(&e, &ms[t]));
        syy = add(&syy, &outer(&e, &e));
    }
    let degenerate = || {
        MirrorError::value(
            "observations",
            "observations: the EM statistics sum_t E[x_t x_t^T] are not positive definite",
        )
    };
    let low00 = cholesky(&s00, 0.0).map_err(|_| degenerate());
    let lowxx = cholesky(&sxx, 0.0).map_err(|_| degenerate());
    let (low00, lowxx) = (low00?, lowxx?);
    let a_new = cho_solve(&low00, &s10.t()).t();
    let divisor = (steps - 1) as f64;
    let q_new = symmetrize(&scale(&sub(&s11, &matmul(&a_new, &s10.t())), |x| {
        x / divisor
    }));
    let c_new = cho_solve(&lowxx, &syx.t()).t();
    let divisor = steps as f64;
    let r_new = symmetrize(&scale(&sub(&syy, &matmul(&c_new, &syx.t())), |x| {
        x / divisor
    }));
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
            format!("observations: the EM update gives an invalid model ({e})"),
        )
    })
}

/// `EMLearner().step(observations, model, controls)`: one EM iteration
/// (filter, smoother, M-step for `A, C, Q, R, mu_0, Sigma_0` with `B`, `D`
/// fixed); returns the new model and the given model's log-likelihood.
pub fn em_step(
    model: &LinearGaussianSsm,
    observations: &NdArray<f64>,
    controls: Option<&NdArray<f64>>,
) -> Result<(LinearGaussianSsm, f64)> {
    let y = as_observations(observations, model.obs_dim(), 2)?;
    let u = as_controls(controls, y.rows, model.control_dim(), "controls")?;
    let fr = filter_checked(model, &y, &u)?;
    Ok((m_step(model, &fr, &y, &u)?, fr.log_likelihood))
}

/// The `EMLearner(max_iter, tol)` checks: `max_iter >= 1`, then `tol` finite and `>= 0`.
pub fn check_em_params(max_iter: i64, tol: f64) -> Result<(usize, f64)> {
    let max_iter = check_int("max_iter", max_iter, 1, None)?;
    Ok((max_iter, check_real("tol", tol, Bounds::at_least(0.0))?))
}

/// `EMLearner(max_iter, tol).fit(observations, initial_model, controls)`:
/// `max_iter >= 1`, `tol` finite `>= 0`; iterate until the gain is `<= tol`
/// or `max_iter` iterations; a decrease beyond
/// `LL_ROUNDING_RTOL * max(1, |previous|)` is an error (naming
/// `observations`). Returns the last model and the log-likelihoods.
pub fn em_fit(
    initial_model: &LinearGaussianSsm,
    observations: &NdArray<f64>,
    controls: Option<&NdArray<f64>>,
    max_iter: i64,
    tol: f64,
) -> Result<(LinearGaussianSsm, Vec<f64>)> {
    let (max_iter, tol) = check_em_params(max_iter, tol)?;
    let y = as_observations(observations, initial_model.obs_dim(), 2)?;
    let u = as_controls(controls, y.rows, initial_model.control_dim(), "controls")?;
    let mut model = initial_model.clone();
    let mut fr = filter_checked(&model, &y, &u)?;
    let mut lls = vec![fr.log_likelihood];
    for k in 0..max_iter {
        let new = m_step(&model, &fr, &y, &u)?;
        let fr_new = filter_checked(&new, &y, &u)?;
        let (previous, current) = (fr.log_likelihood, fr_new.log_likelihood);
        let gain = current - previous;
        if gain < -LL_ROUNDING_RTOL * previous.abs().max(1.0) {
            return Err(MirrorError::value(
                "observations",
                format!(
                    "EM iteration {} decreased the log-likelihood from {previous:?} to \
                     {current:?}, by more than rounding",
                    k + 1
                ),
            ));
        }
        model = new;
        fr = fr_new;
        lls.push(current);
        if gain <= tol {
            break;
        }
    }
    Ok((model, lls))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::{self, op};
    use crate::golden::{Case, Field, Values};
    use crate::golden_check::{check_golden, load};

    const MODEL_KEYS: [&str; 8] = ["A", "B", "C", "D", "Q", "R", "mu_0", "Sigma_0"];

    fn model_of(x: &[Field]) -> Result<LinearGaussianSsm> {
        let mut arrays = Vec::new();
        for key in MODEL_KEYS {
            arrays.push(fields::f64_array(x, key)?);
        }
        LinearGaussianSsm::new(
            &arrays[0],
            Some(&arrays[1]),
            &arrays[2],
            Some(&arrays[3]),
            &arrays[4],
            &arrays[5],
            &arrays[6],
            &arrays[7],
        )
    }

    fn controls_of(x: &[Field]) -> Result<Option<NdArray<f64>>> {
        fields::optional(x, "controls", fields::f64_array)
    }

    fn vec_field(name: &str, v: &[f64]) -> Field {
        Field::f64s(name, v.to_vec())
    }

    fn mat_field(name: &str, m: &Mat) -> Field {
        Field::from_f64(name, m.to_nd())
    }

    fn new_model_fields(m: &LinearGaussianSsm) -> Vec<Field> {
        vec![
            mat_field("A_new", m.a()),
            mat_field("C_new", m.c()),
            mat_field("Q_new", m.q()),
            mat_field("R_new", m.r()),
            vec_field("mu_0_new", m.mu_0()),
            mat_field("Sigma_0_new", m.sigma_0()),
        ]
    }

    /// One golden case through the mirror (see parity/safety_cases/predictive_model.py).
    fn run(case: &Case) -> Result<Vec<Field>> {
        let x = &case.inputs;
        Ok(match op(x)?.as_str() {
            "LinearGaussianSSM" => {
                let m = model_of(x)?;
                vec![
                    Field::i64_scalar("state_dim", m.state_dim() as i64),
                    Field::i64_scalar("obs_dim", m.obs_dim() as i64),
                    Field::i64_scalar("control_dim", m.control_dim() as i64),
                    mat_field("Q_sym", m.q()),
                    mat_field("R_sym", m.r()),
                    mat_field("Sigma_0_sym", m.sigma_0()),
                ]
            }
            "LinearGaussianSSM.random" => {
                let m = LinearGaussianSsm::random(
                    fields::i64_scalar(x, "state_dim")?,
                    fields::i64_scalar(x, "obs_dim")?,
                    fields::i64_scalar(x, "control_dim")?,
                    fields::u64_scalar(x, "seed")?,
                )?;
                vec![
                    mat_field("A", m.a()),
                    mat_field("B", m.b()),
                    mat_field("C", m.c()),
                    mat_field("D", m.d()),
                    mat_field("Q", m.q()),
                    mat_field("R", m.r()),
                    vec_field("mu_0", m.mu_0()),
                    mat_field("Sigma_0", m.sigma_0()),
                ]
            }
            "LinearGaussianSSM.sample" => {
                let m = model_of(x)?;
                let n_steps = fields::i64_scalar(x, "n_steps")?;
                let controls = controls_of(x)?;
                let seed = fields::u64_scalar(x, "seed")?;
                let (states, obs) = m.sample(n_steps, controls.as_ref(), seed)?;
                vec![
                    mat_field("states", &states),
                    mat_field("observations", &obs),
                ]
            }
            "KalmanFilter.filter" => {
                let m = model_of(x)?;
                let obs = fields::f64_array(x, "observations")?;
                let fr = kalman_filter(&m, &obs, controls_of(x)?.as_ref())?;
                let n = m.state_dim();
                vec![
                    Field::from_f64("means", stack_rows("means", &fr.means, n)?),
                    Field::from_f64(
                        "covariances",
                        stack_mats("covariances", &fr.covariances, n, n)?,
                    ),
                    Field::from_f64("pred_means", stack_rows("pred_means", &fr.pred_means, n)?),
                    Field::from_f64(
                        "pred_covariances",
                        stack_mats("pred_covariances", &fr.pred_covariances, n, n)?,
                    ),
                    Field::f64_scalar("log_likelihood", fr.log_likelihood),
                ]
            }
            "RTSSmoother.smooth" => {
                let m = model_of(x)?;
                let obs = fields::f64_array(x, "observations")?;
                let fr = kalman_filter(&m, &obs, controls_of(x)?.as_ref())?;
                let sr = rts_smooth(&m, &fr)?;
                let n = m.state_dim();
                vec![
                    Field::from_f64("means", stack_rows("means", &sr.means, n)?),
                    Field::from_f64(
                        "covariances",
                        stack_mats("covariances", &sr.covariances, n, n)?,
                    ),
                    Field::from_f64(
                        "cross_covariances",
                        stack_mats("cross_covariances", &sr.cross_covariances, n, n)?,
                    ),
                ]
            }
            "EMLearner.step" => {
                let m = model_of(x)?;
                let obs = fields::f64_array(x, "observations")?;
                let (new, loglik) = em_step(&m, &obs, controls_of(x)?.as_ref())?;
                let mut out = vec![Field::f64_scalar("log_likelihood", loglik)];
                out.extend(new_model_fields(&new));
                out
            }
            "EMLearner.fit" => {
                // Python builds the learner (max_iter, tol) before it looks at the data.
                let max_iter = fields::i64_scalar(x, "max_iter")?;
                let tol = fields::f64_scalar(x, "tol")?;
                check_em_params(max_iter, tol)?;
                let m = model_of(x)?;
                let obs = fields::f64_array(x, "observations")?;
                let (fitted, lls) = em_fit(&m, &obs, controls_of(x)?.as_ref(), max_iter, tol)?;
                let mut out = vec![Field::f64s("log_likelihoods", lls)];
                out.extend(new_model_fields(&fitted));
                out
            }
            other => return Err(MirrorError::value("op", format!("unknown op {other:?}"))),
        })
    }

    #[test]
    fn golden_predictive_model() {
        let counts = check_golden("predictive_model", run);
        assert!(counts.valid >= 40 && counts.invalid >= 40, "{counts:?}");
    }

    /// The outputs the file compares within `rtol` are, in fact, far closer:
    /// everything but `ln`/`cos` is the same sequence of IEEE operations.
    #[test]
    fn achieved_error_is_far_below_rtol() {
        let file = load("predictive_model");
        let mut worst: Vec<(String, f64)> = Vec::new();
        for case in file.cases.iter().filter(|c| !c.outputs.is_empty()) {
            let got = run(case).expect("valid case");
            for (g, w) in got.iter().zip(&case.outputs) {
                let (Values::F64(gv), Values::F64(wv)) = (&g.values, &w.values) else {
                    continue;
                };
                let err = gv
                    .iter()
                    .zip(wv)
                    .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
                    .fold(0.0, f64::max);
                match worst.iter_mut().find(|(name, _)| *name == w.name) {
                    Some(slot) => slot.1 = slot.1.max(err),
                    None => worst.push((w.name.clone(), err)),
                }
            }
        }
        eprintln!("predictive_model: largest relative error per output: {worst:?}");
        for (name, err) in &worst {
            let bound = if file.rtol_of(name).is_some() {
                1e-14
            } else {
                0.0
            };
            assert!(*err <= bound, "{name}: {err:e} > {bound:e}");
        }
    }

    #[test]
    fn matmul_sums_in_index_order_from_zero() {
        // ((0 + 1e16) + 1) - 1e16 = 0 in the documented order (1e16 + 1 rounds to 1e16);
        // a pairwise or reordered sum would give 1.
        let a = Mat::from_vec("a", 1, 3, vec![1e16, 1.0, -1e16]).unwrap();
        let b = Mat::from_vec("b", 3, 1, vec![1.0, 1.0, 1.0]).unwrap();
        assert_eq!(matmul(&a, &b).data(), &[0.0]);
        assert_eq!(matvec(&a, &[1.0, 1.0, 1.0]), vec![0.0]);
        // -0.0 products still give +0.0: the sum starts from 0.0.
        let z = Mat::from_vec("z", 1, 1, vec![-0.0]).unwrap();
        assert_eq!(matmul(&z, &Mat::identity(1)).data()[0].to_bits(), 0);
        // An empty inner dimension gives zeros.
        assert_eq!(
            matmul(&Mat::zeros(2, 0), &Mat::zeros(0, 3)),
            Mat::zeros(2, 3)
        );
    }

    #[test]
    fn cholesky_and_solves() {
        let m =
            Mat::from_vec("m", 3, 3, vec![4.0, 2.0, 0.4, 2.0, 5.0, 1.0, 0.4, 1.0, 3.0]).unwrap();
        let low = cholesky(&m, 0.0).unwrap();
        let back = matmul(&low, &low.t());
        for (x, y) in back.data().iter().zip(m.data()) {
            assert!((x - y).abs() < 1e-14);
        }
        let g = Mat::from_vec("g", 3, 2, vec![1.0, 0.0, 2.0, 1.0, -1.0, 3.0]).unwrap();
        let w = cho_solve(&low, &g);
        let again = matmul(&m, &w);
        for (x, y) in again.data().iter().zip(g.data()) {
            assert!((x - y).abs() < 1e-13);
        }
        let bad = Mat::from_vec("m", 2, 2, vec![1.0, 2.0, 2.0, 1.0]).unwrap();
        assert_eq!(cholesky(&bad, 0.0).unwrap_err().0, 1);
        let nan = Mat::from_vec("m", 1, 1, vec![f64::NAN]).unwrap();
        assert!(cholesky(&nan, 0.0).is_err());
        assert_eq!(LOG_2PI, (2.0 * std::f64::consts::PI).ln());
    }

    fn nd(shape: &[usize], data: &[f64]) -> NdArray<f64> {
        NdArray::new("x", shape.to_vec(), data.to_vec()).unwrap()
    }

    /// The scalar model `A = a, C = c, Q = q, R = r, Sigma_0 = s0`, no controls, `mu_0 = 0`.
    fn scalar_ssm(a: f64, c: f64, q: f64, r: f64, s0: f64) -> Result<LinearGaussianSsm> {
        let m = |v: f64| nd(&[1, 1], &[v]);
        LinearGaussianSsm::new(
            &m(a),
            None,
            &m(c),
            None,
            &m(q),
            &m(r),
            &nd(&[1], &[0.0]),
            &m(s0),
        )
    }

    fn ar1(a: f64, q: f64) -> LinearGaussianSsm {
        scalar_ssm(a, 1.0, q, 0.5, 1.0).unwrap()
    }

    #[test]
    fn refusals_name_the_argument_and_never_panic() {
        let m = ar1(0.9, 0.1);
        let obs = nd(&[3, 1], &[0.1, 0.2, 0.3]);
        // Controls missing for a model with controls.
        let with_u = LinearGaussianSsm::random(2, 1, 1, 3).unwrap();
        assert_eq!(
            kalman_filter(&with_u, &obs, None).unwrap_err().arg,
            "controls"
        );
        // Observation shapes the Python refuses.
        for shape in [vec![0usize], vec![3, 2], vec![3, 1, 1], vec![]] {
            let data = vec![0.0; shape.iter().product()];
            let arr = NdArray::new("x", shape, data).unwrap();
            assert_eq!(
                kalman_filter(&m, &arr, None).unwrap_err().arg,
                "observations"
            );
        }
        // A singular predicted covariance (A = 0, Q = 0) stops the smoother, not a panic.
        let dead = ar1(0.0, 0.0);
        let fr = kalman_filter(&dead, &obs, None).unwrap();
        assert_eq!(rts_smooth(&dead, &fr).unwrap_err().arg, "filter_result");
        // A filter result that does not fit the model.
        let mut short = kalman_filter(&m, &obs, None).unwrap();
        short.pred_means.pop();
        assert_eq!(rts_smooth(&m, &short).unwrap_err().arg, "filter_result");
        // Dimensions too large to allocate are errors, not aborts.
        assert!(LinearGaussianSsm::random(1 << 40, 1, 0, 0).is_err());
        assert!(LinearGaussianSsm::random(1 << 31, 1, 0, 0).is_err());
        assert!(LinearGaussianSsm::random(1, 1 << 40, 0, 0).is_err());
        // Overflow inside the filter is refused.
        let huge = nd(&[2, 1], &[1e300, -1e300]);
        let big = scalar_ssm(1e300, 1e300, 1e300, 1e300, 1e300).unwrap();
        assert_eq!(
            kalman_filter(&big, &huge, None).unwrap_err().arg,
            "observations"
        );
        // EM parameter ranges.
        assert_eq!(em_fit(&m, &obs, None, 0, 0.0).unwrap_err().arg, "max_iter");
        assert_eq!(
            em_fit(&m, &obs, None, 1, f64::INFINITY).unwrap_err().arg,
            "tol"
        );
        assert_eq!(em_fit(&m, &obs, None, 1, -1e-9).unwrap_err().arg, "tol");
        assert_eq!(
            em_step(&m, &nd(&[1, 1], &[0.0]), None).unwrap_err().arg,
            "observations"
        );
        assert_eq!(m.sample(0, None, 1).unwrap_err().arg, "n_steps");
        assert_eq!(
            ar1(1e200, 1.0).sample(4, None, 1).unwrap_err().arg,
            "n_steps"
        );
        // Symmetrising entries near the largest double overflows: refused.
        let e = scalar_ssm(0.5, 1.0, 1.7e308, 1.0, 1.0).unwrap_err();
        assert_eq!(e.arg, "Q");
    }

    #[test]
    fn em_log_likelihood_never_decreases() {
        let truth = LinearGaussianSsm::random(2, 2, 1, 21).unwrap();
        let u: Vec<f64> = (0..40).map(|k| (k as f64 * 0.3).cos()).collect();
        let controls = nd(&[40, 1], &u);
        let (_, obs) = truth.sample(40, Some(&controls), 5).unwrap();
        let start = LinearGaussianSsm::random(2, 2, 1, 22).unwrap();
        let obs = obs.to_nd();
        let (_, lls) = em_fit(&start, &obs, Some(&controls), 25, 0.0).unwrap();
        assert!(lls.len() >= 2);
        for pair in lls.windows(2) {
            assert!(
                pair[1] >= pair[0] - 1e-9 * pair[0].abs().max(1.0),
                "{lls:?}"
            );
        }
        assert!(lls[lls.len() - 1] > lls[0] + 1.0);
    }

    #[test]
    fn random_models_are_stable_and_valid() {
        for seed in 0..20u64 {
            let m = LinearGaussianSsm::random(3, 2, 1, seed).unwrap();
            let norm = (0..3)
                .map(|i| m.a().row(i).iter().map(|v| v.abs()).sum::<f64>())
                .fold(0.0, f64::max);
            assert!((norm - RANDOM_RADIUS).abs() < 1e-15, "{norm}");
            assert_eq!(m.d(), &Mat::zeros(2, 1));
        }
    }
}
