//! Quick timing of the engine kernels without Python:
//! `cargo run --release --example kernel_bench [forward]` (best of N runs;
//! `forward` times the whole `sc_forward` on the W1 / W3 shapes instead).

use std::time::Instant;

use _engine::popcount::and_popcount_gemm_dense;
use _engine::simd::{Tier, active_tier};

fn best_ms(reps: usize, mut f: impl FnMut()) -> f64 {
    let mut ts: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ts.sort_by(|a, b| a.partial_cmp(b).unwrap());
    ts[0]
}

fn main() {
    if std::env::args().any(|a| a == "forward") {
        forward_bench();
        return;
    }
    let tier = active_tier();
    let mut s = 1u64;
    let mut rnd = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    for &(rows, nb, k) in &[
        (4usize, 4usize, 512usize),
        (128, 32, 12544),
        (128, 1, 12544),
    ] {
        let w: Vec<u64> = (0..rows * k).map(|_| rnd()).collect();
        let x: Vec<u64> = (0..nb * k).map(|_| rnd()).collect();
        let mut c = vec![0u64; rows * nb];
        let reps = if rows * nb * k < 1 << 20 { 2001 } else { 21 };
        for t in [tier, Tier::Avx2, Tier::Portable] {
            let ms = best_ms(reps, || and_popcount_gemm_dense(t, &w, &x, k, nb, &mut c));
            let pairs = (rows * nb * k) as f64;
            println!(
                "{t:?} rows={rows} nb={nb} k={k}: {ms:.4} ms, {:.3} ns per 8 word-pairs",
                ms * 1e6 / (pairs / 8.0)
            );
        }
    }
    let probs: Vec<f64> = (0..32 * 784).map(|i| (i % 1000) as f64 / 1000.0).collect();
    for t in [tier, Tier::Avx2, Tier::Portable] {
        _engine::simd::force_tier(Some(t.name())).unwrap();
        let ms = best_ms(21, || {
            let _ = _engine::encode_packed(&probs, 784, true, 1024, 44257).unwrap();
        });
        println!("{t:?} encode 32x784x1024: {ms:.4} ms");
    }
}

/// Times the full `sc_forward` (encode + GEMM) on W1 / W3 shapes.
#[allow(dead_code)]
pub fn forward_bench() {
    let (n_out, n_in, length) = (128usize, 784usize, 1024usize);
    let nw = length.div_ceil(64);
    let mut s = 7u64;
    let w: Vec<u64> = (0..n_out * n_in * nw)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        })
        .collect();
    let p: Vec<f64> = (0..32 * n_in)
        .map(|i| (i * 37 % 1000) as f64 / 1000.0)
        .collect();
    for threads in [1i128, 2] {
        _engine::threads::set_num_threads(threads).unwrap();
        for batch in [1usize, 32] {
            let shape = if batch == 1 {
                vec![n_in]
            } else {
                vec![batch, n_in]
            };
            let ms = best_ms(if batch == 1 { 501 } else { 41 }, || {
                let _ = _engine::sc_forward(
                    &w,
                    &[n_out, n_in, nw],
                    &p[..batch * n_in],
                    &shape,
                    length,
                    44257,
                )
                .unwrap();
            });
            println!("sc_forward threads={threads} batch={batch}: {ms:.4} ms");
        }
    }
}
