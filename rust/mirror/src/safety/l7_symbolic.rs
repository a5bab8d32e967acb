//! Mirror of `sc_neurocore.scpn.layers.l7_symbolic`, the symbolic layer (L7):
//! a ring of symbol activations in `[0, 1]`, its 8-D state vector, its
//! metrics (E8 alignment, golden-ratio regularity, Fibonacci correlation,
//! health score) and its LFSR bitstreams. Checked bit for bit against
//! `parity/golden/l7_symbolic.txt`, the file pytest checks the Python module
//! against: every value here comes from correctly rounded IEEE-754 operations
//! (`+ - * /`, `sqrt`, comparisons) in the same order as in Python, so no
//! output needs a tolerance.
//!
//! The rules (the Python module docstring states the same):
//!
//! * `seqsum(x)`: left-to-right sum in index order starting from the first
//!   term; `mean(x) = seqsum(x) / len(x)`; `clip01(x) = 0.0 if x <= 0.0 else
//!   (1.0 if x >= 1.0 else x)`; ring indices mod `n`; arc `k` of `p` parts of
//!   a ring of `n` is `[k*n/p, (k+1)*n/p)` (integer division, `p <= n`).
//! * Update ([`update_activations`]): drive `a = clip01(a + symbol_input)` (if
//!   given); diffusion from the driven `a`, all at once,
//!   `a[i] += (c * ((a[i-1] + a[i+1]) * 0.5 - a[i])) * dt`; decay
//!   `a[i] *= 1.0 - decay * dt`; `a = clip01(a)`. `dt` finite, `> 0`,
//!   `decay * dt <= 1`, `c * dt <= 1`.
//! * State vector ([`state_vector`]): `e[k] = mean(arc k of 8) (+ l6_input[k])`.
//! * Meridians: `meridian_activity[j] = mean(arc j of n_meridians)`;
//!   `stimulate_meridian(i, x)` does `a[s] = clip01(a[s] + x)` on arc `i`.
//! * E8 ([`e8_roots`], [`e8_root_alignments`], [`e8_alignment`]): the 112
//!   roots `±e_i ± e_j` (`i < j` lexicographic, signs `++, +-, -+, --`), then
//!   the 128 roots `0.5 (±1)^8` with an even number of minus signs (masks
//!   `0..255` of even popcount, increasing; bit `k` -> component `k` is
//!   `-0.5`). `mx = max|e|` (`0` -> every alignment `0`), `u = e / mx`,
//!   `den = sqrt(2.0 * seqsum(u * u))`,
//!   `align_r = min(1, |seqsum_k(r[k] * u[k])| / den)`; the alignment is the max.
//! * Golden regularity ([`golden_ratio_regularity`]): descending sort `s`;
//!   for `s[i+1] > 0`: `dev = |s[i] / s[i+1] - PHI| / PHI`; `1 / (1 + mean(dev))`,
//!   `0` without such a pair.
//! * Fibonacci correlation ([`fibonacci_correlation`]): lags = distinct
//!   Fibonacci numbers `1, 2, 3, 5, ...` below `n`; `0` with no lag or equal
//!   activations; `d = a - mean(a)`, `den = seqsum(d * d)` (`0` -> `0`),
//!   `rho[L] = seqsum(d[i] * d[(i+L) mod n]) / den`, result
//!   `min(1, max(-1, mean(rho)))`.
//! * Health ([`health_score`]): `p = C if C > 0 else 0`,
//!   `t = ((w_e8 * A) + (w_golden * G)) + (w_fibonacci * p)`,
//!   `min(1, t / ((w_e8 + w_golden) + w_fibonacci))`.
//!
//! Randomness and bitstreams (docs/safety-mirrors.md, "Consumption order per
//! surface"): the layer's initial activations are
//! `SplitMix64::new(rng_seed).uniforms(n_symbols)`, one word per symbol in
//! index order, drawn once at construction; nothing else draws. Step `t`
//! (0-based) emits `crate::encode(activations, bitstream_length, seed_t)`
//! unpacked to `(n_symbols, bitstream_length)` bits, with
//! `seed_t = (rng_seed + t * n_symbols) mod 2^32`.

use crate::array::NdArray;
use crate::checks::{Bounds, Form, check_int, check_ndim, check_real, real_array};
use crate::error::{MirrorError, Result, zeroed};
use crate::splitmix::SplitMix64;

/// Dimension of the state vector (the rank of E8).
pub const E8_DIM: usize = 8;
/// Number of roots of E8.
pub const N_E8_ROOTS: usize = 240;
/// The golden ratio: the double nearest `(1 + sqrt 5) / 2`.
pub const PHI: f64 = 1.618033988749895;
/// Encoder seeds live in `[0, 2^32)`.
const SEED_LIMIT: u128 = 1 << 32;

// ------------------------------------------------------------------ exact arithmetic

/// Left-to-right sum starting from the first term (`0.0` for no term).
fn seqsum(mut terms: impl Iterator<Item = f64>) -> f64 {
    match terms.next() {
        None => 0.0,
        Some(first) => terms.fold(first, |acc, x| acc + x),
    }
}

/// `0.0 if x <= 0.0 else (1.0 if x >= 1.0 else x)` (maps `-0.0` to `0.0`).
#[allow(clippy::manual_clamp)] // `clamp` keeps `-0.0`, which the contract maps to `0.0`
fn clip01(x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if x >= 1.0 {
        1.0
    } else {
        x
    }
}

