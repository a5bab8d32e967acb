//! The golden test: every case of `parity/golden/dna_mapper.txt` through the
//! mirror (see `parity/safety_cases/dna_mapper.py` for the ops).

use super::analyses::{self, Entry};
use super::coding::Gf4Code;
use super::compilers::{compile_gate, is_enzymatic, leak_rate, strongest_complementary_delta_g};
use super::design::SequenceDesigner;
use super::err;
use super::folding;
use super::kinetics::{KineticSimulator, gate_concentration};
use super::lab;
use super::network::{BitstreamToDna, Method, adjacency_specs, dual_rail_specs};
use super::optimizer;
use super::sequences::{check_sequence, longest_common_substring, revcomp};
use super::specs::{GateSpec, parse_specs};
use super::structure;
use super::thermo::{delta_g_37, melting_temperature, nn_sums};
use super::topology;
use super::types::{Design, DnaGate, DnaStrand};
use crate::checks::{Bounds, check_real};
use crate::error::{MirrorError, Result};
use crate::fields::{self, op};
use crate::golden::Field;
use crate::golden_check::check_golden;

type In<'a> = &'a [Field];

fn s(x: In, n: &str) -> Result<String> {
    fields::str_scalar(x, n)
}
fn f(x: In, n: &str) -> Result<f64> {
    fields::f64_scalar(x, n)
}
fn i(x: In, n: &str) -> Result<i64> {
    fields::i64_scalar(x, n)
}
fn u(x: In, n: &str) -> Result<u64> {
    fields::u64_scalar(x, n)
}
fn strs(x: In, n: &str) -> Result<Vec<String>> {
    let a = fields::str_array(x, n)?;
    crate::checks::check_ndim(n, &a, 1)?;
    Ok(a.data().to_vec())
}
fn f64s(x: In, n: &str) -> Result<Vec<f64>> {
    let a = fields::f64_array(x, n)?;
    crate::checks::check_ndim(n, &a, 1)?;
    Ok(a.data().to_vec())
}
fn i64s(x: In, n: &str) -> Result<Vec<i64>> {
    let a = fields::i64_array(x, n)?;
    crate::checks::check_ndim(n, &a, 1)?;
    Ok(a.data().to_vec())
}
fn out_strs(n: &str, v: Vec<String>) -> Field {
    Field::strs(n, v)
}
/// The field `n` of one string per item, `get` of it.
fn str_column<T>(n: &str, items: &[T], get: impl Fn(&T) -> String) -> Field {
    Field::strs(n, items.iter().map(get).collect())
}
fn idx(v: impl IntoIterator<Item = usize>) -> Vec<i64> {
    v.into_iter().map(|k| k as i64).collect()
}

fn mapping(x: In, names: &str, values: &str) -> Result<Vec<(String, f64)>> {
    let (k, v) = (strs(x, names)?, f64s(x, values)?);
    if k.len() != v.len() {
        return err(values, "one value per name");
    }
    Ok(k.into_iter().zip(v).collect())
}

/// The case's `(input name, concentration in nM)` pairs.
fn input_concentrations(x: In) -> Result<Vec<(String, f64)>> {
    mapping(x, "concentration_names", "input_concentrations_nM")
}

fn network(x: In) -> Result<(BitstreamToDna, Design)> {
    let mut compiler = BitstreamToDna::new(
        Method::parse(&s(x, "method")?)?,
        u(x, "seed")?,
        f(x, "temperature_c")?,
    )?;
    let specs = parse_specs(&strs(x, "gates")?)?;
    let design =
        compiler.compile_network(&specs, &strs(x, "input_names")?, &strs(x, "output_names")?)?;
    Ok((compiler, design))
}

fn strand_fields(strands: &[&DnaStrand]) -> Vec<Field> {
    vec![
        str_column("strand_names", strands, |s| s.name.clone()),
        str_column("strand_sequences", strands, |s| s.sequence.clone()),
        str_column("strand_roles", strands, |s| s.role.clone()),
        Field::f64s(
            "strand_concentrations_nM",
            strands.iter().map(|s| s.concentration_nm).collect(),
        ),
    ]
}

