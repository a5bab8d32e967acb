//! The golden cases of `parity/golden/l7_symbolic.txt` (made by
//! `parity/safety_cases/l7_symbolic.py`, whose docstring lists the ops) and
//! unit tests of what the golden file cannot show (panics, determinism).

use super::arith::seqsum;
use super::*;
use crate::array::NdArray;
use crate::checks::check_ndim;
use crate::error::{MirrorError, Result};
use crate::fields::{self, has, op};
use crate::golden::{DType, Field};
use crate::golden_check::check_golden;

const INT_PARAMS: [&str; 5] = [
    "n_symbols",
    "n_meridians",
    "n_acupoints",
    "bitstream_length",
    "glyph_dimensions",
];
const METRICS: [&str; 5] = [
    "phi_alignment",
    "fibonacci_alignment",
    "metatron_flow",
    "platonic_coherence",
    "e8_alignment",
];

// ------------------------------------------------------------------ reading a case

fn optional(x: &[Field], name: &str) -> Result<Option<NdArray<f64>>> {
    fields::optional(x, name, fields::f64_array)
}

/// `rng_seed` as `u64` (or a non-negative `i64`).
fn seed(x: &[Field]) -> Result<Option<u64>> {
    if !has(x, "rng_seed") {
        return Ok(None);
    }
    if fields::find(x, "rng_seed")?.values.dtype() == DType::I64 {
        let v = fields::i64_scalar(x, "rng_seed")?;
        return u64::try_from(v)
            .map(Some)
            .map_err(|_| MirrorError::value("rng_seed", "rng_seed must be >= 0"));
    }
    fields::u64_scalar(x, "rng_seed").map(Some)
}

fn params(x: &[Field]) -> Result<L7Params> {
    let mut p = L7Params::default();
    for name in INT_PARAMS {
        if has(x, name) {
            let v = fields::i64_scalar(x, name)?;
            match name {
                "n_symbols" => p.n_symbols = v,
                "n_meridians" => p.n_meridians = v,
                "n_acupoints" => p.n_acupoints = v,
                "bitstream_length" => p.bitstream_length = v,
                _ => p.glyph_dimensions = v,
            }
        }
    }
    for (k, name) in glyph::WEIGHT_NAMES.iter().enumerate() {
        if has(x, name) {
            p.weights.0[k] = fields::f64_scalar(x, name)?;
        }
    }
    for (name, slot) in [
        ("symbol_decay", &mut p.symbol_decay),
        ("symbol_coupling", &mut p.symbol_coupling),
        ("ecological_coupling", &mut p.ecological_coupling),
        ("cosmic_coupling", &mut p.cosmic_coupling),
    ] {
        if has(x, name) {
            *slot = fields::f64_scalar(x, name)?;
        }
    }
    p.rng_seed = seed(x)?;
    Ok(p)
}

/// A 1-D state override (the Python attribute assignment plus its check).
fn vector(x: &[Field], name: &str) -> Result<Option<Vec<f64>>> {
    match optional(x, name)? {
        None => Ok(None),
        Some(a) => {
            check_ndim(name, &a, 1)?;
            Ok(Some(a.into_parts().1))
        }
    }
}

fn layer(x: &[Field]) -> Result<L7SymbolicLayer> {
    let mut l = L7SymbolicLayer::new(params(x)?)?;
    for (name, slot) in [
        ("symbol_activations", &mut l.symbol_activations),
        ("meridian_qi", &mut l.meridian_qi),
        ("acupoint_activations", &mut l.acupoint_activations),
        ("e8_state", &mut l.e8_state),
        ("glyph_vector", &mut l.glyph_vector),
    ] {
        if let Some(v) = vector(x, name)? {
            *slot = v;
        }
    }
    if has(x, "time") {
        l.time = fields::f64_scalar(x, "time")?;
    }
    Ok(l)
}

fn l6(drive: Option<NdArray<f64>>, field: Option<NdArray<f64>>) -> Option<L6Input> {
    if drive.is_none() && field.is_none() {
        return None;
    }
    Some(L6Input {
        symbolic_drive: drive,
        schumann_field: field,
    })
}

