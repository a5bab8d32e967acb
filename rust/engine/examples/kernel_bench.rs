//! Quick timing of the engine kernels without Python:
//! `cargo run --release --example kernel_bench [forward|prepared]` (best of N
//! runs; `forward` times the whole `sc_forward` on the W1 / W3 shapes instead,
//! `prepared` the prepared counts on the W1, W2 and W3 shapes).

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
    if std::env::args().any(|a| a == "prepared") {
        prepared_bench();
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

/// Times the prepared counts on the W1 (128 x 784, 1024 bits), W2 (1024 x
/// 1024, 4096 bits) and W3 (W1, batch 32) shapes, per tier and thread count.
pub fn prepared_bench() {
    let mut s = 11u64;
    let mut rnd = move |n: u64| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s % n
    };
    for &(name, n_out, n_in, length, batch) in &[
        ("W1", 128usize, 784usize, 1024usize, 1usize),
        ("W2", 1024, 1024, 4096, 1),
        ("W3", 128, 784, 1024, 32),
    ] {
        let k: Vec<u32> = (0..n_out * n_in)
            .map(|_| rnd(length as u64 + 1) as u32)
            .collect();
        let states: Vec<u16> = (0..n_in * length).map(|_| rnd(65536) as u16).collect();
        let x: Vec<i64> = (0..batch * n_in).map(|_| rnd(65537) as i64).collect();
        for threads in [1i128, 2] {
            _engine::threads::set_num_threads(threads).unwrap();
            for t in [active_tier(), Tier::Avx2, Tier::Portable] {
                let ms = best_ms(if name == "W2" { 21 } else { 201 }, || {
                    let _ = _engine::prepared_counts_with(
                        t,
                        _engine::PreparedOperands {
                            k: &k,
                            k_shape: &[n_out, n_in],
                            states: &states,
                            s_shape: &[n_in, length],
                            thresholds: &x,
                            t_shape: &[batch, n_in],
                        },
                    )
                    .unwrap();
                });
                println!("prepared {name} threads={threads} {t:?}: {ms:.4} ms");
            }
        }
    }
}
