//! The contract cross-check of the engine (rust/engine, crate `_engine`)
//! against the safe mirror.
//!
//! Every public pure-Rust kernel of the engine runs on every SIMD tier this
//! CPU supports (tiers are passed explicitly through the `*_with` entry points
//! and, once, forced globally with `simd::force_tier`), and `sc_forward` also
//! under several thread counts, on many random cases from a SplitMix64
//! generator: random shapes including zero sizes, stream lengths 1..300 and
//! some past 65535, seeds that wrap past 65535 and 2^32 - 1, probabilities 0,
//! -0.0, 1, on and off the 2^-16 grid and exact ties. Valid inputs must give
//! the mirror's answer bit for bit. Every input the mirror refuses must be
//! refused by the engine as well, naming the same argument, and the engine
//! must never panic (each call runs under `catch_unwind`).
//!
//! What the engine's Rust API cannot express is left to its Python layer
//! (rust/engine/src/python.rs) and counted as such: dtypes (the Rust API is
//! typed), negative `length` / `seed` / `n_bits` (they are `usize` / `u64`),
//! and the rank of `pack` / `unpack` / `encode` arrays (the Rust API takes
//! `rows` and a row length). `lif_step` has no engine kernel.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Mutex;

use _engine::EngineError;
use _engine::forward::sc_forward_with;
use _engine::lfsr::{
    encode_packed_with, lfsr_step, register_seed as engine_register_seed, threshold,
};
use _engine::ops::{Op, apply_with, popcount_per_word_with, popcount_with};
use _engine::pack::{pack_bits, unpack_bits};
use _engine::popcount::{
    GemmArgs, and_popcount_gemm_dense, and_popcount_gemm_serial, popcount_per_word_serial,
    popcount_total_serial,
};
use _engine::simd::{Tier, force_tier};
use _engine::threads::{default_num_threads, set_num_threads};
use common::Rng;
use sc_neurocore_mirror::dispatch::{KERNELS, run_kernel};
use sc_neurocore_mirror::encode::{lfsr_next, n_words, quantize, register_seed};
use sc_neurocore_mirror::golden::{Expected, Field, Values, read_golden};
use sc_neurocore_mirror::{MirrorError, NdArray};

/// The tiers this CPU can run (always includes portable).
fn tiers() -> Vec<Tier> {
    let t: Vec<Tier> = Tier::ALL.into_iter().filter(|t| t.is_supported()).collect();
    assert!(t.contains(&Tier::Portable));
    t
}

/// Runs an engine call; a panic (its message printed by the panic hook)
/// fails the test after naming `what`.
fn engine<T>(what: &str, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        eprintln!("the engine panicked on {what}");
        resume_unwind(payload)
    })
}

/// Serialises the tests that set the engine's (process-wide) thread count.
static THREADS: Mutex<()> = Mutex::new(());

/// Runs `f` with the engine's pool set to `n` threads, then restores the
/// default. Parallel paths need more than one thread *at call time*.
fn with_threads<T>(n: i128, f: impl FnOnce() -> T) -> T {
    let _guard = THREADS.lock().unwrap_or_else(|p| p.into_inner());
    engine("set_num_threads", || set_num_threads(n)).unwrap();
    let r = f();
    engine("set_num_threads", || {
        set_num_threads(default_num_threads() as i128)
    })
    .unwrap();
    r
}

/// The engine's name for the mirror's argument `arg` (FORMAT.md uses the
/// short names, the engine the Python API's names for `sc_forward`).
fn engine_arg(kernel: &str, arg: &str) -> String {
    match (kernel, arg) {
        ("sc_forward", "weights") => "weights_packed".to_string(),
        ("sc_forward", "probs") => "input_probs".to_string(),
        _ => arg.to_string(),
    }
}

/// Outcome counts of one test.
#[derive(Default)]
struct Tally {
    agreed: usize,
    both_refused: usize,
    python_layer_only: usize,
}

impl Tally {
    fn report(&self, what: &str) {
        let names: Vec<&str> = tiers().iter().map(|t| t.name()).collect();
        eprintln!(
            "{what} (tiers {names:?}): {} valid results agree, {} refusals agree, {} refusals left to \
             the Python layer",
            self.agreed, self.both_refused, self.python_layer_only
        );
        assert!(self.agreed > 0, "{what}: no valid case was compared");
    }
}

/// Compares one mirror result with one engine result: equal values when the
/// mirror answers, a refusal naming the same argument when it refuses.
/// `engine` is `None` when the engine's Rust API cannot express the input.
fn agree<T: PartialEq + std::fmt::Debug>(
    tally: &mut Tally,
    kernel: &str,
    what: &str,
    mirror: Result<Vec<T>, MirrorError>,
    engine: Option<Result<Vec<T>, EngineError>>,
) {
    match (mirror, engine) {
        (Ok(m), Some(Ok(e))) => {
            if m != e {
                let k = m.iter().zip(&e).position(|(a, b)| a != b);
                panic!(
                    "{what}: engine differs from mirror (engine {} elements, mirror {}; first difference \
                     at index {k:?}: engine {:?}, mirror {:?})",
                    e.len(),
                    m.len(),
                    k.map(|k| &e[k]),
                    k.map(|k| &m[k])
                );
            }
            tally.agreed += 1;
        }
        (Ok(_), Some(Err(e))) => panic!("{what}: the engine refused a valid input: {e}"),
        (Ok(_), None) => panic!("{what}: a valid input the engine cannot express"),
        (Err(m), Some(Ok(_))) => {
            panic!("{what}: the engine answered an input the mirror refuses ({m})")
        }
        (Err(m), Some(Err(e))) => {
            assert_eq!(
                e.arg().map(str::to_string),
                Some(engine_arg(kernel, &m.arg)),
                "{what}: mirror refuses {:?} ({m}), engine names {:?} ({e})",
                m.arg,
                e.arg()
            );
            tally.both_refused += 1;
        }
        (Err(_), None) => tally.python_layer_only += 1,
    }
}

