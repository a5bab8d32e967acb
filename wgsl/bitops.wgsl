// bitops.wgsl — per-word kernels on packed bitstreams (docs/design.md#vector-operations):
// popcount (per word), and, xnor, not, mux.
//
// Every uint64 word is carried as two u32 halves, vec2<u32>(lo, hi) (WGSL has
// no 64-bit integers; see u64.wgsl, prepended by the harness). Bitwise
// operations act on both halves independently; the popcount of a word is
// countOneBits(lo) + countOneBits(hi), written back as a uint64 (hi = 0).
//
// One invocation per word. The dispatch is tiled over two dimensions (at
// most 65535 workgroups per dimension): flat index = gid.x + gid.y * (64 *
// num_workgroups.x); invocations past `n` do nothing.

struct Params {
    n: u32,       // number of words in this dispatch
    p1: u32, p2: u32, p3: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> out_words: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read> a_words: array<vec2<u32>>;
@group(0) @binding(3) var<storage, read> b_words: array<vec2<u32>>;
@group(0) @binding(4) var<storage, read> sel_words: array<vec2<u32>>;

fn flat_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return gid.x + gid.y * (nwg.x * 64u);
}

@compute @workgroup_size(64)
fn popcount_main(@builtin(global_invocation_id) gid: vec3<u32>,
                 @builtin(num_workgroups) nwg: vec3<u32>) {
    let k = flat_index(gid, nwg);
    if (k >= prm.n) {
        return;
    }
    out_words[k] = vec2<u32>(u64_popcount(a_words[k]), 0u);
}

@compute @workgroup_size(64)
fn and_main(@builtin(global_invocation_id) gid: vec3<u32>,
            @builtin(num_workgroups) nwg: vec3<u32>) {
    let k = flat_index(gid, nwg);
    if (k >= prm.n) {
        return;
    }
    out_words[k] = a_words[k] & b_words[k];
}

@compute @workgroup_size(64)
fn xnor_main(@builtin(global_invocation_id) gid: vec3<u32>,
             @builtin(num_workgroups) nwg: vec3<u32>) {
    let k = flat_index(gid, nwg);
    if (k >= prm.n) {
        return;
    }
    out_words[k] = ~(a_words[k] ^ b_words[k]);
}

@compute @workgroup_size(64)
fn not_main(@builtin(global_invocation_id) gid: vec3<u32>,
            @builtin(num_workgroups) nwg: vec3<u32>) {
    let k = flat_index(gid, nwg);
    if (k >= prm.n) {
        return;
    }
    out_words[k] = ~a_words[k];
}

// (sel & a) | (~sel & b): SC scaled addition.
@compute @workgroup_size(64)
fn mux_main(@builtin(global_invocation_id) gid: vec3<u32>,
            @builtin(num_workgroups) nwg: vec3<u32>) {
    let k = flat_index(gid, nwg);
    if (k >= prm.n) {
        return;
    }
    let s = sel_words[k];
    out_words[k] = (s & a_words[k]) | (~s & b_words[k]);
}
