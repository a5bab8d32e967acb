//! Thin PyO3 bindings of the linear-Gaussian state-space mirror: the
//! `backend="rust"` path of `sc_neurocore.world_model.predictive_model`.
//!
//! The algorithm exists once, in the safety mirror
//! (`sc_neurocore_mirror::safety::predictive_model`, `rust/mirror`), which is
//! checked against the golden file `parity/golden/predictive_model.txt`; these
//! functions only convert NumPy arrays to the mirror's `NdArray`, run it with
//! the GIL released, and convert the results and errors back. They are called
//! by `sc_neurocore/world_model/_lgssm_backends.py` on arguments the Python
//! surface has already validated; the mirror validates them again with the
//! same rules, so a direct call with bad input is still refused (never a
//! panic): `ValueError`/`TypeError`/`MemoryError` naming the argument,
//! `numpy.linalg.LinAlgError` for a matrix that must be positive definite and
//! is not, `RuntimeError` if the mirror panicked (a bug).

use std::panic::{AssertUnwindSafe, catch_unwind};

use numpy::ndarray::IxDyn;
use numpy::{PyArray1, PyArrayDyn, PyArrayMethods, PyReadonlyArrayDyn, PyUntypedArrayMethods};
use pyo3::exceptions::{PyMemoryError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyType;
use sc_neurocore_mirror::safety::predictive_model::{
    FilterResult, LinearGaussianSsm, Mat, SmoothResult, em_fit, kalman_filter, rts_smooth,
    stack_mats, stack_rows,
};
use sc_neurocore_mirror::{ErrorKind, MirrorError, NdArray};

type PyF64<'py> = Bound<'py, PyArrayDyn<f64>>;
type In<'py> = PyReadonlyArrayDyn<'py, f64>;

/// The Python exception of a mirror error.
fn to_py(py: Python<'_>, e: MirrorError) -> PyErr {
    match e.kind {
        ErrorKind::Value => PyValueError::new_err(e.message),
        ErrorKind::Type => PyTypeError::new_err(e.message),
        ErrorKind::Memory => PyMemoryError::new_err(e.message),
        ErrorKind::Runtime => PyRuntimeError::new_err(e.message),
        ErrorKind::LinAlg => match linalg_error(py) {
            Ok(cls) => PyErr::from_type(cls, e.message),
            Err(import_failed) => import_failed,
        },
    }
}

fn linalg_error(py: Python<'_>) -> PyResult<Bound<'_, PyType>> {
    Ok(py
        .import("numpy.linalg")?
        .getattr("LinAlgError")?
        .cast_into::<PyType>()?)
}

/// `kind` of a mirror error as the Python side names it.
fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Value => "value",
        ErrorKind::Type => "type",
        ErrorKind::Memory => "memory",
        ErrorKind::LinAlg => "linalg",
        ErrorKind::Runtime => "runtime",
    }
}

/// A NumPy array as a mirror `NdArray` (a copy, in logical order).
fn nd<T: numpy::Element + Copy>(
    a: &PyReadonlyArrayDyn<'_, T>,
    arg: &str,
) -> Result<NdArray<T>, MirrorError> {
    let data: Vec<T> = a.as_array().iter().copied().collect();
    NdArray::new(arg, a.shape().to_vec(), data)
}

/// Runs the mirror without the GIL; a panic becomes `RuntimeError`.
fn run<T: Send>(
    py: Python<'_>,
    func: &str,
    f: impl FnOnce() -> Result<T, MirrorError> + Send,
) -> PyResult<T> {
    match py.detach(|| catch_unwind(AssertUnwindSafe(f))) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(to_py(py, e)),
        Err(_) => Err(PyRuntimeError::new_err(format!(
            "internal error in sc_neurocore._engine.{func}: the LGSSM mirror panicked"
        ))),
    }
}

/// A mirror result as a NumPy array (its buffer moved, then given its shape).
fn to_numpy<'py>(py: Python<'py>, a: NdArray<f64>) -> PyResult<PyF64<'py>> {
    let (shape, data) = a.into_parts();
    PyArray1::from_vec(py, data).reshape(IxDyn(&shape))
}

