//! The built-in folding model (as `_dna.folding`): pair energy
//! `(pair + (1.2 + 0.15·max(0, j−i−4))) + stack`, MFE by
//! `W(i,j) = min(W(i+1,j), min_k e(i,k) + W(i+1,k−1) + W(k+1,j))` (ties keep
//! the earlier option) and exact pair probabilities by the inside–outside
//! algorithm on the same decomposition.

use super::constants::GAS_CONSTANT;

/// Free energy of an A·T pair (kcal/mol).
pub const PAIR_AT_DG: f64 = -1.0;
/// Free energy of a G·C pair (kcal/mol).
pub const PAIR_GC_DG: f64 = -2.0;
/// Fewest unpaired bases a pair encloses.
pub const MIN_LOOP: usize = 3;
/// Loop term of a pair enclosing `MIN_LOOP` bases (kcal/mol).
pub const LOOP_INIT_DG: f64 = 1.2;
/// Loop term per further enclosed base (kcal/mol).
pub const LOOP_SLOPE_DG: f64 = 0.15;
/// Bonus when the next pair inward could also form (kcal/mol).
pub const STACK_BONUS_DG: f64 = -0.35;

fn pair_dg(a: u8, b: u8) -> Option<f64> {
    match (a, b) {
        (b'A', b'T') | (b'T', b'A') => Some(PAIR_AT_DG),
        (b'G', b'C') | (b'C', b'G') => Some(PAIR_GC_DG),
        _ => None,
    }
}

/// `e(i, j)`, or `None` when `(i, j)` cannot pair.
pub fn pair_energy(s: &[u8], i: usize, j: usize) -> Option<f64> {
    if j <= i + MIN_LOOP {
        return None;
    }
    let pair = pair_dg(s[i], s[j])?;
    let mut e = pair + (LOOP_INIT_DG + LOOP_SLOPE_DG * (j - i - 1).saturating_sub(MIN_LOOP) as f64);
    if i + 1 < j - 1 && pair_dg(s[i + 1], s[j - 1]).is_some() {
        e += STACK_BONUS_DG;
    }
    Some(e)
}

fn energies(s: &[u8]) -> Vec<Vec<(usize, f64)>> {
    (0..s.len())
        .map(|i| {
            (i + MIN_LOOP + 1..s.len())
                .filter_map(|k| pair_energy(s, i, k).map(|e| (k, e)))
                .collect()
        })
        .collect()
}

/// (MFE, dot-bracket) of checked text.
pub fn mfe(seq: &str) -> (f64, String) {
    let s = seq.as_bytes();
    let n = s.len();
    let pairs_of = energies(s);
    let mut w = vec![vec![0.0f64; n + 1]; n + 1];
    let mut choice = vec![vec![usize::MAX; n + 1]; n + 1];
    for i in (0..n).rev() {
        for j in i..n {
            let mut best = w[i + 1][j + 1];
            let mut pick = usize::MAX;
            for &(k, e) in pairs_of[i].iter().take_while(|(k, _)| *k <= j) {
                let candidate = e + w[i + 1][k] + w[k + 1][j + 1];
                if candidate < best {
                    best = candidate;
                    pick = k;
                }
            }
            w[i][j + 1] = best;
            choice[i][j + 1] = pick;
        }
    }
    let mut structure = vec![b'.'; n];
    let mut stack = vec![(0usize, n)]; // (i, j + 1)
    while let Some((i, j1)) = stack.pop() {
        if i >= j1 {
            continue;
        }
        let k = choice[i][j1];
        if k == usize::MAX {
            stack.push((i + 1, j1));
        } else {
            structure[i] = b'(';
            structure[k] = b')';
            stack.push((k + 1, j1));
            stack.push((i + 1, k));
        }
    }
    (
        if n > 0 { w[0][n] } else { 0.0 },
        String::from_utf8(structure).unwrap_or_default(),
    )
}

/// Row-major `n x n` equilibrium pair probabilities of checked text.
pub fn pair_probabilities(seq: &str, temperature_c: f64) -> Vec<f64> {
    let s = seq.as_bytes();
    let n = s.len();
    let rt = (GAS_CONSTANT / 1000.0) * (temperature_c + 273.15);
    let weights: Vec<Vec<(usize, f64)>> = energies(s)
        .into_iter()
        .map(|row| row.into_iter().map(|(k, e)| (k, (-e / rt).exp())).collect())
        .collect();
    let mut q = vec![vec![1.0f64; n + 1]; n + 1];
    for i in (0..n).rev() {
        for j in i..n {
            let mut total = q[i + 1][j + 1];
            for &(k, wk) in weights[i].iter().take_while(|(k, _)| *k <= j) {
                total += wk * q[i + 1][k] * q[k + 1][j + 1];
            }
            q[i][j + 1] = total;
        }
    }
    let mut out = vec![0.0f64; n * n];
    if n == 0 {
        return out;
    }
    let mut outside = vec![vec![0.0f64; n + 1]; n + 1];
    outside[0][n] = 1.0;
    let z = q[0][n];
    for span in (1..=n).rev() {
        for i in 0..=n - span {
            let j = i + span - 1;
            let o = outside[i][j + 1];
            if o == 0.0 {
                continue;
            }
            if i < j {
                outside[i + 1][j + 1] += o;
            }
            for &(k, wk) in weights[i].iter().take_while(|(k, _)| *k <= j) {
                let inner = q[i + 1][k];
                let right = q[k + 1][j + 1];
                out[i * n + k] += o * wk * inner * right;
                if i + 1 < k {
                    outside[i + 1][k] += o * wk * right;
                }
                if k < j {
                    outside[k + 1][j + 1] += o * wk * inner;
                }
            }
        }
    }
    for v in out.iter_mut() {
        *v /= z;
    }
    let mut sym = vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..n {
            sym[i * n + j] = out[i * n + j] + out[j * n + i];
        }
    }
    sym
}
