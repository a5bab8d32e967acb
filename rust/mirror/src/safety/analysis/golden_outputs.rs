//! Test kit: runs a golden case's op on the mirror and builds its outputs in
//! the order `parity/safety_cases/_analysis_adapter.py` builds them (`None`
//! is NaN with a `u8` mask, or -1; lists of lists are flattened).

use crate::array::NdArray;
use crate::checks::{Bounds, Form, check_int, check_real, real_array};
use crate::error::{MirrorError, Result};
use crate::golden::Field;

use super::equations::{ExperimentSpec, SystemSpec, simulate_equations};
use super::exact::{STEP_TOLERANCE, linspace, logspace, round_decimals, whole_steps};
use super::expr::{evaluate, names_of, parse_expression};
use super::fixed::{MAX_DATA_WIDTH, MAX_INTEGER_POWER, MIN_DATA_WIDTH, resolve_word_format};
use super::golden_cases::{
    array_in, config_in, group, index_in, int_in, int_or, real_group, real_in, real_or, str_in,
    str_list, str_opt, vector_in,
};
use super::models::{FITZHUGH_NAGUMO_DEFAULTS, LIF_DEFAULTS, model};
use super::nullclines::{DEFAULT_RANGES, MAX_GRID, nullclines_2d};
use super::precision::{ERROR_DECIMALS, precision_compare};
use super::responses::{
    DEGREES_PER_RADIAN, FREQUENCY_RESPONSE_DEPTH, FREQUENCY_RESPONSE_MIN_CYCLES, HALF_PI,
    frequency_response, half_window, rate_modulation, spike_triggered_average,
};
use super::runs::{Config, Drive, MAX_STEPS, Run, TAU, drive_samples};
use super::sweeps::{
    ATTRACTOR_DECIMALS, ATTRACTOR_EXTREMA_KEPT, ATTRACTOR_MIN_SAMPLES, MAX_POINTS, RATE_DEFINITION,
    SENSITIVITY_DECIMALS, SENSITIVITY_PERTURBATION, Simulate, attractor_sample, bifurcation_sweep,
    fi_curve_sweep, heatmap_2d, sensitivity_analysis,
};

const LIBM_FUNCTIONS: [&str; 7] = ["exp", "log", "sin", "cos", "tanh", "cosh", "sinh"];