/// [`agree`] on whether each side accepts the input, not on what it returns.
fn agree_on_acceptance<M, E>(
    tally: &mut Tally,
    kernel: &str,
    what: &str,
    mirror: Result<M, MirrorError>,
    engine: Result<E, EngineError>,
) {
    let (mirror, engine) = (mirror.map(|_| Vec::<()>::new()), engine.map(|_| Vec::new()));
    agree(tally, kernel, what, mirror, Some(engine));
}

/// [`agree`] on every tier: the engine's answer on tier `t` (described by
/// `what(t)`) against the mirror's one answer.
fn agree_on_every_tier<T: PartialEq + std::fmt::Debug + Clone>(
    tally: &mut Tally,
    kernel: &str,
    mirror: &Result<Vec<T>, MirrorError>,
    what: impl Fn(Tier) -> String,
    engine: impl Fn(Tier) -> Option<Result<Vec<T>, EngineError>>,
) {
    for t in tiers() {
        agree(tally, kernel, &what(t), mirror.clone(), engine(t));
    }
}

fn bits_of(v: Vec<f64>) -> Vec<u64> {
    v.into_iter().map(f64::to_bits).collect()
}

/// A shape of rank `rank` with at most about `max` elements (dims may be 0).
fn random_shape(rng: &mut Rng, rank: usize, max: usize) -> Vec<usize> {
    let mut shape = Vec::with_capacity(rank);
    let mut left = max.max(1);
    for _ in 0..rank {
        let d = if rng.below(12) == 0 {
            0
        } else {
            rng.range(1, left.clamp(1, 40))
        };
        left = (left / d.max(1)).max(1);
        shape.push(d);
    }
    shape
}

fn size(shape: &[usize]) -> usize {
    shape.iter().product()
}

#[test]
fn lfsr_helpers_agree() {
    let mut r = 1u16;
    for _ in 0..65535 {
        assert_eq!(u32::from(lfsr_step(r)), lfsr_next(u32::from(r)));
        r = lfsr_step(r);
    }
    for state in 0..=65535u32 {
        assert_eq!(
            u32::from(lfsr_step(state as u16)),
            lfsr_next(state),
            "state {state}"
        );
    }
    // The engine's precomputed cycle: seq[k] is the state k steps after 1,
    // pos inverts it, and the 64 extra entries repeat the start.
    let tables = _engine::lfsr::tables();
    let mut r = 1u32;
    for k in 0..65535 {
        assert_eq!(u32::from(tables.seq[k]), r, "seq[{k}]");
        assert_eq!(u32::from(tables.seqm1[k]), r - 1, "seqm1[{k}]");
        assert_eq!(usize::from(tables.pos[r as usize]), k, "pos[{r}]");
        r = lfsr_next(r);
    }
    for k in 0..64 {
        assert_eq!(tables.seq[65535 + k], tables.seq[k], "seq[65535 + {k}]");
    }
    // Every input index that hits register 0 (and its neighbours) for seeds
    // around the wrap-around points.
    for seed in [
        0u32,
        1,
        44257,
        65534,
        65535,
        65536,
        131_072,
        u32::MAX - 1,
        u32::MAX,
    ] {
        let zero_at = (65536 - (seed % 65536) as usize) % 65536;
        for i in [
            0,
            1,
            2,
            65535,
            65536,
            65537,
            131_072,
            zero_at,
            zero_at + 1,
            zero_at + 65536,
        ] {
            assert_eq!(
                u32::from(engine_register_seed(seed, i)),
                register_seed(seed, i),
                "seed {seed} i {i}"
            );
        }
        assert_eq!(register_seed(seed, zero_at), 1);
    }
    let mut rng = Rng::new(1);
    for _ in 0..20_000 {
        let seed = rng.seed();
        let i = rng.range(0, 200_000);
        assert_eq!(
            u32::from(engine_register_seed(seed, i)),
            register_seed(seed, i),
            "seed {seed} i {i}"
        );
    }
    for k in 0..=65536u32 {
        for p in [f64::from(k) / 65536.0, (f64::from(k) + 0.5) / 65536.0] {
            if p <= 1.0 {
                assert_eq!(threshold(p), quantize(p), "p = {p:e}");
                let up = f64::from_bits(p.to_bits() + 1);
                if up <= 1.0 {
                    assert_eq!(threshold(up), quantize(up), "p = {up:e}");
                }
            }
        }
    }
    for _ in 0..100_000 {
        let p = rng.prob();
        assert_eq!(threshold(p), quantize(p), "p = {p:e}");
    }
}

