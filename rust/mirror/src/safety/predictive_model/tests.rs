//! The golden cases of `parity/golden/predictive_model.txt` through the
//! mirror, and unit tests of what the file cannot show (orders of operations,
//! refusals that never panic, EM monotonicity, the random models' spectra).

use super::linalg::{cho_solve, cholesky, matmul, matvec};
use super::*;
use crate::array::NdArray;
use crate::error::{ErrorKind, MirrorError, Result};
use crate::fields::{self, op};
use crate::golden::{Case, Field, Values};
use crate::golden_check::{check_golden, load};

const MODEL_KEYS: [&str; 8] = ["A", "B", "C", "D", "Q", "R", "mu_0", "Sigma_0"];

fn model_of(x: &[Field]) -> Result<LinearGaussianSsm> {
    let [a, b, c, d, q, r, mu_0, sigma_0] = MODEL_KEYS.map(|key| fields::f64_array(x, key));
    LinearGaussianSsm::from_arrays(&[a?, b?, c?, d?, q?, r?, mu_0?, sigma_0?])
}

fn opt_f64(x: &[Field], name: &str) -> Result<Option<NdArray<f64>>> {
    fields::optional(x, name, fields::f64_array)
}

fn mask_of(x: &[Field]) -> Result<Option<NdArray<u8>>> {
    fields::optional(x, "mask", fields::u8_array)
}

fn mat_field(name: &str, m: &Mat) -> Field {
    Field::from_f64(name, m.to_nd())
}

/// The model's parameters `keys` (of [`MODEL_KEYS`]) as fields `<key><suffix>`.
fn model_fields(m: &LinearGaussianSsm, keys: &[&str], suffix: &str) -> Vec<Field> {
    let field = |key: &str| {
        let name = format!("{key}{suffix}");
        match key {
            "mu_0" => Field::f64s(&name, m.mu_0().to_vec()),
            "A" => mat_field(&name, m.a()),
            "B" => mat_field(&name, m.b()),
            "C" => mat_field(&name, m.c()),
            "D" => mat_field(&name, m.d()),
            "Q" => mat_field(&name, m.q()),
            "R" => mat_field(&name, m.r()),
            _ => mat_field(&name, m.sigma_0()),
        }
    };
    keys.iter().map(|key| field(key)).collect()
}

/// What EM learns (`B` and `D` are kept), as `<key>_new`.
fn new_model_fields(m: &LinearGaussianSsm) -> Vec<Field> {
    model_fields(m, &["A", "C", "Q", "R", "mu_0", "Sigma_0"], "_new")
}

/// `<prefix>means` (T, n) and `<prefix>covariances` (T, n, n).
fn moment_fields(prefix: &str, means: &[Vec<f64>], covs: &[Mat], n: usize) -> Result<Vec<Field>> {
    let (m, c) = (format!("{prefix}means"), format!("{prefix}covariances"));
    Ok(vec![
        Field::from_f64(&m, stack_rows(&m, means, n)?),
        Field::from_f64(&c, stack_mats(&c, covs, n, n)?),
    ])
}

fn filter_fields(fr: &FilterResult, n: usize) -> Result<Vec<Field>> {
    let mut out = moment_fields("", &fr.means, &fr.covariances, n)?;
    out.extend(moment_fields(
        "pred_",
        &fr.pred_means,
        &fr.pred_covariances,
        n,
    )?);
    out.push(Field::f64_scalar("log_likelihood", fr.log_likelihood));
    Ok(out)
}

fn smooth_fields(sr: &SmoothResult, n: usize) -> Result<Vec<Field>> {
    let mut out = moment_fields("", &sr.means, &sr.covariances, n)?;
    let cross = stack_mats("cross_covariances", &sr.cross_covariances, n, n)?;
    out.push(Field::from_f64("cross_covariances", cross));
    Ok(out)
}

fn filter_result_of(x: &[Field]) -> Result<FilterResult> {
    FilterResult::from_arrays(
        &fields::f64_array(x, "means")?,
        &fields::f64_array(x, "covariances")?,
        &fields::f64_array(x, "pred_means")?,
        &fields::f64_array(x, "pred_covariances")?,
        fields::f64_scalar(x, "log_likelihood")?,
    )
}

fn dims(t: usize, n: usize) -> Vec<Field> {
    vec![
        Field::i64_scalar("time_steps", t as i64),
        Field::i64_scalar("state_dim", n as i64),
    ]
}