fn simulator(x: In) -> Result<KineticSimulator> {
    KineticSimulator::new(
        f(x, "rate_hybridization")?,
        f(x, "rate_displacement")?,
        f(x, "temperature_c")?,
        &s(x, "integrator")?,
    )
}

fn summary_fields(names: Vec<String>, rows: &[Vec<f64>], keys: &[&str]) -> Vec<Field> {
    let mut out = vec![out_strs("outputs", names)];
    for (c, key) in keys.iter().enumerate() {
        out.push(Field::f64s(key, rows.iter().map(|r| r[c]).collect()));
    }
    out
}

fn gate_names(design: &Design) -> Vec<String> {
    design.gates.iter().map(|g| g.output_name.clone()).collect()
}

fn truth_table(x: In, design: &Design) -> Result<Vec<Entry>> {
    let mut table = Vec::new();
    for text in strs(x, "truth_table")? {
        let bad = || MirrorError::value("truth_table", "malformed entry");
        let (left, right) = text.split_once(';').ok_or_else(bad)?;
        let mut inputs = Vec::new();
        for part in left.split(',').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or_else(bad)?;
            inputs.push((k.to_string(), v.parse::<f64>().map_err(|_| bad())?));
        }
        let mut targets = Vec::new();
        for part in right.split(',') {
            let (k, v) = part.split_once('=').ok_or_else(bad)?;
            let j = design
                .gates
                .iter()
                .position(|g| g.output_name == k)
                .ok_or_else(bad)?;
            targets.push((j, analyses::level(v)?));
        }
        table.push((inputs, targets));
    }
    Ok(table)
}

fn gate_text(g: &DnaGate) -> String {
    format!(
        "{} {} {}",
        g.gate_type.name(),
        g.input_names.join(","),
        g.output_name
    )
}

