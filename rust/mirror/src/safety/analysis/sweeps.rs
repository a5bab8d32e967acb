//! Parameter sweeps over simulator runs (`sc_neurocore.studio._analysis.sweeps`).
//!
//! Errors a simulator raises about a value the sweep set are reported against
//! the sweep argument that supplied it (`current` in [`fi_curve_sweep`] ->
//! `i_min`; the swept parameter -> `param_name`); a failed rate-map point
//! fails the whole map, naming `param_x`.

use crate::checks::{Bounds, check_int, check_real, check_text};
use crate::error::{MirrorError, Result};

use super::exact::{finite_span, linspace, round_decimals, sequential_sum};
use super::runs::{Config, Run, Value};

/// Most points of one sweep.
pub const MAX_POINTS: i64 = 1_000_000;
/// How every rate of these sweeps is defined (the run's `stats.rate_hz`).
pub const RATE_DEFINITION: &str = "spike count divided by the simulated duration (Hz, time step \
                                   in ms); the transient from the initial state is included, \
                                   no settling window is discarded";
/// Fewest late samples a bifurcation point needs.
pub const ATTRACTOR_MIN_SAMPLES: usize = 10;
/// The last this many maxima and minima of a late trace are kept.
pub const ATTRACTOR_EXTREMA_KEPT: usize = 20;
/// Decimals of the attractor values.
pub const ATTRACTOR_DECIMALS: usize = 2;
/// Default relative perturbation of [`sensitivity_analysis`].
pub const SENSITIVITY_PERTURBATION: f64 = 0.1;
/// Decimals of an elasticity.
pub const SENSITIVITY_DECIMALS: usize = 4;
/// Why an elasticity is undefined when the parameter is 0.
pub const REASON_ZERO_PARAMETER: &str =
    "relative perturbation of a zero parameter is no perturbation";
/// Why an elasticity is undefined when the base rate is 0.
pub const REASON_ZERO_RATE: &str =
    "no spikes at the base configuration; the elasticity is undefined";
/// Why an elasticity is undefined when `p + delta` or `p - delta` is `p`.
pub const REASON_NO_CHANGE: &str = "the perturbation is below the parameter's floating-point \
                                    resolution; the elasticity is undefined";

/// A simulator as the sweeps call it.
pub type Simulate<'a> = &'a dyn Fn(&Config) -> Result<Run>;

/// How much of its requested domain an analysis covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// Every point evaluated.
    Complete,
    /// Some points invalid (and reported).
    Partial,
    /// No point evaluable.
    Empty,
}

impl Domain {
    /// `"complete"`, `"partial"` or `"empty"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Complete => "complete",
            Domain::Partial => "partial",
            Domain::Empty => "empty",
        }
    }

    /// All (or none asked), none, or some of `total` points defined.
    pub fn of(defined: usize, total: usize) -> Domain {
        if defined == total {
            Domain::Complete
        } else if defined == 0 {
            Domain::Empty
        } else {
            Domain::Partial
        }
    }
}

/// `value` as a count in `[1, MAX_POINTS]` (naming `name`).
pub fn check_count(value: i64, name: &str) -> Result<usize> {
    check_int(name, value, 1, Some(MAX_POINTS + 1))
}

/// `protocol` (default `"constant"`) and, for a sine, its `frequency_hz` (default 10).
fn drive_fields(cfg: &Config) -> Result<(String, Option<f64>)> {
    let protocol = cfg.text("protocol", "constant")?;
    let frequency = if protocol == "sine" {
        Some(cfg.real("frequency_hz", 10.0)?)
    } else {
        None
    };
    Ok((protocol, frequency))
}

