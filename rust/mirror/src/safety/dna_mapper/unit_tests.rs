//! Unit tests of what the golden file cannot show: properties over many
//! inputs (every single substitution corrected, probabilities bounded, the
//! designer's rules on random seeds) and refusals instead of panics.

use super::coding::Gf4Code;
use super::design::SequenceDesigner;
use super::folding;
use super::kinetics::KineticSimulator;
use super::network::{BitstreamToDna, Method};
use super::sequences::{gc_count, longest_run};
use super::specs::parse_specs;
use crate::splitmix::SplitMix64;

#[test]
fn every_single_substitution_is_corrected() {
    let code = Gf4Code::new(4, 12).unwrap();
    let data = "ACGTTGCAAGCTTAGCA";
    let word = code.encode(data);
    assert_eq!(code.decode(&word).unwrap(), (data.to_string(), 0));
    for pos in 0..word.len() {
        for base in ['A', 'C', 'G', 'T'] {
            let mut bad: Vec<char> = word.chars().collect();
            if bad[pos] == base {
                continue;
            }
            bad[pos] = base;
            let bad: String = bad.into_iter().collect();
            assert_eq!(
                code.decode(&bad).unwrap(),
                (data.to_string(), 1),
                "at {pos}"
            );
        }
    }
}

#[test]
fn pair_probabilities_are_probabilities() {
    let mut rng = SplitMix64::new(5);
    for n in [1usize, 5, 17, 40] {
        let seq: String = (0..n)
            .map(|_| b"ACGT"[rng.below(4).unwrap() as usize] as char)
            .collect();
        let p = folding::pair_probabilities(&seq, 37.0);
        for i in 0..n {
            let row: f64 = p[i * n..(i + 1) * n].iter().sum();
            assert!(row <= 1.0 + 1e-12 && p[i * n + i] == 0.0, "{seq} row {i}");
            for j in 0..n {
                assert_eq!(p[i * n + j], p[j * n + i]);
            }
        }
        let (energy, structure) = folding::mfe(&seq);
        assert!(energy <= 0.0 && structure.len() == n);
    }
}

#[test]
fn designs_meet_the_gc_and_run_rules_for_any_seed() {
    for seed in [0u64, 1, 42, u64::MAX] {
        for (gc, run) in [((0.4, 0.6), 3), ((0.5, 0.5), 1), ((0.0, 0.2), 2)] {
            let mut d = SequenceDesigner::new(seed, gc, run, 0.75, 5).unwrap();
            for n in [6i64, 10, 16, 40] {
                let s = d.generate(n).unwrap();
                let f = gc_count(&s) as f64 / n as f64;
                assert!(
                    gc.0 <= f && f <= gc.1 && longest_run(&s) <= run as usize,
                    "{s}"
                );
            }
        }
    }
}

#[test]
fn refusals_are_errors_not_panics() {
    assert_eq!(Gf4Code::new(1, 1).unwrap_err().arg, "n_parity");
    assert_eq!(Gf4Code::new(4, 82).unwrap_err().arg, "block_size");
    let code = Gf4Code::new(2, 3).unwrap();
    assert_eq!(code.decode("AC").unwrap_err().arg, "encoded_sequence");
    assert!(KineticSimulator::new(f64::NAN, 1.0, 37.0, "euler").is_err());
    assert!(parse_specs(&["AND a".to_string()]).is_err());
    let mut compiler = BitstreamToDna::new(Method::Displacement, 1, 37.0).unwrap();
    let state = compiler.rng_state();
    let specs = parse_specs(&["NAND a,b c".to_string()]).unwrap();
    let e = compiler
        .compile_network(&specs, &["a".into(), "b".into()], &["c".into()])
        .unwrap_err();
    assert_eq!((e.arg.as_str(), compiler.rng_state()), ("gates", state));
}

#[test]
fn the_stability_guard_keeps_a_stiff_gate_exact() {
    let mut compiler = BitstreamToDna::new(Method::Hybrid, 42, 37.0).unwrap();
    let specs = parse_specs(&["AND a,b c".to_string()]).unwrap();
    let design = compiler
        .compile_network(&specs, &["a".into(), "b".into()], &["c".into()])
        .unwrap();
    for integrator in ["euler", "rk4"] {
        let sim = KineticSimulator::new(1e12, 1.0, 37.0, integrator).unwrap();
        let inputs = [("a".to_string(), 100.0), ("b".to_string(), 100.0)];
        let trace = sim.simulate(&design, &inputs, 60.0, 1.0).unwrap();
        let last = trace.traces[trace.traces.len() - 1];
        assert!((last - 50.0).abs() < 1e-6, "{integrator}: {last}");
    }
    let sim = KineticSimulator::new(1e15, 1e15, 37.0, "euler").unwrap();
    let inputs = [("a".to_string(), 1.0), ("b".to_string(), 1.0)];
    assert_eq!(
        sim.simulate(&design, &inputs, 3600.0, 1.0).unwrap_err().arg,
        "dt"
    );
}

#[test]
fn precision_of_a_design_without_gates_has_no_outputs() {
    use super::analyses::precision;
    use super::types::Design;
    let empty = Design::default();
    assert_eq!(precision(&empty, &[], 200.0, 3600.0), Ok(Vec::new()));
    assert_eq!(
        precision(&empty, &[], 200.0, -1.0).unwrap_err().arg,
        "duration_s"
    );
    assert_eq!(
        precision(&empty, &[], 0.0, 3600.0).unwrap_err().arg,
        "max_conc_nM"
    );
}