#[test]
fn pack_and_unpack_agree() {
    let mut rng = Rng::new(2);
    let mut tally = Tally::default();
    for c in 0..600 {
        let two_d = rng.below(2) == 0;
        let rows = if two_d { rng.range(0, 5) } else { 1 };
        let n = match c % 50 {
            0 => rng.range(65_530, 70_000),
            _ => rng.range(0, 300),
        };
        let mut bits: Vec<u8> = (0..rows * n).map(|_| rng.below(2) as u8).collect();
        let bad = rng.below(6) == 0 && !bits.is_empty();
        if bad {
            let k = rng.range(0, bits.len() - 1);
            bits[k] = rng.range(2, 255) as u8;
        }
        let shape = if two_d { vec![rows, n] } else { vec![n] };
        let what = format!("pack case {c} shape {shape:?} bad {bad}");
        let m =
            sc_neurocore_mirror::pack(&NdArray::new("bits", shape.clone(), bits.clone()).unwrap());
        let e = engine(&what, || pack_bits(&bits, rows, n, two_d));
        let packed = m.as_ref().ok().map(|p| p.data().to_vec());
        agree(
            &mut tally,
            "pack",
            &what,
            m.map(|a| a.into_parts().1),
            Some(e),
        );
        // Unpack what was packed (or random words), n_bits sometimes too large.
        let w = n.div_ceil(64);
        let words = packed.unwrap_or_else(|| rng.words(rows * w));
        let n_bits = match rng.below(5) {
            0 => w * 64 + rng.range(1, 100),
            1 => w * 64,
            _ => rng.range(0, w * 64),
        };
        let what = format!("unpack case {c} shape {shape:?} n_bits {n_bits}");
        let arr = NdArray::new(
            "packed",
            if two_d { vec![rows, w] } else { vec![w] },
            words.clone(),
        )
        .unwrap();
        let m = sc_neurocore_mirror::unpack(&arr, n_bits as i64);
        let e = engine(&what, || unpack_bits(&words, rows, w, n_bits));
        agree(
            &mut tally,
            "unpack",
            &what,
            m.map(|a| a.into_parts().1),
            Some(e),
        );
    }
    // Ranks other than 1 and 2, and a negative n_bits: the mirror refuses;
    // the engine's Rust API cannot express them.
    for shape in [vec![], vec![2, 2, 2]] {
        let n = size(&shape);
        let m =
            sc_neurocore_mirror::pack(&NdArray::new("bits", shape.clone(), vec![1u8; n]).unwrap());
        agree::<u64>(
            &mut tally,
            "pack",
            "pack rank",
            m.map(|a| a.into_parts().1),
            None,
        );
        let m =
            sc_neurocore_mirror::unpack(&NdArray::new("packed", shape, vec![1u64; n]).unwrap(), 1);
        agree::<u8>(
            &mut tally,
            "unpack",
            "unpack rank",
            m.map(|a| a.into_parts().1),
            None,
        );
    }
    let m = sc_neurocore_mirror::unpack(&NdArray::from_vec(vec![1u64]), -1);
    agree::<u8>(
        &mut tally,
        "unpack",
        "unpack n_bits -1",
        m.map(|a| a.into_parts().1),
        None,
    );
    tally.report("pack/unpack");
}

#[test]
fn popcounts_agree_on_every_tier() {
    let mut rng = Rng::new(3);
    let mut tally = Tally::default();
    let mut sizes: Vec<Vec<usize>> = (0..300).map(|n| vec![n]).collect();
    for _ in 0..60 {
        let rank = rng.range(0, 4);
        sizes.push(random_shape(&mut rng, rank, 400));
    }
    // Past the engine's parallel threshold (2^18 words).
    sizes.push(vec![(1 << 18) + 3]);
    sizes.push(vec![3, (1 << 17) + 1]);
    for shape in sizes {
        let words = rng.words(size(&shape));
        let m = sc_neurocore_mirror::popcount_per_word(
            &NdArray::new("a", shape.clone(), words.clone()).unwrap(),
        )
        .unwrap();
        let total: u64 = m.data().iter().sum();
        for t in tiers() {
            let what = format!("popcount {t:?} shape {shape:?}");
            let e = engine(&what, || popcount_per_word_with(t, &words));
            agree(
                &mut tally,
                "popcount",
                &what,
                Ok(m.data().to_vec()),
                Some(e),
            );
            let mut serial = vec![u64::MAX; words.len()];
            engine(&what, || popcount_per_word_serial(t, &words, &mut serial));
            assert_eq!(serial, m.data(), "{what} (serial per word)");
            assert_eq!(
                engine(&what, || popcount_with(t, &words)),
                total,
                "{what} (total)"
            );
            assert_eq!(
                engine(&what, || popcount_total_serial(t, &words)),
                total,
                "{what} (serial total)"
            );
        }
    }
    tally.report("popcount");
}

