//! Responses read from spike trains: the spike-triggered average and the
//! frequency response (`sc_neurocore.studio._analysis.responses`).

use crate::checks::{Bounds, check_real};
use crate::error::{MirrorError, Result};

use super::exact::{STEP_TOLERANCE, logspace, python_mod, sequential_sum};
use super::runs::{Config, TAU, Value};
use super::sweeps::{Domain, Simulate, check_count};

/// Default modulation depth of the frequency-response drive.
pub const FREQUENCY_RESPONSE_DEPTH: f64 = 0.5;
/// Whole drive cycles a frequency needs within the run to be measured.
pub const FREQUENCY_RESPONSE_MIN_CYCLES: i64 = 1;
/// `180 / pi` as a double.
pub const DEGREES_PER_RADIAN: f64 = 57.29577951308232;
/// `pi / 2` as a double.
pub const HALF_PI: f64 = std::f64::consts::FRAC_PI_2;

/// `max(1, floor((window_ms / dt) / 2 + STEP_TOLERANCE))`: half the window's
/// samples rounded down, a ratio just below an integer (float error) counting
/// as it; errors name `window_ms` or `dt`.
pub fn half_window(window_ms: f64, dt: f64) -> Result<usize> {
    let ratio = (check_real("window_ms", window_ms, Bounds::POSITIVE)?
        / check_real("dt", dt, Bounds::POSITIVE)?)
        / 2.0;
    if ratio >= 4_503_599_627_370_496.0 {
        return Err(MirrorError::value(
            "window_ms",
            format!("window_ms must be under 2**53 samples of dt, got {window_ms:?} / {dt:?}"),
        ));
    }
    Ok(((ratio + STEP_TOLERANCE).floor() as usize).max(1))
}

/// The result of [`spike_triggered_average`].
#[derive(Debug, Clone, PartialEq)]
pub struct SpikeTriggeredAverage {
    /// `(j - hw) * dt` for `j < 2 hw` (empty when nothing was averaged).
    pub time_ms: Vec<f64>,
    /// The average snippet.
    pub average: Vec<f64>,
    /// Snippets averaged (the number of spikes given when fewer than two).
    pub n_spikes: usize,
    /// The contract's domain.
    pub domain: Domain,
    /// Spikes given.
    pub spikes_given: usize,
    /// Windows used.
    pub windows_used: usize,
}

/// Average of `voltage[k - hw .. k + hw]` over the spikes `k` whose window
/// lies inside the trace (`k >= hw`, `k + hw <= len`), summed in spike order.
/// `time` must be empty or as long as `voltage` (checked only).
pub fn spike_triggered_average(
    time: &[f64],
    voltage: &[f64],
    spikes: &[i64],
    dt: f64,
    window_ms: f64,
) -> Result<SpikeTriggeredAverage> {
    for (name, values) in [("voltage", voltage), ("time", time)] {
        if let Some(k) = values.iter().position(|v| !v.is_finite()) {
            return Err(MirrorError::value(
                name,
                format!("{name} must be finite, got {:?} at index ({k},)", values[k]),
            ));
        }
    }
    let n = voltage.len();
    if !time.is_empty() && time.len() != n {
        return Err(MirrorError::value(
            "time",
            format!(
                "time must be empty or have the length of voltage ({n}), got {}",
                time.len()
            ),
        ));
    }
    let mut idx = Vec::with_capacity(spikes.len());
    for (k, &s) in spikes.iter().enumerate() {
        if s < 0 || s as usize >= n {
            return Err(MirrorError::value(
                "spikes",
                format!("spikes must hold indices in [0, {n}), got {s} at index {k}"),
            ));
        }
        idx.push(s as usize);
    }
    let step = check_real("dt", dt, Bounds::POSITIVE)?;
    let window = check_real("window_ms", window_ms, Bounds::POSITIVE)?;
    let empty = |n_spikes: usize| SpikeTriggeredAverage {
        time_ms: Vec::new(),
        average: Vec::new(),
        n_spikes,
        domain: Domain::Empty,
        spikes_given: idx.len(),
        windows_used: 0,
    };
    if idx.len() < 2 {
        return Ok(empty(idx.len()));
    }
    if (window / step) / 2.0 > n as f64 {
        return Ok(empty(0));
    }
    let hw = half_window(window, step)?;
    let used: Vec<usize> = idx
        .iter()
        .copied()
        .filter(|&k| k >= hw && k + hw <= n)
        .collect();
    if used.is_empty() {
        return Ok(empty(0));
    }
    let mut acc = vec![0.0; 2 * hw];
    for &k in &used {
        for (a, &v) in acc.iter_mut().zip(&voltage[k - hw..k + hw]) {
            *a += v;
        }
    }
    let count = used.len() as f64;
    Ok(SpikeTriggeredAverage {
        time_ms: (0..2 * hw).map(|j| (j as f64 - hw as f64) * step).collect(),
        average: acc.into_iter().map(|a| a / count).collect(),
        n_spikes: used.len(),
        domain: if used.len() == idx.len() {
            Domain::Complete
        } else {
            Domain::Partial
        },
        spikes_given: idx.len(),
        windows_used: used.len(),
    })
}