/// `(currents, rates)`: the rate of `simulate(base with current = c)` for each
/// `c` of `linspace(i_min, i_max, i_steps)`.
pub fn fi_curve_sweep(
    simulate: Simulate<'_>,
    base: &Config,
    i_min: f64,
    i_max: f64,
    i_steps: i64,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let (lo, hi) = finite_span(i_min, i_max, "i_min", "i_max")?;
    let n = check_count(i_steps, "i_steps")?;
    let currents = linspace(lo, hi, n);
    let mut rates = Vec::with_capacity(n);
    for &c in &currents {
        let run = simulate(&base.with("current", Value::Float(c)))
            .map_err(|e| e.renamed("current", "i_min"))?;
        rates.push(run.rate_hz);
    }
    Ok((currents, rates))
}

/// Local maxima and minima of `late` in time order; a plateau counts once and
/// a flat step inside a monotonic run is none.
fn extrema(late: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let (mut maxima, mut minima) = (Vec::new(), Vec::new());
    let mut previous = 0i8;
    for i in 0..late.len().saturating_sub(1) {
        let d = late[i + 1] - late[i];
        let sign = if d > 0.0 {
            1
        } else if d < 0.0 {
            -1
        } else {
            0
        };
        if sign == 0 {
            continue;
        }
        if previous > 0 && sign < 0 {
            maxima.push(late[i]);
        } else if previous < 0 && sign > 0 {
            minima.push(late[i]);
        }
        previous = sign;
    }
    (maxima, minima)
}

fn last(values: &[f64], n: usize) -> &[f64] {
    &values[values.len().saturating_sub(n)..]
}

/// The attractor sample of one trace and its kind: `"extrema"`,
/// `"fixed_point"` or `"insufficient_samples"` (see the Python docstring).
pub fn attractor_sample(trace: &[f64]) -> (Vec<f64>, &'static str) {
    let late = &trace[trace.len() / 2..];
    if late.len() < ATTRACTOR_MIN_SAMPLES {
        return (Vec::new(), "insufficient_samples");
    }
    let (maxima, minima) = extrema(late);
    let mut distinct: Vec<f64> = Vec::new();
    for &x in last(&maxima, ATTRACTOR_EXTREMA_KEPT)
        .iter()
        .chain(last(&minima, ATTRACTOR_EXTREMA_KEPT))
    {
        let r = round_decimals(x, ATTRACTOR_DECIMALS);
        if !distinct.contains(&r) {
            distinct.push(r);
        }
    }
    if distinct.is_empty() {
        let mean = sequential_sum(late.iter().copied()) / late.len() as f64;
        return (
            vec![round_decimals(mean, ATTRACTOR_DECIMALS)],
            "fixed_point",
        );
    }
    distinct.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    (distinct, "extrema")
}

/// The result of [`bifurcation_sweep`].
#[derive(Debug, Clone, PartialEq)]
pub struct BifurcationSweep {
    /// The swept values.
    pub param_values: Vec<f64>,
    /// One attractor sample per value.
    pub attractors: Vec<Vec<f64>>,
    /// Their kinds.
    pub kinds: Vec<&'static str>,
    /// The analysed state.
    pub variable: String,
    /// The drive protocol of the base configuration.
    pub protocol: String,
    /// Its sine frequency, for a sine.
    pub frequency_hz: Option<f64>,
    /// The contract's domain.
    pub domain: Domain,
    /// Points with insufficient samples.
    pub insufficient: usize,
}