/// `(id, intensity)` pairs from `acupoint_stimulus` / `acupoint_intensity`.
fn stimulus(x: &[Field]) -> Result<Option<Vec<(i64, f64)>>> {
    if !has(x, "acupoint_stimulus") {
        return Ok(None);
    }
    let ids = fields::i64_array(x, "acupoint_stimulus")?;
    let amounts = fields::f64_array(x, "acupoint_intensity")?;
    if ids.ndim() != 1 || amounts.shape() != ids.shape() {
        return Err(MirrorError::value(
            "acupoint_stimulus",
            "acupoint_stimulus and acupoint_intensity must be 1-D of one length",
        ));
    }
    Ok(Some(
        ids.data()
            .iter()
            .copied()
            .zip(amounts.data().iter().copied())
            .collect(),
    ))
}

// ------------------------------------------------------------------ writing outputs

fn f64s(name: &str, shape: Vec<usize>, data: Vec<f64>) -> Result<Field> {
    Ok(Field::from_f64(name, NdArray::new(name, shape, data)?))
}

fn map_fields(prefix: &str, map: Vec<(String, f64)>) -> Vec<Field> {
    let (names, values): (Vec<String>, Vec<f64>) = map.into_iter().unzip();
    vec![
        Field::strs(&format!("{prefix}names"), names),
        Field::f64s(&format!("{prefix}values"), values),
    ]
}

fn tail(l: &L7SymbolicLayer) -> Result<Vec<Field>> {
    let mut out = vec![
        Field::f64s("symbol_activations", l.symbol_activations.clone()),
        Field::f64_scalar("time", l.time),
        Field::f64_scalar("global_metric", l.get_global_metric()),
        Field::f64s("glyph_normalized", l.get_glyph_vector_normalized()?),
    ];
    out.extend(map_fields("acupoint_", l.get_acupoint_map()?));
    Ok(out)
}

fn step_fields(r: StepOutput) -> Vec<Field> {
    let mut out = vec![Field::f64s("glyph_vector", r.glyph_vector)];
    out.extend(
        r.metrics
            .named()
            .map(|(name, v)| Field::f64_scalar(name, v)),
    );
    out.extend([
        Field::f64_scalar("cosmic_phase_drive", r.cosmic_phase_drive),
        Field::f64s("meridian_qi", r.meridian_qi),
        Field::f64s("acupoint_activations", r.acupoint_activations),
        Field::f64s("e8_state", r.e8_state),
        Field::from_u8("output_bitstreams", r.output_bitstreams),
    ]);
    out
}

// ------------------------------------------------------------------ trajectories

/// Per step, `name`'s row or `None` (absent, or masked off by `mask`).
fn rows(x: &[Field], name: &str, mask: &str, steps: usize) -> Result<Vec<Option<NdArray<f64>>>> {
    if !has(x, name) {
        return Ok(vec![None; steps]);
    }
    let values = fields::f64_array(x, name)?;
    if values.ndim() < 1 || values.shape()[0] != steps {
        return Err(MirrorError::value(
            name,
            format!("{name} must have one row per step"),
        ));
    }
    let given = if has(x, mask) {
        let m = fields::u8_array(x, mask)?;
        if m.shape() != [steps] {
            return Err(MirrorError::value(
                mask,
                format!("{mask} must have shape ({steps},)"),
            ));
        }
        m.data().to_vec()
    } else {
        vec![1; steps]
    };
    let inner: Vec<usize> = values.shape()[1..].to_vec();
    let size: usize = inner.iter().product();
    (0..steps)
        .map(|t| {
            if given[t] == 0 {
                return Ok(None);
            }
            let row = values.data()[t * size..(t + 1) * size].to_vec();
            NdArray::new(name, inner.clone(), row).map(Some)
        })
        .collect()
}

/// Events `(value_a, value_b)` grouped by step from `(when, a, b)` inputs.
fn per_step(x: &[Field], names: [&str; 3], steps: usize) -> Result<Vec<Vec<(i64, f64)>>> {
    let mut events = vec![Vec::new(); steps];
    if !has(x, names[0]) {
        return Ok(events);
    }
    let when = fields::i64_array(x, names[0])?;
    let a = fields::i64_array(x, names[1])?;
    let b = fields::f64_array(x, names[2])?;
    if when.ndim() != 1 || a.shape() != when.shape() || b.shape() != when.shape() {
        return Err(MirrorError::value(
            names[0],
            "events must be 1-D of one length",
        ));
    }
    for k in 0..when.len() {
        let t = usize::try_from(when.data()[k])
            .ok()
            .filter(|&t| t < steps)
            .ok_or_else(|| MirrorError::value(names[0], "event step out of range"))?;
        events[t].push((a.data()[k], b.data()[k]));
    }
    Ok(events)
}

