//! The golden test of `parity/golden/analysis.txt` and unit tests.

use super::golden_cases::run_case;
use super::models::lif_neuron;
use super::responses::{half_window, spike_triggered_average};
use super::runs::{Config, Value};
use crate::golden_check::check_golden;

#[test]
fn golden_analysis() {
    let counts = check_golden("analysis", |case| run_case(&case.inputs));
    assert!(counts.valid > 100 && counts.invalid > 100, "{counts:?}");
}

#[test]
fn sta_half_window_counts_with_round() {
    // 0.6 / 0.1 = 5.999999999999999: three samples a side, not two.
    assert_eq!(half_window(0.6, 0.1), Ok(3));
    for k in 1..200usize {
        for dt in [0.1, 0.01, 0.025, 0.3, 0.7] {
            let window: f64 = format!("{}", 2.0 * k as f64 * dt).parse().unwrap();
            let want = half_window(window, dt).unwrap();
            assert!(want.abs_diff(k) <= 1, "{k} {dt}");
        }
    }
    // voltage 0..19, spikes 5, 9, 14, hw 3: snippets 2..8, 6..12 and 11..17.
    let v: Vec<f64> = (0..20).map(f64::from).collect();
    let sta = spike_triggered_average(&[], &v, &[5, 9, 14], 0.1, 0.6).unwrap();
    let want: Vec<f64> = (0..6).map(|j| f64::from(19 + 3 * j) / 3.0).collect();
    assert_eq!(sta.average, want);
    assert_eq!(sta.time_ms.len(), 6);
}

#[test]
fn lif_refuses_a_negative_resistance() {
    let mut cfg = Config::default();
    cfg.params.set("resistance", Value::Float(-2.0));
    let e = lif_neuron(&cfg).unwrap_err();
    assert_eq!(e.arg, "params.resistance");
}