/// The filter of a case (`observations`, optional `controls` and `mask`).
fn filtered(m: &LinearGaussianSsm, x: &[Field]) -> Result<FilterResult> {
    let obs = fields::f64_array(x, "observations")?;
    kalman_filter(
        m,
        &obs,
        opt_f64(x, "controls")?.as_ref(),
        mask_of(x)?.as_ref(),
    )
}

fn forecast_fields(steps: &[(Vec<f64>, Mat)], n: usize, with_cov: bool) -> Result<Vec<Field>> {
    let means: Vec<Vec<f64>> = steps.iter().map(|(m, _)| m.clone()).collect();
    let mut out = vec![Field::from_f64("means", stack_rows("means", &means, n)?)];
    if with_cov {
        let covs: Vec<Mat> = steps.iter().map(|(_, c)| c.clone()).collect();
        out.push(Field::from_f64(
            "covariances",
            stack_mats("covariances", &covs, n, n)?,
        ));
    }
    Ok(out)
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
            model_fields(&m, &MODEL_KEYS, "")
        }
        "LinearGaussianSSM.sample" => {
            let m = model_of(x)?;
            let n_steps = fields::i64_scalar(x, "n_steps")?;
            let controls = opt_f64(x, "controls")?;
            let seed = fields::u64_scalar(x, "seed")?;
            let (states, obs) = m.sample(n_steps, controls.as_ref(), seed)?;
            vec![
                mat_field("states", &states),
                mat_field("observations", &obs),
            ]
        }
        "KalmanFilter.filter" => {
            let m = model_of(x)?;
            filter_fields(&filtered(&m, x)?, m.state_dim())?
        }
        "RTSSmoother.smooth" => {
            let m = model_of(x)?;
            smooth_fields(&rts_smooth(&m, &filtered(&m, x)?)?, m.state_dim())?
        }
        "RTSSmoother.smooth[filter_result]" => {
            let m = model_of(x)?;
            smooth_fields(&rts_smooth(&m, &filter_result_of(x)?)?, m.state_dim())?
        }
        "FilterResult" => {
            let fr = filter_result_of(x)?;
            dims(fr.means.len(), fr.state_dim())
        }
        "SmoothResult" => {
            let sr = SmoothResult::from_arrays(
                &fields::f64_array(x, "means")?,
                &fields::f64_array(x, "covariances")?,
                &fields::f64_array(x, "cross_covariances")?,
            )?;
            dims(sr.means.len(), sr.means[0].len())
        }
        "EMLearner.step" => {
            let m = model_of(x)?;
            let obs = fields::f64_array(x, "observations")?;
            let controls = opt_f64(x, "controls")?;
            let (new, loglik) = em_step(&m, &obs, controls.as_ref(), mask_of(x)?.as_ref())?;
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
            let controls = opt_f64(x, "controls")?;
            let fit = em_fit(
                &m,
                &obs,
                controls.as_ref(),
                mask_of(x)?.as_ref(),
                max_iter,
                tol,
            )?;
            if let Some(e) = fit.failure {
                return Err(e);
            }
            let mut out = vec![Field::f64s("log_likelihood_history", fit.history)];
            out.extend(new_model_fields(&fit.model));
            out
        }
        "PredictiveWorldModel.predict_next_state" => {
            let m = model_of(x)?;
            let state = fields::f64_array(x, "current_state")?;
            let action = opt_f64(x, "action")?;
            let (mean, _) = predict_next_state_with_cov(&m, &state, None, action.as_ref())?;
            vec![Field::f64s("mean", mean)]
        }
        "PredictiveWorldModel.predict_next_state_with_cov" => {
            let m = model_of(x)?;
            let state = fields::f64_array(x, "current_state")?;
            let cov = fields::f64_array(x, "current_cov")?;
            let action = opt_f64(x, "action")?;
            let (mean, cov) = predict_next_state_with_cov(&m, &state, Some(&cov), action.as_ref())?;
            vec![Field::f64s("mean", mean), mat_field("covariance", &cov)]
        }
        "PredictiveWorldModel.forecast" => {
            let m = model_of(x)?;
            let state = fields::f64_array(x, "initial_state")?;
            let actions = fields::f64_array(x, "actions")?;
            let steps = forecast_with_cov(&m, &state, None, &actions)?;
            forecast_fields(&steps, m.state_dim(), false)?
        }
        "PredictiveWorldModel.forecast_with_cov" => {
            let m = model_of(x)?;
            let state = fields::f64_array(x, "initial_state")?;
            let cov = fields::f64_array(x, "initial_cov")?;
            let actions = fields::f64_array(x, "actions")?;
            let steps = forecast_with_cov(&m, &state, Some(&cov), &actions)?;
            forecast_fields(&steps, m.state_dim(), true)?
        }
        other => return Err(MirrorError::value("op", format!("unknown op {other:?}"))),
    })
}