/// One per-step vector of a step's output.
type StepRow = fn(&StepOutput) -> &Vec<f64>;

fn steps(x: &[Field]) -> Result<Vec<Field>> {
    let mut l = layer(x)?;
    let dts = fields::f64_array(x, "dt")?;
    check_ndim("dt", &dts, 1)?;
    let t_max = dts.len();
    let drive = rows(x, "symbol_input", "symbol_given", t_max)?;
    let sym = rows(x, "symbolic_drive", "drive_given", t_max)?;
    let sch = rows(x, "schumann_field", "schumann_given", t_max)?;
    let acu = per_step(
        x,
        ["acupoint_step", "acupoint_stimulus", "acupoint_intensity"],
        t_max,
    )?;
    let stim = per_step(x, ["stimulate_before", "meridian_id", "intensity"], t_max)?;
    let mut results = Vec::new();
    for t in 0..t_max {
        for &(m, intensity) in &stim[t] {
            l.stimulate_meridian(m, intensity)?;
        }
        let input = l6(sym[t].clone(), sch[t].clone());
        let s = (!acu[t].is_empty()).then_some(&acu[t][..]);
        let r = l.step(dts.data()[t], input.as_ref(), drive[t].as_ref(), s)?;
        results.push((r, l.symbol_activations.clone(), l.time));
    }
    let mut out = Vec::new();
    if let Some((first, a0, _)) = results.first() {
        let t = results.len();
        let flat = |f: &dyn Fn(&StepOutput) -> Vec<f64>| -> Vec<f64> {
            results.iter().flat_map(|(r, _, _)| f(r)).collect()
        };
        let col = |f: &dyn Fn(&StepOutput) -> f64| -> Vec<f64> {
            results.iter().map(|(r, _, _)| f(r)).collect()
        };
        out.push(f64s(
            "glyph_vector",
            vec![t, 6],
            flat(&|r| r.glyph_vector.clone()),
        )?);
        for (k, (name, _)) in first.metrics.named().into_iter().enumerate() {
            out.push(Field::f64s(name, col(&|r| r.metrics.named()[k].1)));
        }
        out.push(Field::f64s(
            "cosmic_phase_drive",
            col(&|r| r.cosmic_phase_drive),
        ));
        let per_step: [(&str, StepRow); 3] = [
            ("meridian_qi", |r| &r.meridian_qi),
            ("acupoint_activations", |r| &r.acupoint_activations),
            ("e8_state", |r| &r.e8_state),
        ];
        for (name, row) in per_step {
            let width = row(first).len();
            out.push(f64s(name, vec![t, width], flat(&|r| row(r).clone()))?);
        }
        let mut shape = vec![t];
        shape.extend_from_slice(first.output_bitstreams.shape());
        let bits: Vec<u8> = results
            .iter()
            .flat_map(|(r, _, _)| r.output_bitstreams.data().to_vec())
            .collect();
        out.push(Field::from_u8(
            "output_bitstreams",
            NdArray::new("output_bitstreams", shape, bits)?,
        ));
        let states: Vec<f64> = results.iter().flat_map(|(_, a, _)| a.clone()).collect();
        out.push(f64s("symbol_activations", vec![t, a0.len()], states)?);
        out.push(Field::f64s(
            "time",
            results.iter().map(|&(_, _, time)| time).collect(),
        ));
    }
    let present: Vec<String> = out.iter().map(|f| f.name.clone()).collect();
    out.extend(tail(&l)?.into_iter().filter(|f| !present.contains(&f.name)));
    Ok(out)
}

// ------------------------------------------------------------------ the ops

