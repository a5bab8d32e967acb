//! Small dense matrices and the ordered linear algebra of
//! `sc_neurocore/world_model/_linalg.py`, operation for operation.
//!
//! Every sum starts from its first operand (`0.0` for a product sum) and adds
//! its terms in increasing index order; every product is one multiplication
//! (Rust never fuses a multiply and an add on its own); `a - b` is one
//! subtraction (IEEE-754: the same operation as `a + (-b)`, which is how the
//! Python side vectorises it). The routines index without checks and are only
//! called on shapes the model's validation has already established.

use crate::array::NdArray;
use crate::error::{MirrorError, Result, mul_size};

/// A small dense row-major matrix of doubles (built with [`Mat::from_vec`],
/// which checks the size; returned by the model's accessors).
#[derive(Debug, Clone, PartialEq)]
pub struct Mat {
    pub(super) rows: usize,
    pub(super) cols: usize,
    pub(super) data: Vec<f64>,
}

impl Mat {
    /// A `rows x cols` matrix of zeros.
    pub(super) fn zeros(rows: usize, cols: usize) -> Mat {
        Mat {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// The `n x n` identity.
    pub(super) fn identity(n: usize) -> Mat {
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
    pub(super) fn at(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }

    pub(super) fn set(&mut self, i: usize, j: usize, v: f64) {
        self.data[i * self.cols + j] = v;
    }

    /// Row `i`.
    pub(super) fn row(&self, i: usize) -> &[f64] {
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

    /// The rows `rows` (in that order) and, when `cols` is given, only those columns.
    pub(super) fn select(&self, rows: &[usize], cols: Option<&[usize]>) -> Mat {
        let all: Vec<usize> = (0..self.cols).collect();
        let cols = cols.unwrap_or(&all);
        let mut out = Mat::zeros(rows.len(), cols.len());
        for (a, &i) in rows.iter().enumerate() {
            for (b, &j) in cols.iter().enumerate() {
                out.set(a, b, self.at(i, j));
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
pub(super) fn matmul(a: &Mat, b: &Mat) -> Mat {
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
pub(super) fn matvec(a: &Mat, v: &[f64]) -> Vec<f64> {
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
pub(super) fn outer(a: &[f64], b: &[f64]) -> Mat {
    let mut out = Mat::zeros(a.len(), b.len());
    for (i, ai) in a.iter().enumerate() {
        for (j, bj) in b.iter().enumerate() {
            out.set(i, j, ai * bj);
        }
    }
    out
}

/// `out[i][j] = (m[i][j] + m[j][i]) * 0.5` (exactly symmetric).
pub(super) fn symmetrize(m: &Mat) -> Mat {
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
pub(super) fn add(a: &Mat, b: &Mat) -> Mat {
    zip_with(a, b, |x, y| x + y)
}

/// `a - b` elementwise.
pub(super) fn sub(a: &Mat, b: &Mat) -> Mat {
    zip_with(a, b, |x, y| x - y)
}

/// `f` on every element.
pub(super) fn map(a: &Mat, f: impl Fn(f64) -> f64) -> Mat {
    Mat {
        rows: a.rows,
        cols: a.cols,
        data: a.data.iter().map(|x| f(*x)).collect(),
    }
}

/// `a + b` elementwise.
pub(super) fn vadd(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

/// `a - b` elementwise.
pub(super) fn vsub(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

/// `(0.0 + v[0]*v[0]) + v[1]*v[1] + ...`.
pub(super) fn sum_squares(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for x in v {
        s += x * x;
    }
    s
}

/// Lower Cholesky factor by columns, without pivoting: pivot
/// `s = m[j][j] - L[j][0]^2 - ... - L[j][j-1]^2` (in that order) must be
/// `> threshold` (NaN fails), `L[j][j] = sqrt(s)`, and for `i > j`
/// `L[i][j] = (m[i][j] - L[i][0]*L[j][0] - ...) / L[j][j]`. Only the lower
/// triangle is read. `Err((j, s))`: the first failing column and its pivot.
pub(super) fn cholesky(m: &Mat, threshold: f64) -> std::result::Result<Mat, (usize, f64)> {
    match column_cholesky(m, threshold, true) {
        (low, None) => Ok(low),
        (_, Some(failed)) => Err(failed),
    }
}

/// The column loop of [`cholesky`] and [`semidefinite_columns`]: a pivot `s`
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

/// The column Cholesky where a pivot `<= threshold` gives a zero column.
pub(super) fn semidefinite_columns(m: &Mat, threshold: f64) -> Mat {
    column_cholesky(m, threshold, false).0
}

/// `Z` with `L Z = G`: row `i` is `(G[i] - L[i][0]*Z[0] - ... - L[i][i-1]*Z[i-1]) / L[i][i]`.
pub(super) fn solve_lower(low: &Mat, g: &Mat) -> Mat {
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
pub(super) fn solve_lower_t(low: &Mat, z: &Mat) -> Mat {
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
pub(super) fn cho_solve(low: &Mat, g: &Mat) -> Mat {
    solve_lower_t(low, &solve_lower(low, g))
}

/// `m` with `tau` added to each diagonal element.
pub(super) fn shift_diagonal(m: &Mat, tau: f64) -> Mat {
    let mut out = m.clone();
    for i in 0..m.rows {
        out.set(i, i, m.at(i, i) + tau);
    }
    out
}

/// Whether every value is finite.
pub(super) fn all_finite(values: &[f64]) -> bool {
    values.iter().all(|v| v.is_finite())
}