fn run(x: In) -> Result<Vec<Field>> {
    let op = op(x)?;
    Ok(match op.as_str() {
        "DNAStrand" => {
            let st = DnaStrand::new(
                &s(x, "name")?,
                &s(x, "sequence")?,
                &s(x, "role")?,
                f(x, "concentration_nM")?,
            )?;
            vec![
                Field::str_scalar("sequence", &st.sequence),
                Field::i64_scalar("length", st.length() as i64),
                Field::f64_scalar("gc_content", st.gc_content()),
                Field::str_scalar("complement", &st.complement()),
                Field::i64_scalar("max_homopolymer_run", st.max_homopolymer_run() as i64),
            ]
        }
        "DNAStrand.thermodynamics" => {
            let seq = check_sequence("sequence", &s(x, "sequence")?, false)?;
            let tm = melting_temperature(
                &seq,
                f(x, "na_conc_M")?,
                f(x, "strand_conc_M")?,
                &s(x, "salt_correction")?,
            )?;
            let (dh, ds) = nn_sums("sequence", &seq)?;
            vec![
                Field::f64_scalar("delta_h", dh),
                Field::f64_scalar("delta_s", ds),
                Field::f64_scalar("delta_g_37", delta_g_37("sequence", &seq)?),
                Field::f64_scalar("tm", tm),
            ]
        }
        "SequenceDesigner.generate" => {
            let gc = f64s(x, "gc_target")?;
            if gc.len() != 2 {
                return err("gc_target", "gc_target must be a pair");
            }
            let mut d = SequenceDesigner::new(
                u(x, "seed")?,
                (gc[0], gc[1]),
                i(x, "max_homopolymer")?,
                f(x, "max_similarity")?,
                i(x, "max_tries")?,
            )?;
            let (names, lengths) = (strs(x, "names")?, i64s(x, "lengths")?);
            if names.len() != lengths.len() {
                return err("lengths", "one length per name");
            }
            let mut seqs = Vec::new();
            for (name, n) in names.iter().zip(lengths) {
                let sq = d.generate(n)?;
                if name.is_empty() {
                    return err("names", "names must be non-empty");
                }
                seqs.push(sq);
            }
            vec![
                out_strs("sequences", seqs),
                Field::i64_scalar("shortfalls", d.shortfalls() as i64),
                Field::u64_scalar("rng_state", d.rng_state()),
            ]
        }
        "compile_gates" => {
            let kind = s(x, "compiler")?;
            if kind != "displacement" && kind != "enzymatic" {
                return err("compiler", "unknown compiler");
            }
            let mut d = SequenceDesigner::with_seed(u(x, "seed")?);
            let t = check_real(
                "temperature_c",
                f(x, "temperature_c")?,
                Bounds::within(0.0, 100.0),
            )?;
            let specs = parse_specs(&strs(x, "gates")?)?;
            let mut gates = Vec::new();
            for (k, sp) in specs.iter().enumerate() {
                if is_enzymatic(sp.gate_type) != (kind == "enzymatic") {
                    return err("gates", "the compiler has no such gate");
                }
                gates.push(compile_gate(
                    &mut d,
                    "gates",
                    sp.gate_type,
                    &sp.inputs,
                    &sp.output,
                    sp.threshold,
                    k,
                    t,
                )?);
            }
            let strands: Vec<&DnaStrand> = gates.iter().flat_map(|g| &g.strands).collect();
            let mut out = strand_fields(&strands);
            out.push(Field::i64s(
                "strand_gate",
                gates
                    .iter()
                    .enumerate()
                    .flat_map(|(k, g)| g.strands.iter().map(move |_| k as i64))
                    .collect(),
            ));
            out.push(Field::i64s(
                "gate_ids",
                idx(gates.iter().map(|g| g.gate_id)),
            ));
            out.push(Field::f64s(
                "leak_rates",
                gates.iter().map(|g| g.leak_rate).collect(),
            ));
            out.push(Field::u64_scalar("rng_state", d.rng_state()));
            out
        }
        "BitstreamToDNA.compile_network" => {
            let (compiler, design) = network(x)?;
            let mut out = strand_fields(&design.all_strands());
            out.push(out_strs(
                "gate_types",
                design
                    .gates
                    .iter()
                    .map(|g| g.gate_type.name().to_string())
                    .collect(),
            ));
            out.push(Field::f64s(
                "leak_rates",
                design.gates.iter().map(|g| g.leak_rate).collect(),
            ));
            out.push(out_strs("warnings", design.validate()));
            out.push(Field::u64_scalar("rng_state", compiler.rng_state()));
            out
        }
        "DNACircuitDesign.validate" => {
            let (names, seqs) = (strs(x, "strand_names")?, strs(x, "strand_sequences")?);
            if names.len() != seqs.len() {
                return err("strand_sequences", "one sequence per name");
            }
            let mut design = Design::default();
            for (n, q) in names.iter().zip(&seqs) {
                design.input_strands.push(
                    DnaStrand::new(n, q, "signal", 100.0)
                        .map_err(|e| MirrorError::value("strand_sequences", e.message))?,
                );
            }
            vec![out_strs("warnings", design.validate())]
        }
        "KineticSimulator.gate_rate" => {
            let sim = simulator(x)?;
            let mut rates = Vec::new();
            for c in f64s(x, "gate_concentrations_nM")? {
                let c = check_real("gate_concentrations_nM", c, Bounds::at_least(0.0))?;
                let gate = DnaGate {
                    gate_id: 0,
                    gate_type: super::types::GateType::Buffer,
                    input_names: vec!["x".into()],
                    output_name: "y".into(),
                    strands: vec![DnaStrand::new("t", "ACGT", "translator", c)?],
                    threshold: 0.0,
                    leak_rate: 1e-9,
                };
                rates.push(sim.rate(gate_concentration(&gate)));
            }
            vec![
                Field::f64_scalar("temperature_factor", sim.temperature_factor()),
                Field::f64s("rates", rates),
            ]
        }
        "KineticSimulator.simulate" => {
            let sim = simulator(x)?;
            let mut compiler = BitstreamToDna::new(Method::Hybrid, 42, 37.0)?;
            let specs = parse_specs(&strs(x, "gates")?)?;
            let design = compiler.compile_network(
                &specs,
                &strs(x, "input_names")?,
                &strs(x, "output_names")?,
            )?;
            let trace = sim.simulate(
                &design,
                &input_concentrations(x)?,
                f(x, "duration_s")?,
                f(x, "dt")?,
            )?;
            let g = design.gates.len();
            let rows = trace.time.len();
            vec![
                Field::f64s("time", trace.time),
                Field::from_f64(
                    "traces",
                    crate::array::NdArray::new("traces", vec![rows, g], trace.traces)?,
                ),
                Field::f64s(
                    "rates",
                    design
                        .gates
                        .iter()
                        .map(|gt| sim.rate(gate_concentration(gt)))
                        .collect(),
                ),
            ]
        }
        "GF4ErrorCorrection.encode" => {
            let code = Gf4Code::new(i(x, "n_parity")?, i(x, "block_size")?)?;
            let seq = check_sequence("sequence", &s(x, "sequence")?, true)?;
            let (r, c) = code.shape();
            vec![
                Field::str_scalar("encoded", &code.encode(&seq)),
                Field::from_u8(
                    "parity_check_matrix",
                    crate::array::NdArray::new("m", vec![r, c], code.parity_check_matrix())?,
                ),
            ]
        }
        "GF4ErrorCorrection.decode" => {
            let code = Gf4Code::new(i(x, "n_parity")?, i(x, "block_size")?)?;
            let seq = check_sequence("encoded_sequence", &s(x, "encoded_sequence")?, true)?;
            let (data, k) = code.decode(&seq)?;
            vec![
                Field::str_scalar("data", &data),
                Field::i64_scalar("corrections", k as i64),
            ]
        }
        "NUPACKInterface.compute_mfe" => {
            let seq = check_sequence("sequence", &s(x, "sequence")?, false)?;
            if seq.len() > super::constants::MAX_FOLD_LENGTH {
                return err("sequence", "too long for the built-in model");
            }
            let (e, st) = folding::mfe(&seq);
            vec![
                Field::f64_scalar("energy", e),
                Field::str_scalar("structure", &st),
            ]
        }
        "NUPACKInterface.compute_pair_probabilities" => {
            let seq = check_sequence("sequence", &s(x, "sequence")?, false)?;
            if seq.len() > super::constants::MAX_FOLD_LENGTH {
                return err("sequence", "too long for the built-in model");
            }
            let t = check_real(
                "temperature_c",
                f(x, "temperature_c")?,
                Bounds::within(0.0, 100.0),
            )?;
            let n = seq.len();
            vec![Field::from_f64(
                "probabilities",
                crate::array::NdArray::new("p", vec![n, n], folding::pair_probabilities(&seq, t))?,
            )]
        }
        "CrossHybridizationChecker.check" => {
            let run = crate::checks::check_int(
                "max_complementary_run",
                i(x, "max_complementary_run")?,
                1,
                None,
            )?;
            let (_, design) = network(x)?;
            let flags = structure::cross_hybridization(&design, run);
            vec![
                str_column("strand_a", &flags, |f| f.strand_a.clone()),
                str_column("strand_b", &flags, |f| f.strand_b.clone()),
                Field::i64s("runs", idx(flags.iter().map(|f| f.run))),
                str_column("severity", &flags, |f| f.severity.to_string()),
                Field::u8s(
                    "same_gate",
                    flags.iter().map(|f| u8::from(f.same_gate)).collect(),
                ),
            ]
        }
        "complementary_run" => {
            let a = check_sequence("a", &s(x, "a")?, false)?;
            let b = check_sequence("b", &s(x, "b")?, false)?;
            vec![Field::i64_scalar(
                "run",
                longest_common_substring(&a, &revcomp(&b)) as i64,
            )]
        }
        "HairpinChecker.check_strand" => {
            let stem =
                crate::checks::check_int("min_stem_length", i(x, "min_stem_length")?, 2, None)?;
            let lo =
                crate::checks::check_int("min_loop_length", i(x, "min_loop_length")?, 3, None)?;
            let hi = crate::checks::check_int(
                "max_loop_length",
                i(x, "max_loop_length")?,
                lo as i64,
                None,
            )?;
            let seq = check_sequence("sequence", &s(x, "sequence")?, false)?;
            let found = structure::hairpins(&seq, stem, lo, hi);
            let keys = [
                "stem_starts",
                "stem_ends",
                "loop_starts",
                "loop_ends",
                "stem_lengths",
                "loop_lengths",
            ];
            let mut out: Vec<Field> = keys
                .iter()
                .enumerate()
                .map(|(c, k)| Field::i64s(k, idx(found.iter().map(|h| h.positions[c]))))
                .collect();
            out.push(Field::f64s(
                "delta_g",
                found.iter().map(|h| h.delta_g).collect(),
            ));
            out
        }
        "TopologicalAnalyzer.analyze" => {
            let specs = parse_specs(&strs(x, "gates")?)?;
            let gates: Vec<DnaGate> = specs
                .into_iter()
                .enumerate()
                .map(|(k, sp)| DnaGate {
                    gate_id: k,
                    gate_type: sp.gate_type,
                    input_names: sp.inputs,
                    output_name: sp.output,
                    strands: Vec::new(),
                    threshold: sp.threshold,
                    leak_rate: 1e-9,
                })
                .collect();
            let t = topology::analyze(&gates);
            vec![
                Field::i64_scalar("depth", t.depth as i64),
                out_strs(
                    "fan_out_names",
                    t.fan_out.iter().map(|(n, _)| n.clone()).collect(),
                ),
                Field::i64s("fan_out_counts", idx(t.fan_out.iter().map(|(_, c)| *c))),
                Field::u8_scalar("has_feedback", u8::from(t.has_feedback)),
                out_strs("cycle_nodes", t.cycles.iter().flatten().cloned().collect()),
                Field::i64s("cycle_lengths", idx(t.cycles.iter().map(Vec::len))),
                out_strs("topological_order", t.topological_order),
                out_strs("critical_path", t.critical_path),
                Field::i64_scalar("n_nodes", t.n_nodes as i64),
            ]
        }
        "GateOptimizer.optimize" => {
            let specs = parse_specs(&strs(x, "gates")?)?;
            let (kept, removals) = optimizer::optimize(&specs, &strs(x, "output_names")?)?;
            vec![
                out_strs("optimized", kept.iter().map(GateSpec::text).collect()),
                Field::f64s("thresholds", kept.iter().map(|k| k.threshold).collect()),
                Field::i64s("removed_indices", idx(removals.iter().map(|r| r.0))),
                out_strs(
                    "removal_reasons",
                    removals.iter().map(|r| r.1.to_string()).collect(),
                ),
            ]
        }
        "DegradationModel.predict_concentration" => {
            let (lengths, initial) = (i64s(x, "strand_lengths")?, f64s(x, "initial_nM")?);
            if lengths.len() != initial.len() {
                return err("initial_nM", "one value per strand length");
            }
            let out = analyses::degradation(
                f(x, "half_life_hr")?,
                f(x, "temperature_c")?,
                f(x, "time_hr")?,
                &lengths,
                &initial,
            )?;
            check_real("time_hr", f(x, "time_hr")?, Bounds::at_least(0.0))?;
            vec![Field::f64s("remaining_nM", out)]
        }
        "NoiseModel.sensitivity_analysis" => {
            let (_, design) = network(x)?;
            let inputs = input_concentrations(x)?;
            let (cv, t_std) = (f(x, "concentration_cv")?, f(x, "temperature_std_c")?);
            let (trials, seed) = (i(x, "n_trials")?, u(x, "noise_seed")?);
            let duration = f(x, "duration_s")?;
            let rows = analyses::noise(&design, &inputs, cv, t_std, trials, seed, duration)?;
            let table: Vec<Vec<f64>> = rows.iter().map(|r| vec![r.0, r.1, r.2, r.3, r.4]).collect();
            let mut out = summary_fields(
                gate_names(&design),
                &table,
                &["mean", "std", "cv", "min", "max"],
            );
            out.push(Field::u8s(
                "robust",
                rows.iter().map(|r| u8::from(r.5)).collect(),
            ));
            out
        }
        "ConcentrationOptimizer.optimize" => {
            let (_, design) = network(x)?;
            let table = truth_table(x, &design)?;
            let (best, initial, pct, used, scale) = analyses::optimize_concentrations(
                &design,
                &table,
                i(x, "n_evaluations")?,
                u(x, "optimizer_seed")?,
                f(x, "duration_s")?,
            )?;
            vec![
                Field::f64_scalar("best_score", best),
                Field::f64_scalar("initial_score", initial),
                Field::f64_scalar("improvement_pct", pct),
                Field::i64_scalar("n_evaluations", used as i64),
                Field::f64_scalar("best_scale", scale),
            ]
        }
        "SCPrecisionAnalyzer.analyze" => {
            let (_, design) = network(x)?;
            let inputs = input_concentrations(x)?;
            let (max_conc, duration) = (f(x, "max_conc_nM")?, f(x, "duration_s")?);
            let rows = analyses::precision(&design, &inputs, max_conc, duration)?;
            let table: Vec<Vec<f64>> = rows.iter().map(|r| r.to_vec()).collect();
            let mut out = summary_fields(
                gate_names(&design),
                &table,
                &[
                    "final_nM",
                    "noise_std_nM",
                    "snr_linear",
                    "snr_db",
                    "effective_bits",
                    "dynamic_range_db",
                    "resolution_nM",
                ],
            );
            out.push(Field::f64_scalar(
                "total_effective_bits",
                rows.iter().map(|r| r[4]).fold(f64::INFINITY, f64::min),
            ));
            out
        }
        "estimate_cost" => {
            let (_, design) = network(x)?;
            let (each, total) = lab::costs(
                &design,
                f(x, "price_per_base_usd")?,
                f(x, "fixed_per_oligo_usd")?,
                &s(x, "purification")?,
            )?;
            let nt: usize = design.all_strands().iter().map(|s| s.length()).sum();
            vec![
                out_strs("names", each.iter().map(|e| e.0.clone()).collect()),
                Field::f64s("costs_usd", each.iter().map(|e| e.1).collect()),
                Field::f64_scalar("total_usd", total),
                Field::i64_scalar("total_nucleotides", nt as i64),
            ]
        }
        "PlateLayout.layout" => {
            let (_, design) = network(x)?;
            let (placed, util) = lab::plate_layout(&design, i(x, "n_wells")?)?;
            vec![
                out_strs("wells", placed.iter().map(|p| p.1.clone()).collect()),
                Field::i64s("plates", idx(placed.iter().map(|p| p.0))),
                out_strs("names", placed.iter().map(|p| p.2.clone()).collect()),
                Field::f64_scalar("utilization_pct", util),
            ]
        }
        "DualRailEncoder.encode" => {
            let (mut compiler, design) = network(x)?;
            let (specs, ins, outs) = dual_rail_specs(&design)?;
            let dual = compiler.compile_network(&specs, &ins, &outs)?;
            vec![
                out_strs("gates_out", dual.gates.iter().map(gate_text).collect()),
                out_strs("input_names_out", dual.input_names.clone()),
                out_strs("output_names_out", dual.output_names.clone()),
                out_strs(
                    "strand_sequences",
                    dual.all_strands()
                        .iter()
                        .map(|s| s.sequence.clone())
                        .collect(),
                ),
            ]
        }
        "DualRailEncoder.check_faults" => {
            let pairs = mapping(x, "signal_names", "final_nM")?;
            let limit = check_real("threshold_nM", f(x, "threshold_nM")?, Bounds::at_least(0.0))?;
            let get = |k: &str| pairs.iter().rev().find(|p| p.0 == k).map(|p| p.1);
            let mut signals: Vec<String> = pairs
                .iter()
                .filter_map(|(k, _)| k.strip_suffix("_T").map(str::to_string))
                .filter(|sg| get(&format!("{sg}_C")).is_some())
                .collect();
            signals.sort();
            signals.dedup();
            let (mut names, mut kinds) = (Vec::new(), Vec::new());
            for sg in signals {
                let t = check_real(
                    "final_nM",
                    get(&format!("{sg}_T")).unwrap_or(f64::NAN),
                    Bounds::ANY,
                )?;
                let c = check_real(
                    "final_nM",
                    get(&format!("{sg}_C")).unwrap_or(f64::NAN),
                    Bounds::ANY,
                )?;
                if (t > limit) == (c > limit) {
                    kinds.push(if t > limit { "stuck_high" } else { "stuck_low" }.to_string());
                    names.push(sg);
                }
            }
            vec![out_strs("signals", names), out_strs("fault_types", kinds)]
        }
        "SCNetworkBridge.from_adjacency" => {
            let method = Method::parse(&s(x, "method")?)?;
            let adj = fields::f64_array(x, "adjacency")?;
            let shape = adj.shape().to_vec();
            if shape.len() != 2
                || shape[0] != shape[1]
                || shape[0] == 0
                || shape[0] > super::network::MAX_NODES
            {
                return err("adjacency", "adjacency must be square");
            }
            crate::checks::check_finite("adjacency", &adj)?;
            let n = shape[0];
            let index = |name: &str| -> Result<Vec<usize>> {
                let v = i64s(x, name)?;
                let mut out = Vec::new();
                for k in v {
                    let k = crate::checks::check_int(name, k, 0, Some(n as i64))?;
                    if out.contains(&k) {
                        return err(name, "indices must be distinct");
                    }
                    out.push(k);
                }
                Ok(out)
            };
            let (ins, outs) = (index("input_indices")?, index("output_indices")?);
            let specs = adjacency_specs(adj.data(), n, &ins);
            let mut compiler = BitstreamToDna::new(method, u(x, "seed")?, 37.0)?;
            let names = |v: &[usize]| v.iter().map(|k| format!("n{k}")).collect::<Vec<_>>();
            let design = compiler
                .compile_network(&specs, &names(&ins), &names(&outs))
                .map_err(|e| {
                    let arg = match e.arg.as_str() {
                        "output_names" => "output_indices",
                        "input_names" => "input_indices",
                        _ => "adjacency",
                    };
                    MirrorError::value(arg, e.message)
                })?;
            vec![
                out_strs("gates_out", specs.iter().map(GateSpec::text).collect()),
                out_strs(
                    "strand_sequences",
                    design
                        .all_strands()
                        .iter()
                        .map(|s| s.sequence.clone())
                        .collect(),
                ),
            ]
        }
        "leak_rate" => {
            let st = DnaStrand::new("s", &s(x, "sequence")?, "signal", 100.0)?;
            let bl = DnaStrand::new("b", &s(x, "blocker")?, "signal", 100.0)
                .map_err(|e| MirrorError::value("blocker", e.message))?;
            let t = check_real(
                "temperature_c",
                f(x, "temperature_c")?,
                Bounds::within(0.0, 100.0),
            )?;
            vec![
                Field::f64_scalar(
                    "delta_g",
                    strongest_complementary_delta_g(&st.sequence, &bl.complement()),
                ),
                Field::f64_scalar("leak_rate", leak_rate(&st, &bl, t)),
            ]
        }
        "BitstreamToDNA.concentration_of" => {
            let bits: Vec<u64> = if let Ok(a) = fields::u8_array(x, "bits") {
                crate::checks::check_ndim("bits", &a, 1)?;
                a.data().iter().map(|&b| u64::from(b)).collect()
            } else {
                let a = fields::i64_array(x, "bits")?;
                crate::checks::check_ndim("bits", &a, 1)?;
                a.data()
                    .iter()
                    .map(|&b| if b < 0 { 2 } else { b as u64 })
                    .collect()
            };
            if bits.is_empty() || bits.iter().any(|&b| b > 1) {
                return err("bits", "bits must be a non-empty binary stream");
            }
            let ones = bits.iter().filter(|&&b| b == 1).count();
            vec![Field::f64_scalar(
                "concentration_nM",
                200.0 * ones as f64 / bits.len() as f64,
            )]
        }
        "constants" => constants()?,
        other => return err("op", format!("unknown op {other:?}")),
    })
}