fn layer_op(name: &str, x: &[Field]) -> Result<Vec<Field>> {
    if name == "L7_SymbolicLayer.steps" {
        return steps(x);
    }
    let mut l = layer(x)?;
    Ok(match name {
        "L7_SymbolicLayer" => {
            let mut out = vec![
                Field::f64s("e8_state", l.e8_state.clone()),
                Field::f64s("meridian_qi", l.meridian_qi.clone()),
                Field::f64s("acupoint_activations", l.acupoint_activations.clone()),
                Field::f64s("glyph_vector", l.glyph_vector.clone()),
            ];
            out.extend(tail(&l)?);
            out
        }
        "L7_SymbolicLayer.step" => {
            let input = l6(
                optional(x, "symbolic_drive")?,
                optional(x, "schumann_field")?,
            );
            let drive = optional(x, "symbol_input")?;
            let s = stimulus(x)?;
            let r = l.step(
                fields::f64_scalar(x, "dt")?,
                input.as_ref(),
                drive.as_ref(),
                s.as_deref(),
            )?;
            let mut out = step_fields(r);
            out.extend(tail(&l)?);
            out
        }
        "L7_SymbolicLayer.stimulate_meridian" => {
            l.stimulate_meridian(
                fields::i64_scalar(x, "meridian_id")?,
                fields::f64_scalar(x, "intensity")?,
            )?;
            vec![Field::f64s("meridian_qi", l.meridian_qi.clone())]
        }
        "L7_SymbolicLayer.get_glyph_vector_normalized" => vec![Field::f64s(
            "glyph_normalized",
            l.get_glyph_vector_normalized()?,
        )],
        "L7_SymbolicLayer.get_acupoint_map" => map_fields("acupoint_", l.get_acupoint_map()?),
        other => return Err(MirrorError::value("op", format!("unknown op {other:?}"))),
    })
}

fn run(x: &[Field]) -> Result<Vec<Field>> {
    let name = op(x)?;
    if name.starts_with("L7_SymbolicLayer") {
        return layer_op(&name, x);
    }
    let arr = |n: &str| fields::f64_array(x, n);
    let num = |n: &str| fields::f64_scalar(x, n);
    Ok(match name.as_str() {
        "e8_roots" => {
            let flat: Vec<f64> = e8_roots().iter().flatten().copied().collect();
            vec![f64s("roots", vec![N_E8_ROOTS, E8_DIM], flat)?]
        }
        "e8_root_alignments" => vec![Field::f64s(
            "alignments",
            e8_root_alignments(&arr("e8_state")?)?,
        )],
        "e8_alignment" => vec![Field::f64_scalar(
            "alignment",
            e8_alignment(&arr("e8_state")?)?,
        )],
        "phi_alignment" | "fibonacci_alignment" | "platonic_coherence" => {
            let metric = match name.as_str() {
                "phi_alignment" => phi_alignment,
                "fibonacci_alignment" => fibonacci_alignment,
                _ => platonic_coherence,
            };
            vec![Field::f64_scalar(&name, metric(&arr("activations")?)?)]
        }
        "metatron_flow" => vec![Field::f64_scalar(
            "metatron_flow",
            metatron_flow(&arr("activations")?, num("noise")?)?,
        )],
        "symbolic_health" => {
            let mut m = [0.0; 5];
            for (slot, n) in m.iter_mut().zip(METRICS) {
                *slot = num(n)?;
            }
            let mut w = HealthWeights::default();
            for (k, n) in glyph::WEIGHT_NAMES.iter().enumerate() {
                if has(x, n) {
                    w.0[k] = num(n)?;
                }
            }
            vec![Field::f64_scalar("health", symbolic_health(m, &w)?)]
        }
        "normalize_glyph" => vec![Field::f64s(
            "normalized",
            normalize_glyph(&arr("glyph_vector")?)?,
        )],
        "acupoint_map" => map_fields("", acupoint_map(&arr("acupoint_activations")?)?),
        "l6_symbolic_effect" => {
            let input = L6Input {
                symbolic_drive: optional(x, "symbolic_drive")?,
                schumann_field: optional(x, "schumann_field")?,
            };
            vec![Field::f64_scalar("effect", l6_symbolic_effect(&input)?)]
        }
        "drive_symbols" => vec![Field::f64s(
            "symbol_activations",
            drive_symbols(&arr("symbol_activations")?, &real_input(x, "symbol_input")?)?,
        )],
        "diffuse_symbols" => vec![Field::f64s(
            "symbol_activations",
            diffuse_symbols(
                &arr("symbol_activations")?,
                num("dt")?,
                num("symbol_decay")?,
                num("symbol_coupling")?,
            )?,
        )],
        "update_meridian_qi" => vec![Field::f64s(
            "meridian_qi",
            update_meridian_qi(
                &arr("meridian_qi")?,
                num("dt")?,
                num("symbol_coupling")?,
                num("l6_effect")?,
                num("ecological_coupling")?,
            )?,
        )],
        "update_acupoints" => vec![Field::f64s(
            "acupoint_activations",
            update_acupoints(
                &arr("acupoint_activations")?,
                num("dt")?,
                num("symbol_decay")?,
                &stimulus(x)?.unwrap_or_default(),
            )?,
        )],
        other => return Err(MirrorError::value("op", format!("unknown op {other:?}"))),
    })
}