/// One frequency's response ([`rate_modulation`]); `None` where undefined.
#[derive(Debug, Clone, PartialEq)]
pub struct Modulation {
    /// Whole drive cycles in the run.
    pub cycles: i64,
    /// Spikes per second of the window (`None`: no whole cycle).
    pub rate_hz: Option<f64>,
    /// Amplitude of the rate's first harmonic.
    pub modulation_hz: Option<f64>,
    /// How far the rate's peak lags the drive's, in `[-180, 180)`.
    pub phase_lag_deg: Option<f64>,
    /// `|Z| / N`.
    pub vector_strength: Option<f64>,
}

/// One frequency's response from the spike steps of one run, exactly as the
/// Python docstring specifies (window of `floor(run / period + 1e-9)` whole
/// cycles, spikes at `(k + 1) * dt`, phases reduced to one cycle).
pub fn rate_modulation(spikes: &[usize], dt: f64, n_steps: usize, freq_hz: f64) -> Modulation {
    let period = 1000.0 / freq_hz;
    let cycles = ((n_steps as f64 * dt) / period + STEP_TOLERANCE).floor() as i64;
    if cycles < FREQUENCY_RESPONSE_MIN_CYCLES {
        return Modulation {
            cycles,
            rate_hz: None,
            modulation_hz: None,
            phase_lag_deg: None,
            vector_strength: None,
        };
    }
    let window = cycles as f64 * period;
    let times: Vec<f64> = spikes
        .iter()
        .map(|&k| (k + 1) as f64 * dt)
        .filter(|&t| t <= window)
        .collect();
    let rate = (1000.0 * times.len() as f64) / window;
    if times.is_empty() {
        return Modulation {
            cycles,
            rate_hz: Some(rate),
            modulation_hz: Some(0.0),
            phase_lag_deg: None,
            vector_strength: None,
        };
    }
    let thetas: Vec<f64> = times
        .iter()
        .map(|&t| {
            let u = (freq_hz * t) / 1000.0;
            TAU * (u - u.floor())
        })
        .collect();
    let re = sequential_sum(thetas.iter().map(|x| x.cos()));
    let im = sequential_sum(thetas.iter().map(|x| x.sin()));
    let size = (re * re + im * im).sqrt();
    let lag = (im.atan2(re) - HALF_PI) * DEGREES_PER_RADIAN;
    Modulation {
        cycles,
        rate_hz: Some(rate),
        modulation_hz: Some((2000.0 * size) / window),
        phase_lag_deg: Some(python_mod(lag + 180.0, 360.0) - 180.0),
        vector_strength: Some(size / times.len() as f64),
    }
}

/// The result of [`frequency_response`].
#[derive(Debug, Clone, PartialEq)]
pub struct FrequencyResponse {
    /// The frequencies (Hz).
    pub frequencies_hz: Vec<f64>,
    /// One response per frequency.
    pub points: Vec<Modulation>,
    /// `modulation_hz / amplitude` per frequency.
    pub gain: Vec<Option<f64>>,
    /// `depth * |bias|`.
    pub amplitude: f64,
    /// The contract's domain.
    pub domain: Domain,
}

/// The response to `bias * (1 + depth * sin(2 pi f t))` for each `f` of
/// `logspace(freq_min, freq_max, n_freqs)`.
pub fn frequency_response(
    simulate: Simulate<'_>,
    base: &Config,
    freq_min: f64,
    freq_max: f64,
    n_freqs: i64,
    bias: f64,
    depth: f64,
) -> Result<FrequencyResponse> {
    let fmin = check_real("freq_min", freq_min, Bounds::POSITIVE)?;
    let fmax = check_real("freq_max", freq_max, Bounds::POSITIVE)?;
    if fmax < fmin {
        return Err(MirrorError::value(
            "freq_max",
            format!("freq_max must be >= freq_min = {fmin:?}, got {fmax:?}"),
        ));
    }
    let n = check_count(n_freqs, "n_freqs")?;
    let level = check_real("bias", bias, Bounds::ANY)?;
    if level == 0.0 {
        return Err(MirrorError::value(
            "bias",
            "bias must be a non-zero, finite current",
        ));
    }
    let depth = check_real("depth", depth, Bounds::ANY)?;
    if !(0.0 < depth && depth < 1.0) {
        return Err(MirrorError::value(
            "depth",
            format!("depth must lie in (0, 1), got {depth:?}"),
        ));
    }
    let amplitude = depth * level.abs();
    let frequencies_hz = logspace(fmin, fmax, n);
    let mut points = Vec::with_capacity(n);
    for &f in &frequencies_hz {
        let cfg = base
            .with("current", Value::Float(depth * level))
            .with("bias", Value::Float(level))
            .with("protocol", Value::Str("sine".into()))
            .with("frequency_hz", Value::Float(f));
        let run = simulate(&cfg)?;
        points.push(rate_modulation(&run.spikes, run.dt, run.n_steps, f));
    }
    let measured = points.iter().filter(|p| p.rate_hz.is_some()).count();
    Ok(FrequencyResponse {
        gain: points
            .iter()
            .map(|p| p.modulation_hz.map(|m| m / amplitude))
            .collect(),
        domain: Domain::of(measured, points.len()),
        frequencies_hz,
        points,
        amplitude,
    })
}