/// The mirror's result for `op` on `(name, shape, data)` operands.
fn mirror_op(
    op: Op,
    ops: &[(&'static str, Vec<usize>, Vec<u64>)],
) -> Result<Vec<u64>, MirrorError> {
    let arrs = ops
        .iter()
        .map(|(n, s, d)| NdArray::new(n, s.clone(), d.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let out = match op {
        Op::And => sc_neurocore_mirror::vec_and(&arrs[0], &arrs[1]),
        Op::Xnor => sc_neurocore_mirror::vec_xnor(&arrs[0], &arrs[1]),
        Op::Not => sc_neurocore_mirror::vec_not(&arrs[0]),
        Op::Mux => sc_neurocore_mirror::vec_mux(&arrs[0], &arrs[1], &arrs[2]),
    }?;
    Ok(out.into_parts().1)
}

fn engine_op(
    tier: Tier,
    op: Op,
    ops: &[(&'static str, Vec<usize>, Vec<u64>)],
) -> Result<Vec<u64>, EngineError> {
    let operands: Vec<(&'static str, &[u64], &[usize])> = ops
        .iter()
        .map(|(n, s, d)| (*n, d.as_slice(), s.as_slice()))
        .collect();
    apply_with(tier, op, &operands)
}

#[test]
fn elementwise_ops_agree_on_every_tier() {
    let mut rng = Rng::new(4);
    let mut tally = Tally::default();
    for c in 0..400 {
        let shape = if c == 0 {
            vec![(1 << 18) + 5] // the engine's parallel path
        } else {
            let rank = rng.range(0, 3);
            random_shape(&mut rng, rank, 300)
        };
        for (op, names) in [
            (Op::And, &["a", "b"][..]),
            (Op::Xnor, &["a", "b"][..]),
            (Op::Not, &["a"][..]),
            (Op::Mux, &["sel", "a", "b"][..]),
        ] {
            let mut ops: Vec<(&'static str, Vec<usize>, Vec<u64>)> = names
                .iter()
                .map(|&n| (n, shape.clone(), rng.words(size(&shape))))
                .collect();
            // One operand in four cases gets another shape (same size or not,
            // same rank or not) when there is a second operand.
            if ops.len() > 1 && rng.below(4) == 0 {
                let k = rng.range(1, ops.len() - 1);
                let other = match rng.below(3) {
                    0 => {
                        let mut s = shape.clone();
                        s.push(1);
                        s
                    }
                    1 => vec![size(&shape)],
                    _ => {
                        let rank = rng.range(0, 3);
                        random_shape(&mut rng, rank, 300)
                    }
                };
                let words = rng.words(size(&other));
                ops[k] = (ops[k].0, other, words);
            }
            let shapes: Vec<&Vec<usize>> = ops.iter().map(|o| &o.1).collect();
            let m = mirror_op(op, &ops);
            for t in tiers() {
                let what = format!("{op:?} {t:?} case {c} shapes {shapes:?}");
                let e = engine(&what, || engine_op(t, op, &ops));
                agree(&mut tally, "op", &what, m.clone(), Some(e));
            }
        }
    }
    tally.report("and/xnor/not/mux");
}

/// One encode input.
#[derive(Clone)]
struct EncodeCase {
    shape: Vec<usize>,
    probs: Vec<f64>,
    length: i64,
    seed: i64,
}

fn mirror_encode(c: &EncodeCase) -> Result<Vec<u64>, MirrorError> {
    let p = NdArray::new("probs", c.shape.clone(), c.probs.clone())?;
    Ok(sc_neurocore_mirror::encode(&p, c.length, c.seed)?
        .into_parts()
        .1)
}

/// The engine's encode, or `None` for what only the Python layer checks.
fn engine_encode(tier: Tier, c: &EncodeCase) -> Option<Result<Vec<u64>, EngineError>> {
    let (n, two_d) = match c.shape[..] {
        [n] => (n, false),
        [_, n] => (n, true),
        _ => return None,
    };
    let length = usize::try_from(c.length).ok()?;
    let seed = u64::try_from(c.seed).ok()?;
    Some(engine("encode", || {
        encode_packed_with(tier, &c.probs, n, two_d, length, seed)
    }))
}

#[test]
fn encode_agrees_on_every_tier() {
    let mut rng = Rng::new(5);
    let mut tally = Tally::default();
    for c in 0..500 {
        let length = rng.length();
        let long = length > 5000;
        let two_d = rng.below(2) == 0;
        let n = if long {
            rng.range(0, 3)
        } else {
            rng.range(0, 12)
        };
        let rows = if !two_d {
            1
        } else if long {
            rng.range(0, 2)
        } else {
            rng.range(0, 4)
        };
        let shape = if two_d { vec![rows, n] } else { vec![n] };
        let mut case = EncodeCase {
            probs: rng.probs(rows * n),
            shape,
            length: length as i64,
            seed: i64::from(rng.seed()),
        };
        match rng.below(10) {
            0 if !case.probs.is_empty() => {
                let k = rng.range(0, case.probs.len() - 1);
                case.probs[k] = rng.bad_prob();
            }
            1 => case.length = [0, -1, -64, i64::MIN][rng.below(4) as usize],
            2 => {
                case.seed = [-1, 1 << 32, (1 << 32) + 7, i64::MAX, i64::MIN][rng.below(5) as usize]
            }
            3 => {
                let p = case.probs.first().copied().unwrap_or(0.5);
                case.shape = if rng.below(2) == 0 {
                    vec![]
                } else {
                    vec![1, 1, 1]
                };
                case.probs = vec![p];
            }
            _ => {}
        }
        let describe = |t: Tier| {
            let (shape, length, seed) = (&case.shape, case.length, case.seed);
            format!("encode {t:?} case {c} shape {shape:?} length {length} seed {seed}")
        };
        let engine = |t| engine_encode(t, &case);
        agree_on_every_tier(
            &mut tally,
            "encode",
            &mirror_encode(&case),
            describe,
            engine,
        );
    }
    tally.report("encode");
}

/// One sc_forward input: the packed weights (their shape given separately
/// from the data, so that inconsistent ones can be passed to the engine) and
/// the encoder input the probabilities are streamed from.
#[derive(Clone)]
struct FwdCase {
    w_shape: Vec<usize>,
    weights: Vec<u64>,
    input: EncodeCase,
}

fn mirror_forward(c: &FwdCase) -> Result<Vec<u64>, MirrorError> {
    let w = NdArray::new("weights", c.w_shape.clone(), c.weights.clone())?;
    let p = NdArray::new("probs", c.input.shape.clone(), c.input.probs.clone())?;
    Ok(bits_of(
        sc_neurocore_mirror::sc_forward(&w, &p, c.input.length, c.input.seed)?
            .into_parts()
            .1,
    ))
}

/// [`agree_on_every_tier`] on one sc_forward case, described by `what(t)`.
fn forward_agrees_on_every_tier(tally: &mut Tally, c: &FwdCase, what: impl Fn(Tier) -> String) {
    let mirror = mirror_forward(c);
    agree_on_every_tier(tally, "sc_forward", &mirror, what, |t| engine_forward(t, c));
}

fn engine_forward(tier: Tier, c: &FwdCase) -> Option<Result<Vec<u64>, EngineError>> {
    let length = usize::try_from(c.input.length).ok()?;
    let seed = u64::try_from(c.input.seed).ok()?;
    let r = engine("sc_forward", || {
        sc_forward_with(
            tier,
            &c.weights,
            &c.w_shape,
            &c.input.probs,
            &c.input.shape,
            length,
            seed,
        )
    });
    Some(r.map(|(out, _)| bits_of(out)))
}

/// A random valid sc_forward case.
fn valid_forward(rng: &mut Rng, big: bool) -> FwdCase {
    let length = if big {
        rng.range(1985, 4000)
    } else {
        rng.length()
    };
    let long = length > 5000;
    let (n_out, n_in) = if big {
        (rng.range(56, 80), rng.range(40, 60))
    } else if long {
        (rng.range(0, 3), rng.range(0, 3))
    } else {
        (rng.range(0, 10), rng.range(0, 10))
    };
    let p_shape = match rng.below(3) {
        0 => vec![n_in],
        _ if big => vec![rng.range(1, 6), n_in],
        _ if long => vec![rng.range(0, 2), n_in],
        _ => vec![rng.range(0, 5), n_in],
    };
    forward_case(rng, n_out, n_in, length, p_shape)
}

/// A valid sc_forward case of these sizes: random weights and probabilities
/// (drawn in that order), then a random seed.
fn forward_case(
    rng: &mut Rng,
    n_out: usize,
    n_in: usize,
    length: usize,
    p_shape: Vec<usize>,
) -> FwdCase {
    let nw = n_words(length);
    let weights = rng.words(n_out * n_in * nw);
    let probs = rng.probs(size(&p_shape));
    FwdCase {
        weights,
        w_shape: vec![n_out, n_in, nw],
        input: EncodeCase {
            probs,
            shape: p_shape,
            length: length as i64,
            seed: i64::from(rng.seed()),
        },
    }
}

/// `c` with one fault of a random invalid class.
fn break_forward(rng: &mut Rng, mut c: FwdCase) -> FwdCase {
    let [n_out, n_in, nw] = c.w_shape[..] else {
        return c;
    };
    match rng.below(9) {
        0 if !c.input.probs.is_empty() => {
            let k = rng.range(0, c.input.probs.len() - 1);
            c.input.probs[k] = rng.bad_prob();
        }
        1 => c.input.length = [0, -1, i64::MIN][rng.below(3) as usize],
        2 => c.input.seed = [-1, 1 << 32, i64::MAX][rng.below(3) as usize],
        3 => {
            // Wrong rank of the weights: 2-D or 4-D with the same data.
            c.w_shape = if rng.below(2) == 0 {
                vec![n_out, n_in * nw]
            } else {
                vec![n_out, n_in, nw, 1]
            };
        }
        4 => {
            // n_words one off (data sized to match the wrong shape).
            let w = if nw > 1 && rng.below(2) == 0 {
                nw - 1
            } else {
                nw + 1
            };
            c.w_shape = vec![n_out, n_in, w];
            c.weights = rng.words(n_out * n_in * w);
        }
        5 => {
            // n_in mismatch between weights and probabilities.
            let n = n_in + rng.range(1, 3);
            c.input.shape = if c.input.shape.len() == 2 {
                vec![c.input.shape[0], n]
            } else {
                vec![n]
            };
            c.input.probs = rng.probs(size(&c.input.shape));
        }
        6 => {
            // Probabilities of rank 0 or 3.
            c.input.shape = if rng.below(2) == 0 {
                vec![]
            } else {
                vec![1, 1, n_in]
            };
            c.input.probs = rng.probs(size(&c.input.shape));
        }
        7 if !c.weights.is_empty() => {
            // Data that does not fill the declared shape.
            c.weights.pop();
        }
        _ => {
            c.input.probs.push(0.5);
        }
    }
    c
}

#[test]
fn sc_forward_agrees_on_every_tier_and_thread_count() {
    let mut rng = Rng::new(6);
    let mut tally = Tally::default();
    for threads in [1i128, 2, 3, 4] {
        with_threads(threads, || {
            for c in 0..160 {
                // Every 16th case is large enough for the engine's parallel
                // path (n_out * n_in * n_words * batch >= 2^16).
                let case = valid_forward(&mut rng, c % 16 == 0);
                let case = if rng.below(3) == 0 {
                    break_forward(&mut rng, case)
                } else {
                    case
                };
                let describe = |t: Tier| {
                    format!(
                        "sc_forward threads {threads} {t:?} case {c} w {:?} p {:?} length {} seed {}",
                        case.w_shape, case.input.shape, case.input.length, case.input.seed
                    )
                };
                forward_agrees_on_every_tier(&mut tally, &case, describe);
            }
        });
    }
    tally.report("sc_forward");
}

#[test]
fn large_inputs_take_the_parallel_paths() {
    // Sizes past the engine's parallel thresholds: element-wise ops and
    // popcounts from 2^18 words, encoding from 2^15 output words (one row:
    // inputs split across threads; several rows: rows split).
    let mut rng = Rng::new(9);
    let mut tally = Tally::default();
    for threads in [2i128, 4] {
        with_threads(threads, || {
            let n = (1 << 18) + 17;
            let (sel, a, b) = (rng.words(n), rng.words(n), rng.words(n));
            let ops = [("sel", vec![n], sel), ("a", vec![n], a), ("b", vec![n], b)];
            let m = mirror_op(Op::Mux, &ops);
            let pc = sc_neurocore_mirror::popcount_per_word(&NdArray::from_vec(ops[1].2.clone()))
                .unwrap()
                .into_parts()
                .1;
            for t in tiers() {
                let what = format!("threads {threads} {t:?} mux of {n} words");
                agree(
                    &mut tally,
                    "mux",
                    &what,
                    m.clone(),
                    Some(engine(&what, || engine_op(t, Op::Mux, &ops))),
                );
                let e = engine(&what, || popcount_per_word_with(t, &ops[1].2));
                agree(&mut tally, "popcount", &what, Ok(pc.clone()), Some(e));
                let total = engine(&what, || popcount_with(t, &ops[1].2));
                assert_eq!(total, pc.iter().sum::<u64>(), "{what} (total)");
            }
            // Seeds chosen so that an input index in the middle of the
            // split hits register 0.
            for (shape, seed) in [
                (vec![40], 65_516),
                (vec![3, 40], 4_294_967_270),
                (vec![9, 7], 65_533),
            ] {
                let length = if shape[0] == 9 { 34_000 } else { 65_600 };
                let case = EncodeCase {
                    probs: rng.probs(size(&shape)),
                    shape,
                    length,
                    seed,
                };
                let m = mirror_encode(&case);
                assert!(
                    m.as_ref().map(|v| v.len() >= 1 << 15).unwrap_or(false),
                    "encode case too small for the parallel path"
                );
                let describe = |t: Tier| {
                    format!(
                        "threads {threads} {t:?} encode {:?} length {length}",
                        case.shape
                    )
                };
                let engine = |t| engine_encode(t, &case);
                agree_on_every_tier(&mut tally, "encode", &m, describe, engine);
            }
        });
    }
    tally.report("parallel paths");
}

#[test]
fn parallel_forward_with_degenerate_shapes() {
    // sc_forward past the parallel threshold with a single output, a single
    // input, a long batch or very long streams: the engine's split into
    // input segments and output-row blocks meets its edge cases.
    let mut rng = Rng::new(10);
    let mut tally = Tally::default();
    // (n_out, n_in, length, batch rows; 0 = a 1-D input)
    let shapes: [(usize, usize, usize, usize); 8] = [
        (1, 1, 1 << 22, 0),
        (1, 2, (1 << 21) - 3, 0),
        (3, 1, (1 << 20) + 1, 2),
        (1, 1, 1 << 18, 16),
        (9, 3, 3 * 65_535, 1),
        (65, 17, 4096, 0),
        (7, 64, 1000, 31),
        (200, 5, 4200, 0),
    ];
    for threads in [2i128, 3, 4] {
        with_threads(threads, || {
            for &(n_out, n_in, length, batch) in &shapes {
                let p_shape = if batch == 0 {
                    vec![n_in]
                } else {
                    vec![batch, n_in]
                };
                let case = forward_case(&mut rng, n_out, n_in, length, p_shape);
                assert!(n_out * n_in * n_words(length) * batch.max(1) >= 1 << 16);
                let describe = |t: Tier| {
                    let (w, p) = (&case.w_shape, &case.input.shape);
                    format!("threads {threads} {t:?} sc_forward w {w:?} p {p:?}")
                };
                forward_agrees_on_every_tier(&mut tally, &case, describe);
            }
        });
    }
    tally.report("degenerate parallel sc_forward");
}

#[test]
fn popcount_gemm_matches_mirror_and_popcount() {
    // The engine's AND+popcount GEMM (the core of its sc_forward) against
    // the mirror's vec_and + popcount_per_word, every tier.
    let mut rng = Rng::new(7);
    for c in 0..120 {
        let rows = rng.range(1, 12);
        let nb = rng.range(1, 9);
        let k = if c % 20 == 0 {
            rng.range(4000, 5000)
        } else {
            rng.range(1, 400)
        };
        let w = rng.words(rows * k);
        let x = rng.words(nb * k);
        let mut want = vec![0u64; rows * nb];
        for o in 0..rows {
            for b in 0..nb {
                let wr = NdArray::from_vec(w[o * k..(o + 1) * k].to_vec());
                let xr = NdArray::from_vec(x[b * k..(b + 1) * k].to_vec());
                let and = sc_neurocore_mirror::vec_and(&wr, &xr).unwrap();
                want[o * nb + b] = sc_neurocore_mirror::popcount_per_word(&and)
                    .unwrap()
                    .data()
                    .iter()
                    .sum();
            }
        }
        // The same sum over two column ranges of a strided view.
        let split = rng.range(0, k);
        for t in tiers() {
            let mut got = vec![0u64; rows * nb];
            engine("gemm", || {
                and_popcount_gemm_dense(t, &w, &x, k, nb, &mut got)
            });
            assert_eq!(got, want, "gemm {t:?} rows {rows} nb {nb} k {k}");
            let mut got = vec![0u64; rows * nb];
            for kr in [(0, split), (split, k)] {
                let xs: Vec<u64> = (0..nb)
                    .flat_map(|b| x[b * k + kr.0..b * k + kr.1].to_vec())
                    .collect();
                let a = GemmArgs {
                    w: &w,
                    ld: k,
                    kr,
                    rows,
                    x: &xs,
                    nb,
                };
                engine("gemm (strided)", || {
                    and_popcount_gemm_serial(t, &a, &mut got)
                });
            }
            assert_eq!(
                got, want,
                "strided gemm {t:?} rows {rows} nb {nb} k {k} split {split}"
            );
        }
    }
}

#[test]
fn forced_tiers_dispatch_like_the_mirror() {
    // The automatic-dispatch entry points with each supported tier forced
    // globally (then automatic dispatch restored).
    let mut rng = Rng::new(8);
    let mut tally = Tally::default();
    for t in tiers() {
        engine("force_tier", || force_tier(Some(t.name()))).unwrap();
        assert_eq!(
            _engine::simd::active_tier(),
            t,
            "forcing {t:?} did not take"
        );
        for c in 0..40 {
            let case = valid_forward(&mut rng, c == 0);
            let m = mirror_forward(&case);
            let length = case.input.length as usize;
            let e = engine("sc_forward", || {
                _engine::sc_forward(
                    &case.weights,
                    &case.w_shape,
                    &case.input.probs,
                    &case.input.shape,
                    length,
                    case.input.seed as u64,
                )
            });
            agree(
                &mut tally,
                "sc_forward",
                &format!("forced {t:?} sc_forward {c}"),
                m,
                Some(e.map(|(o, _)| bits_of(o))),
            );
            let enc = &case.input;
            let n = *enc.shape.last().unwrap_or(&0);
            let e = engine("encode", || {
                _engine::encode_packed(&enc.probs, n, enc.shape.len() == 2, length, enc.seed as u64)
            });
            agree(
                &mut tally,
                "encode",
                &format!("forced {t:?} encode {c}"),
                mirror_encode(enc),
                Some(e),
            );
            let n_words_rand = rng.range(0, 300);
            let words = rng.words(n_words_rand);
            let a = NdArray::from_vec(words.clone());
            let m = sc_neurocore_mirror::vec_not(&a).map(|r| r.into_parts().1);
            let e = engine("apply", || {
                _engine::ops::apply(Op::Not, &[("a", &words, &[words.len()])])
            });
            agree(
                &mut tally,
                "not",
                &format!("forced {t:?} not {c}"),
                m,
                Some(e),
            );
            let m = sc_neurocore_mirror::popcount_per_word(&a).map(|r| r.into_parts().1);
            let e = engine("popcount_per_word", || {
                _engine::ops::popcount_per_word(&words)
            });
            agree(
                &mut tally,
                "popcount",
                &format!("forced {t:?} popcount {c}"),
                m,
                Some(e),
            );
        }
    }
    engine("force_tier", || force_tier(None)).unwrap();
    assert!(engine("force_tier", || force_tier(Some("sse9"))).is_err());
    tally.report("forced tiers");
}

#[test]
fn inconsistent_and_overflowing_shapes_are_refused() {
    // Shapes whose element count does not match the data, or overflows usize:
    // the mirror cannot even build such an array; the engine must refuse
    // (not panic, not read out of bounds).
    let mut tally = Tally::default();
    let huge = usize::MAX / 2 + 1;
    let shapes: [Vec<usize>; 5] = [vec![3], vec![2, 2], vec![huge, 2], vec![huge, 4, 0], vec![]];
    for shape in &shapes {
        let data = vec![7u64; 2];
        let m = NdArray::new("a", shape.clone(), data.clone()).map(|a| a.into_parts().1);
        assert_ne!(size_checked(shape), Some(2));
        let e = engine("apply", || {
            apply_with(Tier::Portable, Op::Not, &[("a", &data, shape)])
        });
        agree(
            &mut tally,
            "not",
            &format!("not shape {shape:?}"),
            m,
            Some(e),
        );
    }
    let data = [1u8, 0, 1];
    for (rows, n) in [(2usize, 2usize), (huge, 2), (1, 2), (0, 3)] {
        let e = engine("pack_bits", || pack_bits(&data, rows, n, true));
        let m = NdArray::new("bits", vec![rows, n], data.to_vec());
        agree_on_acceptance(&mut tally, "pack", &format!("pack rows {rows} n {n}"), m, e);
        let words = [1u64, 2, 3];
        let e = engine("unpack_bits", || unpack_bits(&words, rows, n, 1));
        let m = NdArray::new("packed", vec![rows, n], words.to_vec());
        agree_on_acceptance(
            &mut tally,
            "unpack",
            &format!("unpack rows {rows} n {n}"),
            m,
            e,
        );
    }
    let base = FwdCase {
        w_shape: vec![2, 3, 1],
        weights: vec![u64::MAX; 6],
        input: EncodeCase {
            shape: vec![3],
            probs: vec![0.5; 3],
            length: 64,
            seed: 1,
        },
    };
    for (w_shape, p_shape) in [
        (vec![huge, 2, 1], vec![2]),
        (vec![2, 3, 1], vec![huge, 3]),
        (vec![2, 3, 1], vec![2, 3]),
        (vec![0, huge, 1], vec![huge]),
    ] {
        let mut case = base.clone();
        case.w_shape = w_shape;
        case.input.shape = p_shape;
        let what = format!("sc_forward w {:?} p {:?}", case.w_shape, case.input.shape);
        agree(
            &mut tally,
            "sc_forward",
            &what,
            mirror_forward(&case),
            engine_forward(Tier::Portable, &case),
        );
    }
    assert_eq!(tally.agreed, 0);
    assert!(tally.both_refused >= 15, "{}", tally.both_refused);
    eprintln!("inconsistent shapes: {} refusals agree", tally.both_refused);
}

fn size_checked(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d))
}

/// A golden array's values as `u64` words (u8 widened, f64 by bit pattern).
fn golden_words(v: &Values) -> Vec<u64> {
    match v {
        Values::U64(x) => x.clone(),
        Values::I64(x) => x.iter().map(|&y| y as u64).collect(),
        Values::U8(x) => x.iter().map(|&y| u64::from(y)).collect(),
        Values::F64(x) => x.iter().map(|y| y.to_bits()).collect(),
        Values::Str(_) => panic!("kernel golden files hold no str arrays"),
    }
}

fn field<'a>(inputs: &'a [Field], name: &str) -> Option<&'a Field> {
    inputs.iter().find(|f| f.name == name)
}

/// `fn $func(inputs, name)`: the shape and values of the golden input `name`
/// when it holds `$variant` values.
macro_rules! typed_input {
    ($func:ident, $variant:ident, $t:ty) => {
        fn $func<'a>(inputs: &'a [Field], name: &str) -> Option<(&'a [usize], &'a [$t])> {
            match field(inputs, name)? {
                Field {
                    shape,
                    values: Values::$variant(v),
                    ..
                } => Some((shape, v)),
                _ => None,
            }
        }
    };
}
typed_input!(u64s, U64, u64);
typed_input!(f64s, F64, f64);

/// A non-negative 0-D i64 input (negative values and other dtypes are
/// checked by the engine's Python layer only).
fn count(inputs: &[Field], name: &str) -> Option<u64> {
    match field(inputs, name)? {
        Field {
            shape,
            values: Values::I64(v),
            ..
        } if shape.is_empty() => u64::try_from(v[0]).ok(),
        _ => None,
    }
}

/// `(rows, row_len, two_d)` of a 1-D or 2-D shape.
fn rows_of(shape: &[usize]) -> Option<(usize, usize, bool)> {
    match *shape {
        [n] => Some((1, n, false)),
        [b, n] => Some((b, n, true)),
        _ => None,
    }
}

/// A golden case through the engine's Rust API on `tier`, as `u64` words
/// (f64 by bit pattern); `None` when the Rust API cannot express it.
fn engine_golden(
    kernel: &str,
    tier: Tier,
    inputs: &[Field],
) -> Option<Result<Vec<u64>, EngineError>> {
    let what = format!("golden {kernel}");
    let ops = |op: Op, names: &[&'static str]| -> Option<Result<Vec<u64>, EngineError>> {
        let mut operands: Vec<(&'static str, &[u64], &[usize])> = Vec::new();
        for &n in names {
            let (shape, data) = u64s(inputs, n)?;
            operands.push((n, data, shape));
        }
        Some(engine(&what, || apply_with(tier, op, &operands)))
    };
    match kernel {
        "pack" => {
            let (shape, bits) = match field(inputs, "bits")? {
                Field {
                    shape,
                    values: Values::U8(v),
                    ..
                } => (shape, v),
                _ => return None,
            };
            let (rows, n, two_d) = rows_of(shape)?;
            Some(engine(&what, || pack_bits(bits, rows, n, two_d)))
        }
        "unpack" => {
            let (shape, words) = u64s(inputs, "packed")?;
            let (rows, w, _) = rows_of(shape)?;
            let n_bits = usize::try_from(count(inputs, "n_bits")?).ok()?;
            let r = engine(&what, || unpack_bits(words, rows, w, n_bits));
            Some(r.map(|b| b.into_iter().map(u64::from).collect()))
        }
        "popcount" => {
            let (_, words) = u64s(inputs, "a")?;
            Some(engine(&what, || popcount_per_word_with(tier, words)))
        }
        "and" => ops(Op::And, &["a", "b"]),
        "xnor" => ops(Op::Xnor, &["a", "b"]),
        "not" => ops(Op::Not, &["a"]),
        "mux" => ops(Op::Mux, &["sel", "a", "b"]),
        "encode" => {
            let (shape, probs) = f64s(inputs, "probs")?;
            let (_, n, two_d) = rows_of(shape)?;
            let length = usize::try_from(count(inputs, "length")?).ok()?;
            let seed = count(inputs, "seed")?;
            Some(engine(&what, || {
                encode_packed_with(tier, probs, n, two_d, length, seed)
            }))
        }
        "sc_forward" => {
            let (w_shape, weights) = u64s(inputs, "weights")?;
            let (p_shape, probs) = f64s(inputs, "probs")?;
            let length = usize::try_from(count(inputs, "length")?).ok()?;
            let seed = count(inputs, "seed")?;
            let r = engine(&what, || {
                sc_forward_with(tier, weights, w_shape, probs, p_shape, length, seed)
            });
            Some(r.map(|(out, _)| bits_of(out)))
        }
        _ => None,
    }
}

#[test]
fn golden_cases_through_the_engine() {
    // Every golden case of the kernels the engine implements, on every tier:
    // valid cases give the golden outputs, invalid ones are refused (naming
    // the argument the mirror names) wherever the Rust API can express them.
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../parity/golden");
    let mut tally = Tally::default();
    for kernel in KERNELS.iter().copied().filter(|&k| k != "lif_step") {
        let path = dir.join(format!("{kernel}.txt"));
        let file = read_golden(&path).unwrap_or_else(|e| panic!("{e}"));
        for case in &file.cases {
            let mirror = run_kernel(kernel, &case.inputs).map(|out| golden_words(&out[0].values));
            for t in tiers() {
                let what = format!("{kernel} case {} ({}) on {t:?}", case.id, case.comment);
                let e = engine_golden(kernel, t, &case.inputs);
                if case.expected == Expected::Valid {
                    let want = golden_words(&case.outputs[0].values);
                    match &e {
                        Some(Ok(got)) => assert!(
                            got == &want,
                            "{what}: engine output differs from the golden one"
                        ),
                        other => {
                            panic!("{what}: the engine did not answer a valid case: {other:?}")
                        }
                    }
                }
                agree(&mut tally, kernel, &what, mirror.clone(), e);
            }
        }
    }
    tally.report("golden cases through the engine");
}