/// A real input that may be given as `i64` (Python converts integers).
fn real_input(x: &[Field], name: &str) -> Result<NdArray<f64>> {
    if fields::find(x, name)?.values.dtype() == DType::I64 {
        let a = fields::i64_array(x, name)?;
        let shape = a.shape().to_vec();
        return NdArray::new(name, shape, a.data().iter().map(|&v| v as f64).collect());
    }
    fields::f64_array(x, name)
}

/// Every case of parity/golden/l7_symbolic.txt.
#[test]
fn golden_l7_symbolic() {
    let counts = check_golden("l7_symbolic", |case| run(&case.inputs));
    assert!(counts.valid > 0 && counts.invalid > 0);
}

// ------------------------------------------------------------------ unit tests

fn small(seed: u64) -> L7Params {
    L7Params {
        n_symbols: 16,
        n_meridians: 4,
        n_acupoints: 16,
        bitstream_length: 64,
        rng_seed: Some(seed),
        ..L7Params::default()
    }
}

#[test]
fn constants_are_the_documented_ones() {
    assert_eq!(PHI, (1.0 + 5f64.sqrt()) / 2.0);
    let dev = [14.25, 6.25, 1.25, -1.75, -3.75, -4.75, -5.75, -5.75];
    assert_eq!(seqsum(dev.iter().map(|d| d * d)), 349.5);
    assert_eq!(seqsum(HealthWeights::default().0.into_iter()), 1.0);
    assert_eq!(FIBONACCI[..8].iter().sum::<u32>(), 54);
    let p = L7Params::default();
    assert_eq!(
        (
            p.n_symbols,
            p.n_meridians,
            p.n_acupoints,
            p.bitstream_length,
            p.glyph_dimensions
        ),
        (128, 12, 361, 1024, 6)
    );
    assert_eq!(
        (
            p.symbol_decay,
            p.symbol_coupling,
            p.ecological_coupling,
            p.cosmic_coupling
        ),
        (0.05, 0.3, 0.1, 0.15)
    );
    assert_eq!(
        (p.weights.0, p.rng_seed),
        ([0.25, 0.2, 0.2, 0.15, 0.2], None)
    );
    assert_eq!(
        PLATONIC_VERTICES.map(|(_, v)| v),
        [4, 8, 6, 20, 12],
        "tetrahedron, cube, octahedron, dodecahedron, icosahedron"
    );
}

#[test]
fn roots_are_the_240_of_e8() {
    let roots = e8_roots();
    assert_eq!(roots.len(), N_E8_ROOTS);
    assert_eq!(roots[0][..2], [-1.0, -1.0]);
    assert_eq!(roots[3][..2], [1.0, 1.0]);
    for (k, r) in roots.iter().enumerate() {
        assert_eq!(seqsum(r.iter().map(|v| v * v)), 2.0, "root {k}");
        assert!(roots.contains(&r.map(|v| -v)), "root {k} has no negation");
        let twice: Vec<i64> = r.iter().map(|v| (2.0 * v) as i64).collect();
        assert!(twice.iter().all(|t| t % 2 == 0) || twice.iter().all(|t| t % 2 != 0));
        assert_eq!(twice.iter().sum::<i64>() % 4, 0, "root {k}");
        assert_eq!(e8_alignment(&NdArray::from_vec(r.to_vec())).unwrap(), 1.0);
    }
    assert_eq!(e8_alignment(&NdArray::from_vec(vec![0.5; 8])).unwrap(), 1.0);
    assert_eq!(e8_alignment(&NdArray::from_vec(vec![0.0; 8])).unwrap(), 0.5);
}