/// `max |x|` of a non-empty slice (`0.0` for an empty one).
fn max_abs(x: &[f64]) -> f64 {
    x.iter().fold(0.0, |m: f64, v| m.max(v.abs()))
}

// ------------------------------------------------------------------ validation

/// The data of a non-empty 1-D array of values in `[0, 1]`.
fn activations_of<'a>(name: &str, values: &'a NdArray<f64>) -> Result<&'a [f64]> {
    check_ndim(name, values, 1)?;
    if values.is_empty() {
        return Err(MirrorError::value(
            name,
            format!("{name} must hold at least one value"),
        ));
    }
    crate::kernels::encode::check_probs(name, values.data())?;
    Ok(values.data())
}

/// `dt` finite, `> 0`, `decay * dt <= 1` and `coupling * dt <= 1`.
fn check_dt(dt: f64, decay: f64, coupling: f64) -> Result<f64> {
    let dt = check_real("dt", dt, Bounds::POSITIVE)?;
    if decay * dt > 1.0 {
        return Err(MirrorError::value(
            "dt",
            format!("dt must satisfy symbol_decay * dt <= 1, got dt = {dt:?}, decay {decay:?}"),
        ));
    }
    if coupling * dt > 1.0 {
        return Err(MirrorError::value(
            "dt",
            format!(
                "dt must satisfy symbol_coupling * dt <= 1, got dt = {dt:?}, coupling {coupling:?}"
            ),
        ));
    }
    Ok(dt)
}

// ------------------------------------------------------------------ arcs

/// The arcs `[k*n/parts, (k+1)*n/parts)` of a ring of `n` symbols (`n >= 1`,
/// `1 <= parts <= n`), as `(start, stop)`.
pub fn arc_bounds(n: i64, parts: i64) -> Result<Vec<(usize, usize)>> {
    let n = check_int("n", n, 1, None)?;
    let parts = check_int("parts", parts, 1, Some((n as i64).saturating_add(1)))?;
    Ok(arcs(n, parts))
}

fn arcs(n: usize, parts: usize) -> Vec<(usize, usize)> {
    // k * n <= n * n: computed in u128 so that no size overflows.
    let cut = |k: usize| ((k as u128 * n as u128) / parts as u128) as usize;
    (0..parts).map(|k| (cut(k), cut(k + 1))).collect()
}

/// `mean` of each of the `parts` arcs of `a` (`1 <= parts <= a.len()`).
fn arc_means(a: &[f64], parts: usize) -> Vec<f64> {
    arcs(a.len(), parts)
        .into_iter()
        .map(|(lo, hi)| seqsum(a[lo..hi].iter().copied()) / (hi - lo) as f64)
        .collect()
}

// ------------------------------------------------------------------ E8

/// The 240 roots of E8 in the documented order (see the module docs).
pub fn e8_roots() -> Vec<[f64; E8_DIM]> {
    let mut roots = Vec::with_capacity(N_E8_ROOTS);
    for i in 0..E8_DIM {
        for j in i + 1..E8_DIM {
            for (si, sj) in [(1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)] {
                let mut r = [0.0; E8_DIM];
                r[i] = si;
                r[j] = sj;
                roots.push(r);
            }
        }
    }
    for mask in 0u32..256 {
        if mask.count_ones() % 2 == 0 {
            let mut r = [0.5; E8_DIM];
            for (k, c) in r.iter_mut().enumerate() {
                if (mask >> k) & 1 == 1 {
                    *c = -0.5;
                }
            }
            roots.push(r);
        }
    }
    roots
}

/// Alignments of a checked 8-vector with every root.
fn root_alignments(e: &[f64]) -> Vec<f64> {
    let mx = max_abs(e);
    if mx == 0.0 {
        return vec![0.0; N_E8_ROOTS];
    }
    let u: Vec<f64> = e.iter().map(|v| v / mx).collect();
    let den = (2.0 * seqsum(u.iter().map(|v| v * v))).sqrt();
    e8_roots()
        .iter()
        .map(|r| {
            let d = seqsum(r.iter().zip(&u).map(|(rk, uk)| rk * uk));
            (d.abs() / den).min(1.0)
        })
        .collect()
}

/// `|r̂ · e / |e||` for each root, in [`e8_roots`] order; `e` of shape `(8,)`, finite.
pub fn e8_root_alignments(e: &NdArray<f64>) -> Result<Vec<f64>> {
    Ok(root_alignments(real_array("e", e, Form::Shape(&[E8_DIM]))?))
}

/// The E8 alignment `max_r |r̂ · e / |e||` (`0` for `e = 0`).
pub fn e8_alignment(e: &NdArray<f64>) -> Result<f64> {
    Ok(max_of(&e8_root_alignments(e)?))
}

/// Largest of non-negative values (`0.0` for none).
fn max_of(x: &[f64]) -> f64 {
    x.iter().fold(0.0, |m: f64, &v| m.max(v))
}

// ------------------------------------------------------------------ other metrics

fn golden_regularity(a: &[f64]) -> f64 {
    let mut s = a.to_vec();
    s.sort_by(|x, y| y.total_cmp(x));
    let positive = s.iter().skip(1).filter(|&&v| v > 0.0).count();
    if positive == 0 {
        return 0.0;
    }
    let dev = (0..positive).map(|i| ((s[i] / s[i + 1]) - PHI).abs() / PHI);
    1.0 / (1.0 + seqsum(dev) / positive as f64)
}