/// Sweeps `params[param_name]` over `linspace(param_min, param_max, n_values)`
/// and records the attractor sample of `variable` (the first state when `None`).
pub fn bifurcation_sweep(
    simulate: Simulate<'_>,
    base: &Config,
    param_name: &str,
    param_min: f64,
    param_max: f64,
    n_values: i64,
    variable: Option<&str>,
) -> Result<BifurcationSweep> {
    check_text("param_name", param_name)?;
    let (lo, hi) = finite_span(param_min, param_max, "param_min", "param_max")?;
    let n = check_count(n_values, "n_values")?;
    if let Some(v) = variable {
        check_text("variable", v)?;
    }
    let (protocol, frequency_hz) = drive_fields(base)?;
    let param_values = linspace(lo, hi, n);
    let mut analysed = variable.map(str::to_string);
    let (mut attractors, mut kinds) = (Vec::new(), Vec::new());
    let swept = format!("params.{param_name}");
    for &value in &param_values {
        let run = simulate(&base.with_param(param_name, value))
            .map_err(|e| e.renamed(&swept, "param_name"))?;
        let name = match &analysed {
            Some(name) => name.clone(),
            None => {
                let first = run.states.first().map(|(n, _)| n.clone()).ok_or_else(|| {
                    MirrorError::value("simulate_fn", "simulate_fn() returned no state trace")
                })?;
                analysed = Some(first.clone());
                first
            }
        };
        let trace = run.state(&name).ok_or_else(|| {
            MirrorError::value(
                "variable",
                format!("variable {name:?} is not a state trace of the run"),
            )
        })?;
        let (sample, kind) = attractor_sample(trace);
        attractors.push(sample);
        kinds.push(kind);
    }
    let insufficient = kinds
        .iter()
        .filter(|k| **k == "insufficient_samples")
        .count();
    Ok(BifurcationSweep {
        param_values,
        attractors,
        kinds,
        variable: analysed.unwrap_or_default(),
        protocol,
        frequency_hz,
        domain: Domain::of(n - insufficient, n),
        insufficient,
    })
}

/// One row of [`sensitivity_analysis`].
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityRow {
    /// The parameter.
    pub param: String,
    /// Its elasticity, rounded to `SENSITIVITY_DECIMALS`; `None` when undefined.
    pub sensitivity: Option<f64>,
    /// `(rate_minus, rate_plus)` when the perturbed runs were made.
    pub rates: Option<(f64, f64)>,
    /// Why it is undefined.
    pub reason: Option<&'static str>,
}

/// The result of [`sensitivity_analysis`].
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivities {
    /// The base rate.
    pub base_rate: f64,
    /// Rows, largest elasticity first, undefined last.
    pub rows: Vec<SensitivityRow>,
    /// The contract's domain.
    pub domain: Domain,
    /// Undefined rows.
    pub undefined: usize,
}

/// Central-difference rate elasticity of each of `param_names` (keys of
/// `base.params`), as the Python docstring specifies.
pub fn sensitivity_analysis(
    simulate: Simulate<'_>,
    base: &Config,
    param_names: &[String],
    perturbation: f64,
) -> Result<Sensitivities> {
    for (k, name) in param_names.iter().enumerate() {
        if base.params.get(name).is_none() {
            return Err(MirrorError::value(
                "param_names",
                format!("param_names must be keys of base_config['params'], got {name:?}"),
            ));
        }
        if param_names[..k].contains(name) {
            return Err(MirrorError::value(
                "param_names",
                format!("param_names must not repeat a name, got {name:?} twice"),
            ));
        }
    }
    let rel = check_real("perturbation", perturbation, Bounds::ANY)?;
    if !(0.0 < rel && rel < 1.0) {
        return Err(MirrorError::value(
            "perturbation",
            format!("perturbation must be in (0, 1), got {rel:?}"),
        ));
    }
    let mut values = Vec::with_capacity(param_names.len());
    for name in param_names {
        let label = format!("params.{name}");
        let v = base.params.get(name).map_or(Ok(0.0), |v| v.real(&label))?;
        values.push(check_real(&label, v, Bounds::ANY)?);
    }
    let base_rate = simulate(base)?.rate_hz;
    let mut rows = Vec::with_capacity(param_names.len());
    for (name, &p) in param_names.iter().zip(&values) {
        let delta = p.abs() * rel;
        if p == 0.0 || p + delta == p || p - delta == p {
            let reason = if p == 0.0 {
                REASON_ZERO_PARAMETER
            } else {
                REASON_NO_CHANGE
            };
            rows.push(SensitivityRow {
                param: name.clone(),
                sensitivity: None,
                rates: None,
                reason: Some(reason),
            });
            continue;
        }
        let r_minus = simulate(&base.with_param(name, p - delta))?.rate_hz;
        let r_plus = simulate(&base.with_param(name, p + delta))?.rate_hz;
        let (sensitivity, reason) = if base_rate <= 0.0 {
            (None, Some(REASON_ZERO_RATE))
        } else {
            let derivative = (r_plus - r_minus) / (2.0 * delta);
            let s = derivative.abs() * p.abs() / base_rate;
            (Some(round_decimals(s, SENSITIVITY_DECIMALS)), None)
        };
        rows.push(SensitivityRow {
            param: name.clone(),
            sensitivity,
            rates: Some((r_minus, r_plus)),
            reason,
        });
    }
    rows.sort_by(|a, b| {
        let key = |r: &SensitivityRow| (r.sensitivity.is_none(), -r.sensitivity.unwrap_or(0.0));
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0)
            .then(ka.1.partial_cmp(&kb.1).unwrap_or(std::cmp::Ordering::Equal))
    });
    let undefined = rows.iter().filter(|r| r.sensitivity.is_none()).count();
    Ok(Sensitivities {
        base_rate,
        domain: Domain::of(rows.len() - undefined, rows.len()),
        rows,
        undefined,
    })
}