#[test]
fn golden_predictive_model() {
    let counts = check_golden("predictive_model", run);
    assert!(counts.valid >= 60 && counts.invalid >= 70, "{counts:?}");
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
            1e-13
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
    let m = Mat::from_vec("m", 3, 3, vec![4.0, 2.0, 0.4, 2.0, 5.0, 1.0, 0.4, 1.0, 3.0]).unwrap();
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
        kalman_filter(&with_u, &obs, None, None).unwrap_err().arg,
        "controls"
    );
    // Observation shapes the Python refuses.
    for shape in [vec![0usize], vec![3, 2], vec![3, 1, 1], vec![]] {
        let data = vec![0.0; shape.iter().product()];
        let arr = NdArray::new("x", shape, data).unwrap();
        assert_eq!(
            kalman_filter(&m, &arr, None, None).unwrap_err().arg,
            "observations"
        );
    }
    // A mask of another shape, or with a value other than 0/1.
    let short = NdArray::new("m", vec![2, 1], vec![0u8, 1]).unwrap();
    assert_eq!(
        kalman_filter(&m, &obs, None, Some(&short)).unwrap_err().arg,
        "mask"
    );
    let two = NdArray::new("m", vec![3, 1], vec![0u8, 2, 0]).unwrap();
    assert_eq!(
        kalman_filter(&m, &obs, None, Some(&two)).unwrap_err().arg,
        "mask"
    );
    // A singular predicted covariance (A = 0, Q = 0) stops the smoother: LinAlg, not a panic.
    let dead = ar1(0.0, 0.0);
    let fr = kalman_filter(&dead, &obs, None, None).unwrap();
    let e = rts_smooth(&dead, &fr).unwrap_err();
    assert_eq!(
        (e.arg.as_str(), e.kind),
        ("pred_covariances", ErrorKind::LinAlg)
    );
    // A filter result of another state dimension.
    let two_d = LinearGaussianSsm::random(2, 1, 0, 1).unwrap();
    assert_eq!(rts_smooth(&two_d, &fr).unwrap_err().arg, "means");
    // Dimensions too large to allocate are errors, not aborts.
    assert!(LinearGaussianSsm::random(1 << 40, 1, 0, 0).is_err());
    assert!(LinearGaussianSsm::random(1 << 31, 1, 0, 0).is_err());
    assert!(LinearGaussianSsm::random(1, 1 << 40, 0, 0).is_err());
    // Overflow inside the filter is refused.
    let huge = nd(&[2, 1], &[1e300, -1e300]);
    let big = scalar_ssm(1e300, 1e300, 1e300, 1e300, 1e300).unwrap();
    assert_eq!(
        kalman_filter(&big, &huge, None, None).unwrap_err().arg,
        "observations"
    );
    // EM parameter ranges.
    assert_eq!(
        em_fit(&m, &obs, None, None, 0, 0.0).unwrap_err().arg,
        "max_iter"
    );
    assert_eq!(
        em_fit(&m, &obs, None, None, 1, f64::INFINITY)
            .unwrap_err()
            .arg,
        "tol"
    );
    assert_eq!(
        em_fit(&m, &obs, None, None, 1, -1e-9).unwrap_err().arg,
        "tol"
    );
    assert_eq!(
        em_step(&m, &nd(&[1, 1], &[0.0]), None, None)
            .unwrap_err()
            .arg,
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
    // Forecast arguments.
    let z = nd(&[1], &[0.0]);
    assert_eq!(
        forecast_with_cov(&m, &z, None, &NdArray::scalar(1.0))
            .unwrap_err()
            .arg,
        "actions"
    );
    assert_eq!(
        forecast_with_cov(&m, &nd(&[2], &[0.0, 0.0]), None, &nd(&[1, 0], &[]))
            .unwrap_err()
            .arg,
        "initial_state"
    );
}