/// Golden-ratio regularity of the sorted activations (1-D, non-empty, in `[0, 1]`).
pub fn golden_ratio_regularity(activations: &NdArray<f64>) -> Result<f64> {
    Ok(golden_regularity(activations_of(
        "activations",
        activations,
    )?))
}

/// The distinct Fibonacci numbers `1, 2, 3, 5, ...` below `n` (`n >= 0`).
pub fn fibonacci_lags(n: i64) -> Result<Vec<usize>> {
    let n = check_int("n", n, 0, None)?;
    Ok(lags_below(n))
}

fn lags_below(n: usize) -> Vec<usize> {
    let mut lags = Vec::new();
    let (mut f, mut g) = (1usize, 2usize);
    while f < n {
        lags.push(f);
        // g < 2n fits: stop before an overflow could matter.
        let next = f.saturating_add(g);
        (f, g) = (g, next);
    }
    lags
}

fn fib_correlation(a: &[f64]) -> f64 {
    let n = a.len();
    let lags = lags_below(n);
    let (lo, hi) = a
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if lags.is_empty() || lo == hi {
        return 0.0;
    }
    let mu = seqsum(a.iter().copied()) / n as f64;
    let d: Vec<f64> = a.iter().map(|v| v - mu).collect();
    let den = seqsum(d.iter().map(|v| v * v));
    if den == 0.0 {
        return 0.0;
    }
    let rho = lags
        .iter()
        .map(|&lag| seqsum((0..n).map(|i| d[i] * d[(i + lag) % n])) / den);
    let c = seqsum(rho) / lags.len() as f64;
    c.clamp(-1.0, 1.0)
}

/// Mean circular autocorrelation at the Fibonacci lags below `n`, in `[-1, 1]`.
pub fn fibonacci_correlation(activations: &NdArray<f64>) -> Result<f64> {
    Ok(fib_correlation(activations_of("activations", activations)?))
}

/// The health-score weights (defaults 0.4, 0.3, 0.3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HealthWeights {
    /// Weight of the E8 alignment.
    pub weight_e8: f64,
    /// Weight of the golden-ratio regularity.
    pub weight_golden: f64,
    /// Weight of the (positive part of the) Fibonacci correlation.
    pub weight_fibonacci: f64,
}

impl Default for HealthWeights {
    fn default() -> Self {
        HealthWeights {
            weight_e8: 0.4,
            weight_golden: 0.3,
            weight_fibonacci: 0.3,
        }
    }
}

impl HealthWeights {
    /// Each weight finite and `>= 0`, with a finite sum `> 0`.
    pub fn check(&self) -> Result<()> {
        let e = check_real("weight_e8", self.weight_e8, Bounds::at_least(0.0))?;
        let g = check_real("weight_golden", self.weight_golden, Bounds::at_least(0.0))?;
        let f = check_real(
            "weight_fibonacci",
            self.weight_fibonacci,
            Bounds::at_least(0.0),
        )?;
        let total = (e + g) + f;
        if !(total > 0.0 && total.is_finite()) {
            return Err(MirrorError::value(
                "weight_e8",
                format!(
                    "weight_e8, weight_golden and weight_fibonacci must have a finite sum > 0, \
                     got {e:?}, {g:?}, {f:?}"
                ),
            ));
        }
        Ok(())
    }

    fn total(&self) -> f64 {
        (self.weight_e8 + self.weight_golden) + self.weight_fibonacci
    }
}

fn health(alignment: f64, regularity: f64, correlation: f64, w: &HealthWeights) -> f64 {
    let p = if correlation > 0.0 { correlation } else { 0.0 };
    let t = ((w.weight_e8 * alignment) + (w.weight_golden * regularity)) + (w.weight_fibonacci * p);
    (t / w.total()).min(1.0)
}

/// The weighted health score of alignment `A`, regularity `G` (both in
/// `[0, 1]`) and correlation `C` (in `[-1, 1]`).
pub fn health_score(
    alignment: f64,
    regularity: f64,
    correlation: f64,
    weights: &HealthWeights,
) -> Result<f64> {
    let a = check_real("alignment", alignment, Bounds::within(0.0, 1.0))?;
    let g = check_real("regularity", regularity, Bounds::within(0.0, 1.0))?;
    let c = check_real("correlation", correlation, Bounds::within(-1.0, 1.0))?;
    weights.check()?;
    Ok(health(a, g, c, weights))
}

// ------------------------------------------------------------------ state and update

fn state_of(a: &[f64], l6: Option<&[f64]>) -> [f64; E8_DIM] {
    let mut e = [0.0; E8_DIM];
    for (k, b) in arc_means(a, E8_DIM).into_iter().enumerate() {
        e[k] = match l6 {
            Some(x) => b + x[k],
            None => b,
        };
    }
    e
}

/// The 8-D state vector: means of the 8 arcs of the activations (at least 8),
/// plus `l6_input` (shape `(8,)`, finite) when given.
pub fn state_vector(
    activations: &NdArray<f64>,
    l6_input: Option<&NdArray<f64>>,
) -> Result<[f64; E8_DIM]> {
    let a = activations_of("activations", activations)?;
    if a.len() < E8_DIM {
        return Err(MirrorError::value(
            "activations",
            format!(
                "activations must hold at least {E8_DIM} values, got {}",
                a.len()
            ),
        ));
    }
    let l6 = l6_input
        .map(|x| real_array("l6_input", x, Form::Shape(&[E8_DIM])))
        .transpose()?;
    Ok(state_of(a, l6))
}