/// Every model constant, in the order of the Python adapter's `constants` op.
fn constants() -> Result<Vec<Field>> {
    use super::analyses as a;
    use super::constants as c;
    use super::kinetics as k;
    let lengths = [
        c::TOEHOLD_LENGTH as i64,
        c::RECOGNITION_LENGTH as i64,
        c::MAX_HOMOPOLYMER as i64,
        c::MAX_SEQUENCE_LENGTH as i64,
        c::MAX_FOLD_LENGTH as i64,
        super::design::MAX_DESIGN_LENGTH as i64,
        super::design::MAX_TRIES_LIMIT as i64,
        super::design::DEFAULT_MAX_TRIES as i64,
        folding::MIN_LOOP as i64,
        structure::HIGH_SEVERITY_RUN as i64,
        a::LENGTH_FREE_NT as i64,
        a::MAX_TRIALS,
        super::network::MAX_NODES as i64,
        super::coding::MAX_PARITY,
        k::MAX_STEPS as i64,
        k::MAX_SUBSTEPS as i64,
    ];
    let (gc, t, na, sr) = (
        c::GC_TARGET,
        c::TEMPERATURE_RANGE_C,
        c::NA_RANGE_M,
        a::SCALE_RANGE,
    );
    let physics = vec![
        c::GAS_CONSTANT,
        c::T37_K,
        c::NN_INITIATION.0,
        c::NN_INITIATION.1,
        c::NN_TERMINAL_AT.0,
        c::NN_TERMINAL_AT.1,
        c::SANTALUCIA_SALT_SLOPE,
        c::SCHILDKRAUT_SALT_SLOPE,
        k::ACTIVATION_ENERGY,
        a::LENGTH_SLOPE,
        a::TEMPERATURE_SLOPE,
    ];
    let model = vec![
        c::MAX_CONCENTRATION_NM,
        super::design::DEFAULT_MAX_SIMILARITY,
        super::compilers::LEAK_CEILING,
        k::AMPLIFIER_GAIN,
        k::MAX_RATE,
        k::DEFAULT_GATE_NM,
        super::specs::DEFAULT_THRESHOLD,
        a::ROBUST_CV,
        a::NOISE_FLOOR_NM,
        a::LEVELS_NM.0,
        a::LEVELS_NM.1,
        a::CRITICAL_PCT,
        a::VERTEX_TOLERANCE,
        a::SNR_FLOOR,
    ];
    let stacks: Vec<f64> = c::NN_STACKS.iter().flat_map(|&(_, h, s)| [h, s]).collect();
    let to_strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let table = crate::array::NdArray::new("nn_stacks", vec![c::NN_STACKS.len(), 2], stacks)?;
    let mul: Vec<u8> = super::coding::MUL.iter().flatten().copied().collect();
    let mul = crate::array::NdArray::new("gf4_mul", vec![4, 4], mul)?;
    Ok(vec![
        Field::i64s("lengths", lengths.to_vec()),
        Field::f64s("ranges", vec![gc.0, gc.1, t.0, t.1, na.0, na.1, sr.0, sr.1]),
        Field::f64s("physics", physics),
        out_strs(
            "nn_stack_names",
            c::NN_STACKS.iter().map(|s| s.0.to_string()).collect(),
        ),
        Field::from_f64("nn_stacks", table),
        Field::f64s("hairpin_loop_dg", super::thermo::HAIRPIN_LOOP_DG.to_vec()),
        Field::f64s(
            "folding_dg",
            vec![
                folding::PAIR_AT_DG,
                folding::PAIR_GC_DG,
                folding::LOOP_INIT_DG,
                folding::LOOP_SLOPE_DG,
                folding::STACK_BONUS_DG,
            ],
        ),
        Field::f64s("model", model),
        out_strs("roles", to_strings(&c::STRAND_ROLES)),
        out_strs("salt_corrections", to_strings(&c::SALT_CORRECTIONS)),
        Field::from_u8("gf4_mul", mul),
        Field::u8s("gf4_inv", super::coding::INV.to_vec()),
    ])
}

#[test]
fn golden_dna_mapper() {
    check_golden("dna_mapper", |case| run(&case.inputs));
}