#[test]
fn invalid_inputs_are_errors_not_panics() {
    for (field, p) in [
        (
            "n_symbols",
            L7Params {
                n_symbols: i64::MAX,
                ..small(1)
            },
        ),
        (
            "n_symbols",
            L7Params {
                n_symbols: i64::MIN,
                ..small(1)
            },
        ),
        (
            "n_meridians",
            L7Params {
                n_meridians: i64::MAX,
                ..small(1)
            },
        ),
        (
            "n_acupoints",
            L7Params {
                n_acupoints: 1 << 40,
                ..small(1)
            },
        ),
        (
            "bitstream_length",
            L7Params {
                bitstream_length: i64::MAX,
                ..small(1)
            },
        ),
        (
            "bitstream_length",
            L7Params {
                n_symbols: 1 << 20,
                bitstream_length: 1 << 20,
                ..small(1)
            },
        ),
    ] {
        assert_eq!(L7SymbolicLayer::new(p).unwrap_err().arg, field);
    }
    let mut l = L7SymbolicLayer::new(small(3)).unwrap();
    let before = l.clone();
    assert_eq!(l.step(0.0, None, None, None).unwrap_err().arg, "dt");
    assert_eq!(l.step(f64::NAN, None, None, None).unwrap_err().arg, "dt");
    let short = NdArray::from_vec(vec![0.0; 15]);
    assert_eq!(
        l.step(0.1, None, Some(&short), None).unwrap_err().arg,
        "symbol_input"
    );
    assert_eq!(
        l.step(0.1, None, None, Some(&[(3, 0.5), (3, 0.25)]))
            .unwrap_err()
            .arg,
        "acupoint_stimulus",
        "a point named twice cannot come from a Python mapping"
    );
    assert_eq!(
        l.step(0.1, None, None, Some(&[(i64::MIN, 0.5)]))
            .unwrap_err()
            .arg,
        "acupoint_stimulus"
    );
    let huge = L6Input {
        schumann_field: Some(NdArray::from_vec(vec![f64::MAX])),
        ..L6Input::default()
    };
    l.params.ecological_coupling = 2.0;
    assert_eq!(
        l.step(0.1, Some(&huge), None, None).unwrap_err().arg,
        "schumann_field"
    );
    l.params.ecological_coupling = before.params.ecological_coupling;
    l.e8_state.pop();
    assert_eq!(l.step(0.1, None, None, None).unwrap_err().arg, "e8_state");
    l.e8_state = before.e8_state.clone();
    l.params.n_symbols = 17;
    assert_eq!(
        l.step(0.1, None, None, None).unwrap_err().arg,
        "symbol_activations"
    );
    l.params.n_symbols = 16;
    assert_eq!(l.stimulate_meridian(4, 0.5).unwrap_err().arg, "meridian_id");
    assert_eq!(
        l.stimulate_meridian(i64::MIN, 0.5).unwrap_err().arg,
        "meridian_id"
    );
    assert_eq!(
        l.stimulate_meridian(0, f64::INFINITY).unwrap_err().arg,
        "intensity"
    );
    // Nothing changed: the next step equals a fresh layer's first.
    let mut fresh = before.clone();
    assert_eq!(
        l.step(0.1, None, None, None),
        fresh.step(0.1, None, None, None)
    );
}

#[test]
fn same_seed_same_layer_and_fresh_bits_every_step() {
    let mut a = L7SymbolicLayer::new(small(123)).unwrap();
    let mut b = L7SymbolicLayer::new(small(123)).unwrap();
    assert_eq!(a.symbol_activations, b.symbol_activations);
    let (a0, b0) = (
        a.step(0.001, None, None, None).unwrap(),
        b.step(0.001, None, None, None).unwrap(),
    );
    assert_eq!(a0, b0);
    let a1 = a.step(0.001, None, None, None).unwrap();
    assert_ne!(a0.output_bitstreams, a1.output_bitstreams);
    let unseeded = L7Params {
        rng_seed: None,
        ..small(0)
    };
    let (u, v) = (
        L7SymbolicLayer::new(unseeded).unwrap(),
        L7SymbolicLayer::new(unseeded).unwrap(),
    );
    // Two draws of 64 bits of entropy agree with probability 2^-64.
    assert_ne!(u.seed(), v.seed());
    assert_ne!(u.symbol_activations, v.symbol_activations);
}

#[test]
fn stream_means_follow_the_activations() {
    let p = L7Params {
        bitstream_length: 1 << 16,
        ..small(9)
    };
    let mut l = L7SymbolicLayer::new(p).unwrap();
    let r = l.step(0.01, None, None, None).unwrap();
    let n = 1usize << 16;
    for (i, &a) in l.symbol_activations.iter().enumerate() {
        let ones: usize = r.output_bitstreams.data()[i * n..(i + 1) * n]
            .iter()
            .map(|&b| usize::from(b))
            .sum();
        // Binomial(n, a): 6 standard deviations.
        let sd = (n as f64 * a * (1.0 - a)).sqrt().max(1.0);
        assert!((ones as f64 - n as f64 * a).abs() <= 6.0 * sd, "symbol {i}");
    }
}