fn update(a: &[f64], dt: f64, decay: f64, coupling: f64, drive: Option<&[f64]>) -> Vec<f64> {
    let n = a.len();
    let driven: Vec<f64> = match drive {
        Some(x) => a.iter().zip(x).map(|(v, s)| clip01(v + s)).collect(),
        None => a.to_vec(),
    };
    let f = 1.0 - decay * dt;
    (0..n)
        .map(|i| {
            let ai = driven[i];
            let m = (driven[(i + n - 1) % n] + driven[(i + 1) % n]) * 0.5;
            let diffused = ai + (coupling * (m - ai)) * dt;
            clip01(diffused * f)
        })
        .collect()
}

/// One update of the ring: drive and clip, diffusion, decay, clip.
pub fn update_activations(
    activations: &NdArray<f64>,
    dt: f64,
    symbol_decay: f64,
    symbol_coupling: f64,
    symbol_input: Option<&NdArray<f64>>,
) -> Result<Vec<f64>> {
    let a = activations_of("activations", activations)?;
    let decay = check_real("symbol_decay", symbol_decay, Bounds::at_least(0.0))?;
    let coupling = check_real("symbol_coupling", symbol_coupling, Bounds::at_least(0.0))?;
    let dt = check_dt(dt, decay, coupling)?;
    let drive = symbol_input
        .map(|x| real_array("symbol_input", x, Form::Shape(&[a.len()])))
        .transpose()?;
    Ok(update(a, dt, decay, coupling, drive))
}

/// The encoder seed of step `step` (earlier steps): `(rng_seed + step * n_symbols) mod 2^32`.
pub fn bitstream_seed(rng_seed: i64, step: i64, n_symbols: i64) -> Result<u32> {
    let seed = check_int("rng_seed", rng_seed, 0, Some(1i64 << 32))?;
    let step = check_int("step", step, 0, None)?;
    let n = check_int("n_symbols", n_symbols, 1, None)?;
    Ok(seed_of(seed as u128, step as u128, n as u128))
}

fn seed_of(seed: u128, step: u128, n: u128) -> u32 {
    ((seed + step * n) % SEED_LIMIT) as u32
}

// ------------------------------------------------------------------ the layer

/// The layer's parameters (the fields of `L7_StochasticParameters`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct L7Params {
    /// Symbols on the ring (`>= 8`).
    pub n_symbols: i64,
    /// Bits per output stream (`>= 1`).
    pub bitstream_length: i64,
    /// Meridian arcs, in `[1, n_symbols]`.
    pub n_meridians: i64,
    /// Health-score weights.
    pub weights: HealthWeights,
    /// Decay rate, finite, `>= 0`.
    pub symbol_decay: f64,
    /// Ring diffusion rate, finite, `>= 0`.
    pub symbol_coupling: f64,
    /// Seed of the initial activations and the bitstreams, in `[0, 2^32)`.
    pub rng_seed: i64,
}

impl Default for L7Params {
    fn default() -> Self {
        L7Params {
            n_symbols: 128,
            bitstream_length: 1024,
            n_meridians: 12,
            weights: HealthWeights::default(),
            symbol_decay: 0.05,
            symbol_coupling: 0.1,
            rng_seed: 42,
        }
    }
}

/// Checked parameters as sizes.
#[derive(Debug, Clone, Copy)]
struct Checked {
    n: usize,
    length: usize,
    meridians: usize,
    weights: HealthWeights,
    decay: f64,
    coupling: f64,
    seed: u32,
}

impl L7Params {
    /// Every field in range (checked in declaration order, naming the field).
    fn check(&self) -> Result<Checked> {
        let n = check_int("n_symbols", self.n_symbols, E8_DIM as i64, None)?;
        let length = check_int("bitstream_length", self.bitstream_length, 1, None)?;
        let meridians = check_int(
            "n_meridians",
            self.n_meridians,
            1,
            Some(self.n_symbols.saturating_add(1)),
        )?;
        self.weights.check()?;
        let decay = check_real("symbol_decay", self.symbol_decay, Bounds::at_least(0.0))?;
        let coupling = check_real(
            "symbol_coupling",
            self.symbol_coupling,
            Bounds::at_least(0.0),
        )?;
        let seed = check_int("rng_seed", self.rng_seed, 0, Some(1i64 << 32))? as u32;
        Ok(Checked {
            n,
            length,
            meridians,
            weights: self.weights,
            decay,
            coupling,
            seed,
        })
    }
}

/// The four metrics of a state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    /// E8 alignment of the state vector.
    pub e8_alignment: f64,
    /// Golden-ratio regularity of the activations.
    pub golden_regularity: f64,
    /// Fibonacci correlation of the activations.
    pub fibonacci_correlation: f64,
    /// Weighted health score (the global metric).
    pub health_score: f64,
}

/// What one [`L7SymbolicLayer::step`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct StepResult {
    /// Steps taken, this one included.
    pub step: u64,
    /// The encoder seed of this step.
    pub bitstream_seed: u32,
    /// Activations after the update.
    pub activations: Vec<f64>,
    /// The 8-D state vector.
    pub state_vector: [f64; E8_DIM],
    /// Mean activation of each meridian arc.
    pub meridian_activity: Vec<f64>,
    /// The metrics.
    pub metrics: Metrics,
    /// `(n_symbols, bitstream_length)` bits.
    pub bitstreams: NdArray<u8>,
}

/// The symbolic layer (mirror of `L7_SymbolicLayer`).
#[derive(Debug, Clone)]
pub struct L7SymbolicLayer {
    p: Checked,
    a: Vec<f64>,
    e: [f64; E8_DIM],
    steps: u64,
    metrics: Metrics,
}

