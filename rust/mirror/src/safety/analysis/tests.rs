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
fn sta_half_window_rounds_down_without_losing_a_sample() {
    // 0.6 / 0.1 = 5.999999999999999: three samples a side, not two.
    assert_eq!(half_window(0.6, 0.1), Ok(3));
    // An odd number of samples per window rounds down, as the reference
    // documents: 3, 5 and 7 steps give 1, 2 and 3 a side.
    assert_eq!(half_window(3.0, 1.0), Ok(1));
    assert_eq!(half_window(5.0, 1.0), Ok(2));
    assert_eq!(half_window(7.0, 1.0), Ok(3));
    assert_eq!(half_window(1.0, 1.0), Ok(1));
    for k in 1..200usize {
        for dt in [0.1, 0.01, 0.025, 0.3, 0.7] {
            // 2 k dt and (2 k + 1) dt, as decimals, both give k.
            for steps in [2 * k, 2 * k + 1] {
                let window: f64 = format!("{}", steps as f64 * dt).parse().unwrap();
                assert_eq!(half_window(window, dt), Ok(k), "{steps} x {dt}");
            }
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