/// The result of [`heatmap_2d`].
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    /// The x grid.
    pub x_values: Vec<f64>,
    /// The y grid.
    pub y_values: Vec<f64>,
    /// `rates[j][i]` at `(x_values[i], y_values[j])`.
    pub rates: Vec<Vec<f64>>,
    /// The smallest rate.
    pub rate_min: f64,
    /// The largest rate.
    pub rate_max: f64,
    /// The drive protocol of the base configuration.
    pub protocol: String,
}

/// The rate over a grid of `params[param_x]` x `params[param_y]`; any failed
/// point fails the whole map (an error naming `param_x`).
#[allow(clippy::too_many_arguments)] // the Python signature
pub fn heatmap_2d(
    simulate: Simulate<'_>,
    base: &Config,
    param_x: &str,
    x_min: f64,
    x_max: f64,
    x_steps: i64,
    param_y: &str,
    y_min: f64,
    y_max: f64,
    y_steps: i64,
) -> Result<Heatmap> {
    check_text("param_x", param_x)?;
    let (xlo, xhi) = finite_span(x_min, x_max, "x_min", "x_max")?;
    let nx = check_count(x_steps, "x_steps")?;
    check_text("param_y", param_y)?;
    let (ylo, yhi) = finite_span(y_min, y_max, "y_min", "y_max")?;
    let ny = check_count(y_steps, "y_steps")?;
    if param_x == param_y {
        return Err(MirrorError::value(
            "param_y",
            format!("param_y must differ from param_x, got {param_y:?} twice"),
        ));
    }
    if (nx as i64) * (ny as i64) > MAX_POINTS {
        return Err(MirrorError::value(
            "y_steps",
            format!("y_steps must keep x_steps * y_steps <= {MAX_POINTS}, got {nx} * {ny}"),
        ));
    }
    let (protocol, _) = drive_fields(base)?;
    let (xs, ys) = (linspace(xlo, xhi, nx), linspace(ylo, yhi, ny));
    let mut rates = vec![vec![0.0; nx]; ny];
    let mut failed = 0usize;
    for (j, &y) in ys.iter().enumerate() {
        for (i, &x) in xs.iter().enumerate() {
            let cfg = base.with_param(param_x, x).with_param(param_y, y);
            match simulate(&cfg) {
                Ok(run) => rates[j][i] = run.rate_hz,
                Err(_) => failed += 1,
            }
        }
    }
    let total = nx * ny;
    if failed > 0 {
        return Err(MirrorError::value(
            "param_x",
            format!("heatmap sweep failed for {failed}/{total} points"),
        ));
    }
    let flat: Vec<f64> = rates.iter().flatten().copied().collect();
    let first_by = |better: fn(f64, f64) -> bool| {
        flat.iter()
            .copied()
            .fold(flat[0], |m, x| if better(x, m) { x } else { m })
    };
    Ok(Heatmap {
        rate_min: first_by(|x, m| x < m),
        rate_max: first_by(|x, m| x > m),
        x_values: xs,
        y_values: ys,
        rates,
        protocol,
    })
}