impl L7SymbolicLayer {
    /// A layer with `SplitMix64::new(rng_seed).uniforms(n_symbols)` as its
    /// activations and its initial metrics evaluated.
    pub fn new(params: &L7Params) -> Result<Self> {
        let p = params.check()?;
        let mut g = SplitMix64::new(u64::from(p.seed));
        let mut a = zeroed::<f64>(p.n, "n_symbols")?;
        for v in a.iter_mut() {
            *v = g.uniform();
        }
        let e = state_of(&a, None);
        let mut layer = L7SymbolicLayer {
            p,
            a,
            e,
            steps: 0,
            metrics: Metrics {
                e8_alignment: 0.0,
                golden_regularity: 0.0,
                fibonacci_correlation: 0.0,
                health_score: 0.0,
            },
        };
        layer.metrics = layer.evaluate();
        Ok(layer)
    }

    fn evaluate(&self) -> Metrics {
        let align = max_of(&root_alignments(&self.e));
        let regularity = golden_regularity(&self.a);
        let correlation = fib_correlation(&self.a);
        Metrics {
            e8_alignment: align,
            golden_regularity: regularity,
            fibonacci_correlation: correlation,
            health_score: health(align, regularity, correlation, &self.p.weights),
        }
    }

    /// The current activations.
    pub fn activations(&self) -> &[f64] {
        &self.a
    }

    /// The state vector of the last step (or of construction).
    pub fn state_vector(&self) -> [f64; E8_DIM] {
        self.e
    }

    /// The metrics of the last step (or of construction).
    pub fn metrics(&self) -> Metrics {
        self.metrics
    }

    /// Steps taken.
    pub fn step_count(&self) -> u64 {
        self.steps
    }

    /// Mean activation of each meridian arc.
    pub fn meridian_activity(&self) -> Vec<f64> {
        arc_means(&self.a, self.p.meridians)
    }

    /// The health score of the last step (or of construction).
    pub fn global_metric(&self) -> f64 {
        self.metrics.health_score
    }

    /// `u = e / max|e|`, `u / sqrt(seqsum(u * u))`; zeros for `e = 0`.
    pub fn glyph_vector_normalized(&self) -> [f64; E8_DIM] {
        let mx = max_abs(&self.e);
        if mx == 0.0 {
            return [0.0; E8_DIM];
        }
        let u = self.e.map(|v| v / mx);
        let norm = seqsum(u.iter().map(|v| v * v)).sqrt();
        u.map(|v| v / norm)
    }

    /// Advances by `dt`: validate, update, state vector, metrics, bitstreams
    /// with seed `(rng_seed + t * n_symbols) mod 2^32`. Nothing changes on an error.
    pub fn step(
        &mut self,
        dt: f64,
        l6_input: Option<&NdArray<f64>>,
        symbol_input: Option<&NdArray<f64>>,
    ) -> Result<StepResult> {
        let p = self.p;
        let dt = check_dt(dt, p.decay, p.coupling)?;
        let l6 = l6_input
            .map(|x| real_array("l6_input", x, Form::Shape(&[E8_DIM])))
            .transpose()?;
        let drive = symbol_input
            .map(|x| real_array("symbol_input", x, Form::Shape(&[p.n])))
            .transpose()?;
        let seed = seed_of(u128::from(p.seed), u128::from(self.steps), p.n as u128);
        let a = update(&self.a, dt, p.decay, p.coupling, drive);
        let probs = NdArray::new("activations", vec![p.n], a.clone())?;
        let length = i64::try_from(p.length)
            .map_err(|_| MirrorError::value("bitstream_length", "bitstream_length too large"))?;
        let packed = crate::encode(&probs, length, i64::from(seed))?;
        let bitstreams = crate::unpack(&packed, length)?;
        self.a = a;
        self.steps += 1;
        self.e = state_of(&self.a, l6);
        self.metrics = self.evaluate();
        Ok(StepResult {
            step: self.steps,
            bitstream_seed: seed,
            activations: self.a.clone(),
            state_vector: self.e,
            meridian_activity: self.meridian_activity(),
            metrics: self.metrics,
            bitstreams,
        })
    }