/// The eight model arrays `(A, B, C, D, Q, R, mu_0, Sigma_0)`, one Python tuple.
type Model<'py> = (
    In<'py>,
    In<'py>,
    In<'py>,
    In<'py>,
    In<'py>,
    In<'py>,
    In<'py>,
    In<'py>,
);

fn model_arrays(m: &Model<'_>) -> Result<[NdArray<f64>; 8], MirrorError> {
    Ok([
        nd(&m.0, "A")?,
        nd(&m.1, "B")?,
        nd(&m.2, "C")?,
        nd(&m.3, "D")?,
        nd(&m.4, "Q")?,
        nd(&m.5, "R")?,
        nd(&m.6, "mu_0")?,
        nd(&m.7, "Sigma_0")?,
    ])
}

/// The inputs of a filter or EM call, copied out of NumPy (so that the
/// mirror runs without the GIL): model arrays, observations, controls, mask.
type Sequence = (
    [NdArray<f64>; 8],
    NdArray<f64>,
    NdArray<f64>,
    Option<NdArray<u8>>,
);

fn read_sequence(
    py: Python<'_>,
    model: &Model<'_>,
    observations: &In<'_>,
    controls: &In<'_>,
    mask: Option<&PyReadonlyArrayDyn<'_, u8>>,
) -> PyResult<Sequence> {
    let read = || -> Result<Sequence, MirrorError> {
        Ok((
            model_arrays(model)?,
            nd(observations, "observations")?,
            nd(controls, "controls")?,
            mask.map(|m| nd(m, "mask")).transpose()?,
        ))
    };
    read().map_err(|e| to_py(py, e))
}

fn rows_nd(arg: &str, rows: &[Vec<f64>], n: usize) -> Result<NdArray<f64>, MirrorError> {
    stack_rows(arg, rows, n)
}

fn mats_nd(arg: &str, mats: &[Mat], n: usize) -> Result<NdArray<f64>, MirrorError> {
    stack_mats(arg, mats, n, n)
}

/// What `lgssm_filter` returns: means, covariances, predicted means and
/// covariances, log-likelihood.
type FilterOutput<'py> = (PyF64<'py>, PyF64<'py>, PyF64<'py>, PyF64<'py>, f64);

/// `KalmanFilter(model).filter(observations, controls)` by the mirror;
/// `model` is the tuple `(A, B, C, D, Q, R, mu_0, Sigma_0)`, `mask` (uint8,
/// 1 = missing, the shape of `observations`) marks missing observations.
/// Returns `(means, covariances, pred_means, pred_covariances, log_likelihood)`.
#[pyfunction]
#[pyo3(signature = (model, observations, controls, mask=None))]
pub(crate) fn lgssm_filter<'py>(
    model: Model<'py>,
    observations: In<'py>,
    controls: In<'py>,
    mask: Option<PyReadonlyArrayDyn<'py, u8>>,
) -> PyResult<FilterOutput<'py>> {
    let py = observations.py();
    let (parts, obs, u, mask) = read_sequence(py, &model, &observations, &controls, mask.as_ref())?;
    let (means, covs, pred_means, pred_covs, loglik) = run(py, "lgssm_filter", move || {
        let model = LinearGaussianSsm::from_arrays(&parts)?;
        let n = model.state_dim();
        let fr = kalman_filter(&model, &obs, Some(&u), mask.as_ref())?;
        Ok((
            rows_nd("means", &fr.means, n)?,
            mats_nd("covariances", &fr.covariances, n)?,
            rows_nd("pred_means", &fr.pred_means, n)?,
            mats_nd("pred_covariances", &fr.pred_covariances, n)?,
            fr.log_likelihood,
        ))
    })?;
    Ok((
        to_numpy(py, means)?,
        to_numpy(py, covs)?,
        to_numpy(py, pred_means)?,
        to_numpy(py, pred_covs)?,
        loglik,
    ))
}

