// lif.wgsl — one leaky integrate-and-fire step (docs/design.md#spike-order) in SOFTWARE DOUBLE.
//
//   v' = v + (v_rest - v) * alpha + I_t * resistance + noise
//   spike = v' >= v_threshold;  v' = v_reset where it spiked
//
// WGSL has no f64, so every float64 is carried as its IEEE-754 bit pattern
// in a vec2<u32>(lo, hi) and the arithmetic is the integer-only software
// double of softf64.wgsl (round to nearest, ties to even). The operations
// are evaluated in exactly NumPy's order, one rounding per operation and no
// fused multiply-add:
//   t1 = v_rest - v;  t2 = t1 * alpha;  t3 = v + t2;
//   t4 = I_t * resistance;  t5 = t3 + t4;  v' = t5 + noise
// so the result is bit-identical to the float64 reference (the contract
// only asks for 1e-12 relative). Inputs are finite (host validation).
// Spikes are written as one u32 per neuron (0/1); the host narrows to uint8.

struct Params {
    n: u32,
    p1: u32,
    v_rest: vec2<u32>,
    v_reset: vec2<u32>,
    v_threshold: vec2<u32>,
    alpha: vec2<u32>,
    resistance: vec2<u32>,
    p7: vec2<u32>,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> v_out: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read_write> spike_out: array<u32>;
@group(0) @binding(3) var<storage, read> v_in: array<vec2<u32>>;
@group(0) @binding(4) var<storage, read> i_in: array<vec2<u32>>;
@group(0) @binding(5) var<storage, read> noise_in: array<vec2<u32>>;

@compute @workgroup_size(64)
fn lif_step_main(@builtin(global_invocation_id) gid: vec3<u32>,
                 @builtin(num_workgroups) nwg: vec3<u32>) {
    let k = gid.x + gid.y * (nwg.x * 64u);
    if (k >= prm.n) {
        return;
    }
    let v = v_in[k];
    let t1 = f64_sub(prm.v_rest, v);
    let t2 = f64_mul(t1, prm.alpha);
    let t3 = f64_add(v, t2);
    let t4 = f64_mul(i_in[k], prm.resistance);
    let t5 = f64_add(t3, t4);
    let v_new = f64_add(t5, noise_in[k]);
    if (f64_ge(v_new, prm.v_threshold)) {
        v_out[k] = prm.v_reset;
        spike_out[k] = 1u;
    } else {
        v_out[k] = v_new;
        spike_out[k] = 0u;
    }
}