    /// Adds `intensity` (finite, in `[-1, 1]`) to every symbol of meridian arc
    /// `i` (in `[0, n_meridians)`), clipped to `[0, 1]`.
    pub fn stimulate_meridian(&mut self, i: i64, intensity: f64) -> Result<()> {
        let i = check_int("i", i, 0, Some(self.p.meridians as i64))?;
        let x = check_real("intensity", intensity, Bounds::within(-1.0, 1.0))?;
        let (lo, hi) = arcs(self.p.n, self.p.meridians)[i];
        for v in &mut self.a[lo..hi] {
            *v = clip01(*v + x);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::{self, has, op};
    use crate::golden::Field;
    use crate::golden_check::check_golden;

    const PARAM_INTS: [&str; 4] = ["n_symbols", "bitstream_length", "n_meridians", "rng_seed"];

    fn optional(x: &[Field], name: &str) -> crate::Result<Option<NdArray<f64>>> {
        fields::optional(x, name, fields::f64_array)
    }

    fn weights(x: &[Field]) -> crate::Result<HealthWeights> {
        let mut w = HealthWeights::default();
        for (name, slot) in [
            ("weight_e8", &mut w.weight_e8),
            ("weight_golden", &mut w.weight_golden),
            ("weight_fibonacci", &mut w.weight_fibonacci),
        ] {
            if has(x, name) {
                *slot = fields::f64_scalar(x, name)?;
            }
        }
        Ok(w)
    }

    fn params(x: &[Field]) -> crate::Result<L7Params> {
        let mut p = L7Params::default();
        for name in PARAM_INTS {
            if has(x, name) {
                let v = fields::i64_scalar(x, name)?;
                match name {
                    "n_symbols" => p.n_symbols = v,
                    "bitstream_length" => p.bitstream_length = v,
                    "n_meridians" => p.n_meridians = v,
                    _ => p.rng_seed = v,
                }
            }
        }
        p.weights = weights(x)?;
        if has(x, "symbol_decay") {
            p.symbol_decay = fields::f64_scalar(x, "symbol_decay")?;
        }
        if has(x, "symbol_coupling") {
            p.symbol_coupling = fields::f64_scalar(x, "symbol_coupling")?;
        }
        Ok(p)
    }

    fn f64s(name: &str, shape: Vec<usize>, data: Vec<f64>) -> crate::Result<Field> {
        Ok(Field::from_f64(name, NdArray::new(name, shape, data)?))
    }

    fn step_fields(r: StepResult) -> Vec<Field> {
        vec![
            Field::i64_scalar("step", r.step as i64),
            Field::i64_scalar("bitstream_seed", i64::from(r.bitstream_seed)),
            Field::f64s("activations", r.activations),
            Field::f64s("state_vector", r.state_vector.to_vec()),
            Field::f64s("meridian_activity", r.meridian_activity),
            Field::f64_scalar("e8_alignment", r.metrics.e8_alignment),
            Field::f64_scalar("golden_regularity", r.metrics.golden_regularity),
            Field::f64_scalar("fibonacci_correlation", r.metrics.fibonacci_correlation),
            Field::f64_scalar("health_score", r.metrics.health_score),
            Field::from_u8("bitstreams", r.bitstreams),
        ]
    }

    fn layer_tail(layer: &L7SymbolicLayer) -> Vec<Field> {
        vec![
            Field::f64_scalar("global_metric", layer.global_metric()),
            Field::f64s("glyph_vector", layer.glyph_vector_normalized().to_vec()),
        ]
    }

    /// Row `t` of a `(T, ...)` array as an array of shape `(...)`.
    fn row(a: &NdArray<f64>, t: usize) -> crate::Result<NdArray<f64>> {
        let inner: Vec<usize> = a.shape()[1..].to_vec();
        let size: usize = inner.iter().product();
        NdArray::new("row", inner, a.data()[t * size..(t + 1) * size].to_vec())
    }

    /// Per step, `name`'s row or `None` (absent, or masked off by `mask`).
    fn rows(
        x: &[Field],
        name: &str,
        mask: &str,
        steps: usize,
    ) -> crate::Result<Vec<Option<NdArray<f64>>>> {
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
        (0..steps)
            .map(|t| {
                if given[t] != 0 {
                    row(&values, t).map(Some)
                } else {
                    Ok(None)
                }
            })
            .collect()
    }

    /// `L7_SymbolicLayer.steps`: a trajectory with stacked outputs.
    fn steps(x: &[Field]) -> crate::Result<Vec<Field>> {
        let mut layer = L7SymbolicLayer::new(&params(x)?)?;
        let dts = fields::f64_array(x, "dt")?;
        if dts.ndim() != 1 {
            return Err(MirrorError::value("dt", "dt must be 1-D (one per step)"));
        }
        let n_steps = dts.len();
        let l6 = rows(x, "l6_input", "l6_given", n_steps)?;
        let drive = rows(x, "symbol_input", "symbol_given", n_steps)?;
        let mut stim = Vec::new();
        if has(x, "stimulate_before") {
            let before = fields::i64_array(x, "stimulate_before")?;
            let which = fields::i64_array(x, "i")?;
            let amount = fields::f64_array(x, "intensity")?;
            if before.ndim() != 1
                || which.shape() != before.shape()
                || amount.shape() != before.shape()
            {
                return Err(MirrorError::value(
                    "stimulate_before",
                    "stimulations must be 1-D of one length",
                ));
            }
            for k in 0..before.len() {
                stim.push((before.data()[k], which.data()[k], amount.data()[k]));
            }
        }
        let mut results = Vec::new();
        for t in 0..n_steps {
            for &(when, i, intensity) in &stim {
                if when == t as i64 {
                    layer.stimulate_meridian(i, intensity)?;
                }
            }
            results.push(layer.step(dts.data()[t], l6[t].as_ref(), drive[t].as_ref())?);
        }
        let mut out = Vec::new();
        if let Some(first) = results.first() {
            let (n, m) = (first.activations.len(), first.meridian_activity.len());
            let bits_shape = first.bitstreams.shape().to_vec();
            let t = results.len();
            let col = |f: &dyn Fn(&StepResult) -> f64| results.iter().map(f).collect::<Vec<f64>>();
            out.push(Field::i64s(
                "step",
                results.iter().map(|r| r.step as i64).collect(),
            ));
            out.push(Field::i64s(
                "bitstream_seed",
                results
                    .iter()
                    .map(|r| i64::from(r.bitstream_seed))
                    .collect(),
            ));
            let flat = |f: &dyn Fn(&StepResult) -> Vec<f64>| {
                results.iter().flat_map(f).collect::<Vec<f64>>()
            };
            out.push(f64s(
                "activations",
                vec![t, n],
                flat(&|r| r.activations.clone()),
            )?);
            out.push(f64s(
                "state_vector",
                vec![t, E8_DIM],
                flat(&|r| r.state_vector.to_vec()),
            )?);
            out.push(f64s(
                "meridian_activity",
                vec![t, m],
                flat(&|r| r.meridian_activity.clone()),
            )?);
            out.push(Field::f64s(
                "e8_alignment",
                col(&|r| r.metrics.e8_alignment),
            ));
            out.push(Field::f64s(
                "golden_regularity",
                col(&|r| r.metrics.golden_regularity),
            ));
            out.push(Field::f64s(
                "fibonacci_correlation",
                col(&|r| r.metrics.fibonacci_correlation),
            ));
            out.push(Field::f64s(
                "health_score",
                col(&|r| r.metrics.health_score),
            ));
            let mut shape = vec![t];
            shape.extend(bits_shape);
            let bits: Vec<u8> = results
                .iter()
                .flat_map(|r| r.bitstreams.data().to_vec())
                .collect();
            out.push(Field::from_u8(
                "bitstreams",
                NdArray::new("bitstreams", shape, bits)?,
            ));
        }
        out.extend(layer_tail(&layer));
        Ok(out)
    }

    fn run(x: &[Field]) -> crate::Result<Vec<Field>> {
        Ok(match op(x)?.as_str() {
            "e8_roots" => {
                let flat: Vec<f64> = e8_roots().iter().flatten().copied().collect();
                vec![f64s("roots", vec![N_E8_ROOTS, E8_DIM], flat)?]
            }
            "e8_root_alignments" => {
                vec![Field::f64s(
                    "alignments",
                    e8_root_alignments(&fields::f64_array(x, "e")?)?,
                )]
            }
            "e8_alignment" => {
                vec![Field::f64_scalar(
                    "alignment",
                    e8_alignment(&fields::f64_array(x, "e")?)?,
                )]
            }
            "golden_ratio_regularity" => vec![Field::f64_scalar(
                "regularity",
                golden_ratio_regularity(&fields::f64_array(x, "activations")?)?,
            )],
            "fibonacci_correlation" => vec![Field::f64_scalar(
                "correlation",
                fibonacci_correlation(&fields::f64_array(x, "activations")?)?,
            )],
            "fibonacci_lags" => {
                let lags = fibonacci_lags(fields::i64_scalar(x, "n")?)?;
                vec![Field::i64s(
                    "lags",
                    lags.into_iter().map(|l| l as i64).collect(),
                )]
            }
            "health_score" => vec![Field::f64_scalar(
                "health_score",
                health_score(
                    fields::f64_scalar(x, "alignment")?,
                    fields::f64_scalar(x, "regularity")?,
                    fields::f64_scalar(x, "correlation")?,
                    &weights(x)?,
                )?,
            )],
            "state_vector" => {
                let a = fields::f64_array(x, "activations")?;
                let e = state_vector(&a, optional(x, "l6_input")?.as_ref())?;
                vec![Field::f64s("state_vector", e.to_vec())]
            }
            "update_activations" => {
                let a = update_activations(
                    &fields::f64_array(x, "activations")?,
                    fields::f64_scalar(x, "dt")?,
                    fields::f64_scalar(x, "symbol_decay")?,
                    fields::f64_scalar(x, "symbol_coupling")?,
                    optional(x, "symbol_input")?.as_ref(),
                )?;
                vec![Field::f64s("activations", a)]
            }
            "bitstream_seed" => {
                let s = bitstream_seed(
                    fields::i64_scalar(x, "rng_seed")?,
                    fields::i64_scalar(x, "step")?,
                    fields::i64_scalar(x, "n_symbols")?,
                )?;
                vec![Field::i64_scalar("bitstream_seed", i64::from(s))]
            }
            "arc_bounds" => {
                let b = arc_bounds(fields::i64_scalar(x, "n")?, fields::i64_scalar(x, "parts")?)?;
                vec![
                    Field::i64s("starts", b.iter().map(|&(lo, _)| lo as i64).collect()),
                    Field::i64s("stops", b.iter().map(|&(_, hi)| hi as i64).collect()),
                ]
            }
            "L7_SymbolicLayer" => {
                let layer = L7SymbolicLayer::new(&params(x)?)?;
                let m = layer.metrics();
                let mut out = vec![
                    Field::f64s("activations", layer.activations().to_vec()),
                    Field::f64s("state_vector", layer.state_vector().to_vec()),
                    Field::f64s("meridian_activity", layer.meridian_activity()),
                    Field::f64_scalar("e8_alignment", m.e8_alignment),
                    Field::f64_scalar("golden_regularity", m.golden_regularity),
                    Field::f64_scalar("fibonacci_correlation", m.fibonacci_correlation),
                    Field::f64_scalar("health_score", m.health_score),
                ];
                out.extend(layer_tail(&layer));
                out
            }
            "L7_SymbolicLayer.step" => {
                let mut layer = L7SymbolicLayer::new(&params(x)?)?;
                let l6 = optional(x, "l6_input")?;
                let drive = optional(x, "symbol_input")?;
                let r = layer.step(fields::f64_scalar(x, "dt")?, l6.as_ref(), drive.as_ref())?;
                let mut out = step_fields(r);
                out.extend(layer_tail(&layer));
                out
            }
            "L7_SymbolicLayer.steps" => steps(x)?,
            "L7_SymbolicLayer.stimulate_meridian" => {
                let mut layer = L7SymbolicLayer::new(&params(x)?)?;
                layer.stimulate_meridian(
                    fields::i64_scalar(x, "i")?,
                    fields::f64_scalar(x, "intensity")?,
                )?;
                vec![
                    Field::f64s("activations", layer.activations().to_vec()),
                    Field::f64s("meridian_activity", layer.meridian_activity()),
                ]
            }
            other => return Err(MirrorError::value("op", format!("unknown op {other:?}"))),
        })
    }

    /// Every case of parity/golden/l7_symbolic.txt (see parity/safety_cases/l7_symbolic.py).
    #[test]
    fn golden_l7_symbolic() {
        let counts = check_golden("l7_symbolic", |case| run(&case.inputs));
        assert!(counts.valid > 0 && counts.invalid > 0);
    }

    #[test]
    fn roots_are_the_240_of_e8() {
        let roots = e8_roots();
        assert_eq!(roots.len(), N_E8_ROOTS);
        for (k, r) in roots.iter().enumerate() {
            assert_eq!(seqsum(r.iter().map(|v| v * v)), 2.0, "root {k}");
            let neg = r.map(|v| -v);
            assert!(roots.contains(&neg), "root {k} has no negation");
            // Integer or half-integer coordinates with an even coordinate sum.
            let twice: Vec<i64> = r.iter().map(|v| (2.0 * v) as i64).collect();
            assert!(twice.iter().all(|t| t % 2 == 0) || twice.iter().all(|t| t % 2 != 0));
            assert_eq!(twice.iter().sum::<i64>() % 4, 0, "root {k}");
        }
        for (a, ra) in roots.iter().enumerate() {
            for rb in &roots[a + 1..] {
                assert_ne!(ra, rb);
            }
        }
        let half = NdArray::from_vec(vec![0.5; 8]);
        assert_eq!(e8_alignment(&half).unwrap(), 1.0);
        for r in &roots {
            assert_eq!(e8_alignment(&NdArray::from_vec(r.to_vec())).unwrap(), 1.0);
        }
        assert_eq!(e8_alignment(&NdArray::from_vec(vec![0.0; 8])).unwrap(), 0.0);
    }

    #[test]
    fn invalid_inputs_are_errors_not_panics() {
        let bad_e = NdArray::from_vec(vec![f64::NAN; 8]);
        assert_eq!(e8_alignment(&bad_e).unwrap_err().arg, "e");
        let empty = NdArray::from_vec(Vec::<f64>::new());
        assert_eq!(
            golden_ratio_regularity(&empty).unwrap_err().arg,
            "activations"
        );
        let mut layer = L7SymbolicLayer::new(&L7Params::default()).unwrap();
        assert_eq!(layer.step(0.0, None, None).unwrap_err().arg, "dt");
        assert_eq!(layer.step(f64::NAN, None, None).unwrap_err().arg, "dt");
        let wrong = NdArray::from_vec(vec![0.0; 7]);
        assert_eq!(
            layer.step(0.1, Some(&wrong), None).unwrap_err().arg,
            "l6_input"
        );
        assert_eq!(
            layer.step(0.1, None, Some(&wrong)).unwrap_err().arg,
            "symbol_input"
        );
        assert_eq!(layer.step_count(), 0, "a refused step changes nothing");
        assert_eq!(layer.stimulate_meridian(12, 0.5).unwrap_err().arg, "i");
        assert_eq!(
            layer.stimulate_meridian(i64::MIN, 0.5).unwrap_err().arg,
            "i"
        );
        assert_eq!(
            layer.stimulate_meridian(0, f64::INFINITY).unwrap_err().arg,
            "intensity"
        );
        let huge = L7Params {
            n_symbols: i64::MAX,
            ..L7Params::default()
        };
        assert!(L7SymbolicLayer::new(&huge).is_err());
        let p = L7Params {
            n_meridians: i64::MAX,
            ..L7Params::default()
        };
        assert_eq!(L7SymbolicLayer::new(&p).unwrap_err().arg, "n_meridians");
        assert_eq!(bitstream_seed(i64::MAX, 0, 1).unwrap_err().arg, "rng_seed");
        assert_eq!(
            bitstream_seed(5, i64::MAX, i64::MAX).unwrap(),
            ((5u128 + (i64::MAX as u128).pow(2)) % (1 << 32)) as u32
        );
        assert_eq!(arc_bounds(i64::MAX, 3).unwrap().len(), 3);
        assert_eq!(fibonacci_lags(i64::MAX).unwrap().len(), 91);
    }

    #[test]
    fn activations_stay_in_the_unit_interval_and_streams_follow_them() {
        let p = L7Params {
            n_symbols: 16,
            bitstream_length: 65535,
            symbol_coupling: 0.9,
            ..L7Params::default()
        };
        let mut layer = L7SymbolicLayer::new(&p).unwrap();
        let drive = NdArray::from_vec(
            (0..16)
                .map(|i| if i % 3 == 0 { 0.8 } else { -0.3 })
                .collect(),
        );
        for t in 0..5 {
            let r = layer
                .step(1.0, None, if t % 2 == 0 { Some(&drive) } else { None })
                .unwrap();
            assert!(r.activations.iter().all(|v| (0.0..=1.0).contains(v)));
            for (i, a) in r.activations.iter().enumerate() {
                let ones: u64 = r.bitstreams.data()[i * 65535..(i + 1) * 65535]
                    .iter()
                    .map(|&b| u64::from(b))
                    .sum();
                // A whole LFSR period: exactly the states below the threshold.
                assert!((ones as f64 / 65535.0 - a).abs() <= 2.0 / 65535.0);
            }
        }
    }
}