/// `RTSSmoother(model).smooth(FilterResult(...))` by the mirror. Returns
/// `(means, covariances, cross_covariances)`.
#[pyfunction]
pub(crate) fn lgssm_smooth<'py>(
    py: Python<'py>,
    model: Model<'py>,
    means: In<'py>,
    covariances: In<'py>,
    pred_means: In<'py>,
    pred_covariances: In<'py>,
    log_likelihood: f64,
) -> PyResult<(PyF64<'py>, PyF64<'py>, PyF64<'py>)> {
    let read = || -> Result<_, MirrorError> {
        Ok((
            model_arrays(&model)?,
            [
                nd(&means, "means")?,
                nd(&covariances, "covariances")?,
                nd(&pred_means, "pred_means")?,
                nd(&pred_covariances, "pred_covariances")?,
            ],
        ))
    };
    let (parts, [m, p, pm, pp]) = read().map_err(|e| to_py(py, e))?;
    let (m, p, x) = run(py, "lgssm_smooth", move || {
        let model = LinearGaussianSsm::from_arrays(&parts)?;
        let n = model.state_dim();
        let fr = FilterResult::from_arrays(&m, &p, &pm, &pp, log_likelihood)?;
        let sr: SmoothResult = rts_smooth(&model, &fr)?;
        Ok((
            rows_nd("means", &sr.means, n)?,
            mats_nd("covariances", &sr.covariances, n)?,
            mats_nd("cross_covariances", &sr.cross_covariances, n)?,
        ))
    })?;
    Ok((to_numpy(py, m)?, to_numpy(py, p)?, to_numpy(py, x)?))
}

/// The arrays of the EM result: `A, C, Q, R, mu_0, Sigma_0` and the history.
type EmArrays = ([NdArray<f64>; 6], NdArray<f64>, Option<(String, String)>);

/// What `lgssm_em_fit` returns: `A, C, Q, R, mu_0, Sigma_0`, the history and
/// the failure, if any.
type EmFitOutput<'py> = (
    PyF64<'py>,
    PyF64<'py>,
    PyF64<'py>,
    PyF64<'py>,
    PyF64<'py>,
    PyF64<'py>,
    PyF64<'py>,
    Option<(String, String)>,
);

/// `EMLearner(max_iter, tol).fit(observations, model, controls)` by the
/// mirror. Returns `(A, C, Q, R, mu_0, Sigma_0, history, failure)`: the last
/// accepted model's re-estimated parameters (`B`, `D` are the model's), the
/// log-likelihood history, and `None` or `(kind, message)` of the error that
/// stopped the loop after the inputs were accepted (`kind`: `"value"`,
/// `"type"`, `"memory"`, `"linalg"`, `"runtime"`), so that the caller keeps
/// the history as the Python loop does. Refused arguments raise at once.
#[pyfunction]
pub(crate) fn lgssm_em_fit<'py>(
    model: Model<'py>,
    observations: In<'py>,
    controls: In<'py>,
    mask: Option<PyReadonlyArrayDyn<'py, u8>>,
    max_iter: i64,
    tol: f64,
) -> PyResult<EmFitOutput<'py>> {
    let py = observations.py();
    let (parts, obs, u, mask) = read_sequence(py, &model, &observations, &controls, mask.as_ref())?;
    let (params, history, failure): EmArrays = run(py, "lgssm_em_fit", move || {
        let model = LinearGaussianSsm::from_arrays(&parts)?;
        let fit = em_fit(&model, &obs, Some(&u), mask.as_ref(), max_iter, tol)?;
        let m = &fit.model;
        let n = m.state_dim();
        Ok((
            [
                m.a().to_nd(),
                m.c().to_nd(),
                m.q().to_nd(),
                m.r().to_nd(),
                NdArray::new("mu_0", vec![n], m.mu_0().to_vec())?,
                m.sigma_0().to_nd(),
            ],
            NdArray::new("history", vec![fit.history.len()], fit.history)?,
            fit.failure
                .map(|e| (kind_name(e.kind).to_string(), e.message)),
        ))
    })?;
    let [a, c, q, r, mu, s0] = params;
    Ok((
        to_numpy(py, a)?,
        to_numpy(py, c)?,
        to_numpy(py, q)?,
        to_numpy(py, r)?,
        to_numpy(py, mu)?,
        to_numpy(py, s0)?,
        to_numpy(py, history)?,
        failure,
    ))
}