fn nan(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

fn mask<T>(v: &[Option<T>]) -> Vec<u8> {
    v.iter().map(|x| u8::from(x.is_some())).collect()
}

fn matrix_f64(name: &str, rows: &[Vec<f64>], cols: usize) -> Result<Field> {
    let data: Vec<f64> = rows.iter().flatten().copied().collect();
    Ok(Field::from_f64(
        name,
        NdArray::new(name, vec![rows.len(), cols], data)?,
    ))
}

fn matrix_u8(name: &str, rows: &[Vec<bool>]) -> Result<Field> {
    let cols = rows.first().map_or(0, Vec::len);
    let data: Vec<u8> = rows.iter().flatten().map(|&b| u8::from(b)).collect();
    Ok(Field::from_u8(
        name,
        NdArray::new(name, vec![rows.len(), cols], data)?,
    ))
}

fn uses_libm(text: &str) -> bool {
    text.contains("**")
        || LIBM_FUNCTIONS
            .iter()
            .any(|f| text.contains(&format!("{f}(")))
}

/// The outputs of one run (`driven_` names when a sine or libm drove it).
fn run_outputs(run: &Run, driven: bool) -> Vec<Field> {
    let prefix = if driven { "driven" } else { "state" };
    let mut out = vec![
        Field::f64_scalar("rate_hz", run.rate_hz),
        Field::i64_scalar("n_steps", run.n_steps as i64),
        Field::f64_scalar("dt", run.dt),
        Field::i64s("spikes", run.spikes.iter().map(|&k| k as i64).collect()),
    ];
    for (name, trace) in &run.states {
        out.push(Field::f64s(&format!("{prefix}_{name}"), trace.clone()));
    }
    let drive = if driven { "driven_drive" } else { "drive" };
    out.push(Field::f64s(drive, run.drive.clone()));
    out
}

/// A case whose simulator is the input `model`.
pub fn model_case(op: &str, names: &[&str], x: &[Field]) -> Result<Vec<Field>> {
    let model_name = str_in(x, "model")?;
    let m = model(&model_name)
        .ok_or_else(|| MirrorError::value("model", format!("unknown model {model_name:?}")))?;
    let mut taken = vec!["op", "model"];
    taken.extend_from_slice(names);
    let cfg = config_in(x, &taken)?;
    let sim: Simulate<'_> = &m;
    match op {
        "simulate" => {
            let driven = cfg.text("protocol", "").is_ok_and(|p| p == "sine");
            Ok(run_outputs(&m(&cfg)?, driven))
        }
        "fi_curve_sweep" => {
            let (i_min, i_max) = (real_in(x, "i_min")?, real_in(x, "i_max")?);
            let (currents, rates) = fi_curve_sweep(sim, &cfg, i_min, i_max, int_in(x, "i_steps")?)?;
            Ok(vec![
                Field::f64s("currents", currents),
                Field::f64s("rates", rates),
            ])
        }
        "bifurcation_sweep" => bifurcation(sim, &cfg, x),
        "sensitivity_analysis" => sensitivity(sim, &cfg, x),
        "heatmap_2d" => {
            let h = heatmap_2d(
                sim,
                &cfg,
                &str_in(x, "param_x")?,
                real_in(x, "x_min")?,
                real_in(x, "x_max")?,
                int_in(x, "x_steps")?,
                &str_in(x, "param_y")?,
                real_in(x, "y_min")?,
                real_in(x, "y_max")?,
                int_in(x, "y_steps")?,
            )?;
            let total = (h.x_values.len() * h.y_values.len()) as i64;
            let cols = h.x_values.len();
            Ok(vec![
                Field::f64s("x_values", h.x_values),
                Field::f64s("y_values", h.y_values),
                matrix_f64("rates", &h.rates, cols)?,
                Field::f64_scalar("rate_min", h.rate_min),
                Field::f64_scalar("rate_max", h.rate_max),
                Field::i64_scalar("total_points", total),
                Field::str_scalar("protocol", &h.protocol),
            ])
        }
        _ => frequency(sim, &cfg, x),
    }
}

fn bifurcation(sim: Simulate<'_>, cfg: &Config, x: &[Field]) -> Result<Vec<Field>> {
    let variable = str_opt(x, "variable")?;
    let b = bifurcation_sweep(
        sim,
        cfg,
        &str_in(x, "param_name")?,
        real_in(x, "param_min")?,
        real_in(x, "param_max")?,
        int_or(x, "n_values", 30)?,
        variable.as_deref(),
    )?;
    let mut out = vec![
        Field::f64s("param_values", b.param_values),
        Field::i64s(
            "counts",
            b.attractors.iter().map(|a| a.len() as i64).collect(),
        ),
        Field::f64s("attractors", b.attractors.concat()),
        Field::strs("kinds", b.kinds.iter().map(|k| k.to_string()).collect()),
        Field::str_scalar("variable", &b.variable),
        Field::str_scalar("protocol", &b.protocol),
        Field::str_scalar("domain", b.domain.as_str()),
        Field::i64_scalar("insufficient", b.insufficient as i64),
    ];
    if let Some(f) = b.frequency_hz {
        out.push(Field::f64_scalar("frequency_hz", f));
    }
    Ok(out)
}

fn sensitivity(sim: Simulate<'_>, cfg: &Config, x: &[Field]) -> Result<Vec<Field>> {
    let names = str_list(x, "param_names")?;
    let perturbation = real_or(x, "perturbation", SENSITIVITY_PERTURBATION)?;
    let s = sensitivity_analysis(sim, cfg, &names, perturbation)?;
    let rows = &s.rows;
    Ok(vec![
        Field::strs("params", rows.iter().map(|r| r.param.clone()).collect()),
        Field::f64s(
            "sensitivities",
            rows.iter().map(|r| nan(r.sensitivity)).collect(),
        ),
        Field::u8s(
            "defined",
            mask(&rows.iter().map(|r| r.sensitivity).collect::<Vec<_>>()),
        ),
        Field::u8s(
            "has_rates",
            rows.iter().map(|r| u8::from(r.rates.is_some())).collect(),
        ),
        Field::f64s(
            "rates_minus",
            rows.iter().map(|r| nan(r.rates.map(|p| p.0))).collect(),
        ),
        Field::f64s(
            "rates_plus",
            rows.iter().map(|r| nan(r.rates.map(|p| p.1))).collect(),
        ),
        Field::strs(
            "reasons",
            rows.iter()
                .map(|r| r.reason.unwrap_or("").to_string())
                .collect(),
        ),
        Field::f64_scalar("base_rate", s.base_rate),
        Field::str_scalar("domain", s.domain.as_str()),
        Field::i64_scalar("undefined", s.undefined as i64),
    ])
}

fn frequency(sim: Simulate<'_>, cfg: &Config, x: &[Field]) -> Result<Vec<Field>> {
    let f = frequency_response(
        sim,
        cfg,
        real_or(x, "freq_min", 1.0)?,
        real_or(x, "freq_max", 100.0)?,
        int_or(x, "n_freqs", 20)?,
        real_or(x, "bias", 10.0)?,
        real_or(x, "depth", FREQUENCY_RESPONSE_DEPTH)?,
    )?;
    let p = &f.points;
    Ok(vec![
        Field::f64s("frequencies_hz", f.frequencies_hz.clone()),
        Field::u8s(
            "measured",
            mask(&p.iter().map(|m| m.rate_hz).collect::<Vec<_>>()),
        ),
        Field::f64s("mean_rates", p.iter().map(|m| nan(m.rate_hz)).collect()),
        Field::f64s(
            "modulation_hz",
            p.iter().map(|m| nan(m.modulation_hz)).collect(),
        ),
        Field::f64s("gain", f.gain.iter().map(|g| nan(*g)).collect()),
        Field::f64s(
            "phase_lag_deg",
            p.iter().map(|m| nan(m.phase_lag_deg)).collect(),
        ),
        Field::f64s(
            "vector_strength",
            p.iter().map(|m| nan(m.vector_strength)).collect(),
        ),
        Field::i64s("cycles", p.iter().map(|m| m.cycles).collect()),
        Field::f64_scalar("amplitude", f.amplitude),
        Field::str_scalar("domain", f.domain.as_str()),
    ])
}

fn constants() -> Vec<Field> {
    let i = |n: &str, v: i64| Field::i64_scalar(n, v);
    let r = |n: &str, v: f64| Field::f64_scalar(n, v);
    vec![
        i("attractor_decimals", ATTRACTOR_DECIMALS as i64),
        i("attractor_extrema_kept", ATTRACTOR_EXTREMA_KEPT as i64),
        i("attractor_min_samples", ATTRACTOR_MIN_SAMPLES as i64),
        r("frequency_response_depth", FREQUENCY_RESPONSE_DEPTH),
        i(
            "frequency_response_min_cycles",
            FREQUENCY_RESPONSE_MIN_CYCLES,
        ),
        r("sensitivity_perturbation", SENSITIVITY_PERTURBATION),
        i("sensitivity_decimals", SENSITIVITY_DECIMALS as i64),
        i("error_decimals", ERROR_DECIMALS as i64),
        i("max_steps", MAX_STEPS),
        i("max_points", MAX_POINTS),
        i("max_grid", MAX_GRID),
        r("step_tolerance", STEP_TOLERANCE),
        i("min_data_width", MIN_DATA_WIDTH),
        i("max_data_width", MAX_DATA_WIDTH),
        i("max_integer_power", MAX_INTEGER_POWER),
        r("tau", TAU),
        r("half_pi", HALF_PI),
        r("degrees_per_radian", DEGREES_PER_RADIAN),
        Field::f64s(
            "default_range_0",
            vec![DEFAULT_RANGES[0].0, DEFAULT_RANGES[0].1],
        ),
        Field::f64s(
            "default_range_1",
            vec![DEFAULT_RANGES[1].0, DEFAULT_RANGES[1].1],
        ),
        Field::f64s("lif_defaults", LIF_DEFAULTS.iter().map(|p| p.1).collect()),
        Field::f64s(
            "fitzhugh_nagumo_defaults",
            FITZHUGH_NAGUMO_DEFAULTS.iter().map(|p| p.1).collect(),
        ),
        Field::str_scalar("rate_definition", RATE_DEFINITION),
    ]
}

/// A case on plain values.
pub fn direct_case(op: &str, x: &[Field]) -> Result<Vec<Field>> {
    match op {
        "constants" => Ok(constants()),
        "drive_samples" => {
            let protocol = str_in(x, "protocol")?;
            let samples = drive_samples(
                &protocol,
                real_in(x, "current")?,
                int_in(x, "n_steps")?,
                real_in(x, "dt")?,
                real_in(x, "frequency_hz")?,
                real_in(x, "bias")?,
            )?;
            let name = if protocol == "sine" {
                "samples_sine"
            } else {
                "samples"
            };
            Ok(vec![Field::f64s(name, samples)])
        }
        "attractor_sample" => {
            let (values, kind) = attractor_sample(&vector_in(x, "trace")?);
            Ok(vec![
                Field::f64s("values", values),
                Field::str_scalar("kind", kind),
            ])
        }
        "spike_triggered_average" => {
            let s = spike_triggered_average(
                &vector_in(x, "time")?,
                &vector_in(x, "voltage")?,
                &index_in(x, "spikes")?,
                real_in(x, "dt")?,
                real_or(x, "window_ms", 20.0)?,
            )?;
            Ok(vec![
                Field::f64s("time_ms", s.time_ms),
                Field::f64s("average", s.average),
                Field::i64_scalar("n_spikes", s.n_spikes as i64),
                Field::str_scalar("domain", s.domain.as_str()),
                Field::i64_scalar("spikes_given", s.spikes_given as i64),
                Field::i64_scalar("windows_used", s.windows_used as i64),
            ])
        }
        "half_window" => {
            let (w, d) = (vector_in(x, "window_ms")?, vector_in(x, "dt")?);
            if w.len() != d.len() {
                return Err(MirrorError::value(
                    "dt",
                    "dt must have the shape of window_ms",
                ));
            }
            let half = w
                .iter()
                .zip(&d)
                .map(|(&w, &d)| half_window(w, d).map(|h| h as i64))
                .collect::<Result<Vec<_>>>()?;
            Ok(vec![Field::i64s("half", half)])
        }
        "rate_modulation" => modulation(x),
        "linspace" | "logspace" => spaced(op, x),
        "round_decimals" => {
            let a = array_in(x, "values")?;
            real_array("values", &a, Form::Any)?;
            let digits = check_int("digits", int_in(x, "digits")?, 0, Some(16))?;
            let data = a
                .data()
                .iter()
                .map(|&v| round_decimals(v, digits))
                .collect();
            Ok(vec![Field::from_f64(
                "values",
                NdArray::new("values", a.shape().to_vec(), data)?,
            )])
        }
        "whole_steps" => steps(x),
        "evaluate" => evaluate_case(x),
        "simulate_equations" => {
            let drive = Drive::new(
                &str_opt(x, "protocol")?.unwrap_or_else(|| "constant".into()),
                real_or(x, "current", 0.0)?,
                real_or(x, "bias", 0.0)?,
                real_or(x, "frequency_hz", 10.0)?,
            )?;
            let (dt, duration) = (real_or(x, "dt", 0.1)?, real_or(x, "duration", 100.0)?);
            with_request(x, &drive, dt, duration, |spec, experiment| {
                let run = simulate_equations(spec, experiment)?;
                let libm = spec.equations.iter().any(|t| uses_libm(t));
                Ok(run_outputs(&run, drive.protocol == "sine" || libm))
            })
        }
        "nullclines_2d" => nullclines(x),
        "precision_compare" => precision(x),
        _ => {
            let (width, fraction) = resolve_word_format(&str_in(x, "q_format")?)?;
            Ok(vec![
                Field::i64_scalar("data_width", i64::from(width)),
                Field::i64_scalar("fraction", i64::from(fraction)),
            ])
        }
    }
}

fn modulation(x: &[Field]) -> Result<Vec<Field>> {
    let n_steps = check_int("n_steps", int_in(x, "n_steps")?, 1, Some(MAX_STEPS + 1))?;
    let spikes = index_in(x, "spikes")?;
    if let Some(&s) = spikes.iter().find(|&&s| s < 0 || s as usize >= n_steps) {
        return Err(MirrorError::value(
            "spikes",
            format!("spike {s} is outside [0, {n_steps})"),
        ));
    }
    let spikes: Vec<usize> = spikes.iter().map(|&s| s as usize).collect();
    let dt = check_real("dt", real_in(x, "dt")?, Bounds::POSITIVE)?;
    let freq = check_real("freq_hz", real_in(x, "freq_hz")?, Bounds::POSITIVE)?;
    let m = rate_modulation(&spikes, dt, n_steps, freq);
    Ok(vec![
        Field::i64_scalar("cycles", m.cycles),
        Field::u8s("measured", mask(&[m.rate_hz])),
        Field::f64s("rate_hz", vec![nan(m.rate_hz)]),
        Field::f64s("modulation_hz", vec![nan(m.modulation_hz)]),
        Field::f64s("phase_lag_deg", vec![nan(m.phase_lag_deg)]),
        Field::f64s("vector_strength", vec![nan(m.vector_strength)]),
    ])
}

fn spaced(op: &str, x: &[Field]) -> Result<Vec<Field>> {
    let lo = check_real("lo", real_in(x, "lo")?, Bounds::ANY)?;
    let hi = check_real("hi", real_in(x, "hi")?, Bounds::ANY)?;
    let n = check_int("n", int_in(x, "n")?, 1, Some(MAX_POINTS + 1))?;
    if op == "linspace" {
        return Ok(vec![Field::f64s("values", linspace(lo, hi, n))]);
    }
    if !(lo > 0.0 && hi > 0.0) {
        return Err(MirrorError::value(
            "lo",
            "lo and hi must be > 0 for logspace",
        ));
    }
    Ok(vec![Field::f64s("values_log", logspace(lo, hi, n))])
}

fn steps(x: &[Field]) -> Result<Vec<Field>> {
    let (d, t) = (vector_in(x, "duration")?, vector_in(x, "dt")?);
    if d.len() != t.len() {
        return Err(MirrorError::value(
            "dt",
            "dt must have the shape of duration",
        ));
    }
    let mut out = Vec::with_capacity(d.len());
    for (&duration, &dt) in d.iter().zip(&t) {
        if duration < 0.0 || dt <= 0.0 {
            return Err(MirrorError::value("dt", "duration must be >= 0 and dt > 0"));
        }
        if duration / dt >= 9_007_199_254_740_992.0 {
            return Err(MirrorError::value(
                "duration",
                "duration / dt must stay below 2**53",
            ));
        }
        out.push(whole_steps(duration, dt));
    }
    Ok(vec![Field::i64s("steps", out)])
}

fn evaluate_case(x: &[Field]) -> Result<Vec<Field>> {
    let text = str_in(x, "expression")?;
    let node = parse_expression(&text).map_err(|e| MirrorError::value("expression", e))?;
    let env: Vec<(String, f64)> = group(x, "names__")
        .into_iter()
        .map(|(k, v)| {
            let name = format!("names__{k}");
            let r = check_real(&name, v.real(&name)?, Bounds::ANY)?;
            Ok((k, r))
        })
        .collect::<Result<_>>()?;
    if let Some(name) = names_of(&node)
        .into_iter()
        .find(|n| !env.iter().any(|(k, _)| k == n))
    {
        return Err(MirrorError::value(
            "expression",
            format!("names__{name} is missing"),
        ));
    }
    let (value, failed) = match evaluate(&node, &env) {
        Ok(v) => (v, 0),
        Err(_) => (f64::NAN, 1),
    };
    let name = if uses_libm(&text) {
        "value_libm"
    } else {
        "value"
    };
    Ok(vec![
        Field::f64_scalar(name, value),
        Field::u8_scalar("failed", failed),
    ])
}

fn nullclines(x: &[Field]) -> Result<Vec<Field>> {
    let ranges = group(x, "ranges__")
        .into_iter()
        .map(|(k, _)| {
            let name = format!("ranges__{k}");
            let a = array_in(x, &name)?;
            if a.ndim() != 1 {
                return Err(MirrorError::value(
                    &name,
                    format!("{name} must be two numbers"),
                ));
            }
            Ok((k, a.data().to_vec()))
        })
        .collect::<Result<Vec<_>>>()?;
    let nc = nullclines_2d(
        &str_list(x, "equations")?,
        &real_group(x, "params__")?,
        &str_list(x, "var_names")?,
        &ranges,
        int_or(x, "grid_size", 80)?,
        real_or(x, "current", 0.0)?,
        &real_group(x, "held__")?,
    )?;
    let points = |name: &str, p: &[[f64; 2]]| -> Result<Field> {
        let data = p.iter().flatten().copied().collect();
        Ok(Field::from_f64(
            name,
            NdArray::new(name, vec![p.len(), 2], data)?,
        ))
    };
    Ok(vec![
        Field::f64s("x", nc.x.clone()),
        Field::f64s("y", nc.y.clone()),
        points("points_0", &nc.points[0])?,
        points("points_1", &nc.points[1])?,
        matrix_u8("validity_0", &nc.validity[0])?,
        matrix_u8("validity_1", &nc.validity[1])?,
        Field::strs(
            "held_names",
            nc.held.iter().map(|(n, _)| n.clone()).collect(),
        ),
        Field::f64s("held_values", nc.held.iter().map(|(_, v)| *v).collect()),
        Field::str_scalar("domain", nc.domain.as_str()),
    ])
}

/// Calls `f` with the equation system and experiment of an equation case.
fn with_request<T>(
    x: &[Field],
    drive: &Drive,
    dt: f64,
    duration: f64,
    f: impl FnOnce(&SystemSpec<'_>, &ExperimentSpec<'_>) -> Result<T>,
) -> Result<T> {
    let (equations, threshold, reset) = (
        str_list(x, "equations")?,
        str_opt(x, "threshold")?,
        str_opt(x, "reset")?,
    );
    let (params, init) = (real_group(x, "params__")?, real_group(x, "init__")?);
    let spec = SystemSpec {
        equations: &equations,
        threshold: threshold.as_deref(),
        reset: reset.as_deref(),
        params: &params,
        init: &init,
    };
    let experiment = ExperimentSpec {
        dt,
        duration,
        drive,
        max_steps: int_or(x, "max_steps", MAX_STEPS)?,
    };
    f(&spec, &experiment)
}

fn precision(x: &[Field]) -> Result<Vec<Field>> {
    let drive = Drive::new(
        &str_opt(x, "protocol")?.unwrap_or_else(|| "constant".into()),
        real_in(x, "current")?,
        0.0,
        real_or(x, "frequency_hz", 10.0)?,
    )?;
    let (q_format, overflow, rounding) = (
        str_opt(x, "q_format")?.unwrap_or_else(|| "Q8.8".into()),
        str_opt(x, "overflow")?.unwrap_or_else(|| "saturate".into()),
        str_opt(x, "rounding")?.unwrap_or_else(|| "truncate".into()),
    );
    let (dt, duration) = (real_in(x, "dt")?, real_in(x, "duration")?);
    let p = with_request(x, &drive, dt, duration, |spec, experiment| {
        precision_compare(spec, experiment, &q_format, &overflow, &rounding)
    })?;
    let mut out = Vec::new();
    for (j, name) in p.variables.iter().enumerate() {
        out.push(Field::f64s(
            &format!("float_{name}"),
            p.float.states[j].clone(),
        ));
        out.push(Field::i64s(&format!("words_{name}"), p.words[j].clone()));
        out.push(Field::f64s(
            &format!("quant_{name}"),
            p.quantised.states[j].clone(),
        ));
    }
    let steps = |s: &[usize]| s.iter().map(|&k| k as i64).collect();
    out.push(Field::i64s("float_spikes", steps(&p.float.spikes)));
    out.push(Field::i64s("fixed_spikes", steps(&p.fixed_spikes)));
    out.push(Field::i64s("quant_spikes", steps(&p.quantised.spikes)));
    out.push(Field::i64s("drive_words", p.drive_words.clone()));
    out.push(Field::i64_scalar("dt_word", p.dt_word));
    out.push(Field::i64s("param_words", p.param_words.clone()));
    out.push(Field::i64s("init_words", p.init_words.clone()));
    for (key, comparisons, events) in [
        ("bt", &p.bit_true, p.events[0]),
        ("pq", &p.parameter_quantisation, p.events[1]),
    ] {
        for (name, c) in p.variables.iter().zip(comparisons) {
            out.push(Field::f64s(&format!("{key}_{name}"), c.metrics.to_vec()));
            let first = c.first_divergence_step.map_or(-1, |k| k as i64);
            out.push(Field::i64_scalar(&format!("{key}_first_{name}"), first));
        }
        out.push(Field::i64s(&format!("{key}_events"), events.to_vec()));
    }
    let sat: Vec<i64> = p.saturation.iter().flatten().copied().collect();
    let rows = p.saturation.len();
    out.push(Field::from_i64(
        "saturation",
        NdArray::new("saturation", vec![rows, 2], sat)?,
    ));
    out.push(Field::f64s("error", p.error.to_vec()));
    Ok(out)
}