#[test]
fn masked_steps_skip_the_update_and_the_likelihood() {
    let m = ar1(0.9, 0.1);
    let obs = nd(&[4, 1], &[0.5, f64::NAN, 1.5, f64::INFINITY]);
    let mask = NdArray::new("m", vec![4, 1], vec![0u8, 1, 0, 1]).unwrap();
    let fr = kalman_filter(&m, &obs, None, Some(&mask)).unwrap();
    // Steps 1 and 3 are missing: filtered = predicted there.
    assert_eq!(fr.means[1], fr.pred_means[1]);
    assert_eq!(fr.covariances[3], fr.pred_covariances[3]);
    // A missing last step adds nothing to the log-likelihood.
    let first3 = nd(&[3, 1], &[0.5, f64::NAN, 1.5]);
    let mask3 = NdArray::new("m", vec![3, 1], vec![0u8, 1, 0]).unwrap();
    let fr3 = kalman_filter(&m, &first3, None, Some(&mask3)).unwrap();
    assert_eq!(fr.log_likelihood.to_bits(), fr3.log_likelihood.to_bits());
    // An all-zero mask is the unmasked filter, bit for bit.
    let none = NdArray::new("m", vec![4, 1], vec![0u8; 4]).unwrap();
    let clean = nd(&[4, 1], &[0.5, 0.7, 1.5, 0.2]);
    assert_eq!(
        kalman_filter(&m, &clean, None, Some(&none)).unwrap(),
        kalman_filter(&m, &clean, None, None).unwrap()
    );
    // EM refuses a partly masked step.
    let two_dim = LinearGaussianSsm::random(2, 2, 0, 4).unwrap();
    let obs2 = nd(&[3, 2], &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    let partial = NdArray::new("m", vec![3, 2], vec![0u8, 0, 1, 0, 0, 0]).unwrap();
    assert_eq!(
        em_step(&two_dim, &obs2, None, Some(&partial))
            .unwrap_err()
            .arg,
        "observations"
    );
}

#[test]
fn em_refuses_a_decrease_beyond_1e9_relative_only() {
    use super::em::decreased_beyond_rounding as decreased;
    // |previous| = 1000: the allowance is 1e-9 * 1000 = 1e-6.
    assert!(!decreased(-1000.0, -1000.0 - 0.9e-6));
    assert!(decreased(-1000.0, -1000.0 - 1.1e-6));
    // Below |previous| = 1 the allowance is 1e-9 absolute.
    assert!(!decreased(0.5, 0.5 - 0.9e-9));
    assert!(decreased(0.5, 0.5 - 1.1e-9));
    assert!(!decreased(-5.0, -4.0)); // an increase
}

#[test]
fn em_log_likelihood_never_decreases() {
    let truth = LinearGaussianSsm::random(2, 2, 1, 21).unwrap();
    let u: Vec<f64> = (0..40).map(|k| (k as f64 * 0.3).cos()).collect();
    let controls = nd(&[40, 1], &u);
    let (_, obs) = truth.sample(40, Some(&controls), 5).unwrap();
    let start = LinearGaussianSsm::random(2, 2, 1, 22).unwrap();
    let obs = obs.to_nd();
    let fit = em_fit(&start, &obs, Some(&controls), None, 25, 0.0).unwrap();
    assert!(fit.failure.is_none(), "{:?}", fit.failure);
    let lls = fit.history;
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
fn random_models_have_spectral_radius_095() {
    for seed in 0..20u64 {
        for n in 1..6i64 {
            let m = LinearGaussianSsm::random(n, 2, 1, seed).unwrap();
            let n = n as usize;
            // Gelfand: ||A^k||^(1/k) -> rho(A); with a 0.95 radius the powers decay
            // like 0.95^k times a polynomial, never faster than 0.9^k.
            let mut power = Mat::identity(n);
            for _ in 0..400 {
                power = matmul(&power, m.a());
            }
            let norm = power.data().iter().map(|v| v.abs()).fold(0.0, f64::max);
            let rate = norm.powf(1.0 / 400.0);
            assert!(rate > 0.93 && rate < 0.97, "seed {seed}, n {n}: {rate}");
            assert_eq!(m.d(), &Mat::zeros(2, 1));
        }
    }
}
