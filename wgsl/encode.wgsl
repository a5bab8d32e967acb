// encode.wgsl — the 16-bit Fibonacci LFSR comparator encoder (docs/design.md#encoder).
//
// * uint64 words are carried as two u32 halves, vec2<u32>(lo, hi): WGSL has
//   no 64-bit integers (see u64.wgsl). Stream bit t goes to word t / 64,
//   position t % 64 (positions 0..31 in lo, 32..63 in hi).
// * Probabilities arrive as float64 bit patterns in vec2<u32>(lo, hi): WGSL
//   has no f64. The threshold x = clip(round_half_even(p * 65536), 0, 65536)
//   is computed exactly from the exponent and mantissa fields with integer
//   operations (quantize_prob below); no floating point is involved.
// * The register (taps 16, 14, 13, 11) runs through all 65535 non-zero
//   states in one cycle. `lfsr_table_main` (one invocation, run once per
//   device) walks that cycle from state 1 and stores seq[k] = state after k
//   steps and pos[state] = k. `encode_main` then produces any word of any
//   stream independently: input i starts at r_i = (seed + i) mod 65536
//   (0 -> 1), i.e. at cycle position pos[r_i]; the register state at bit t
//   is seq[(pos[r_i] + t) mod 65535]. A word looks up the state at its first
//   bit and steps the register for the other 63; bit t is (state < x_i).

struct Params {
    n_inputs: u32,       // n: inputs per row (the input index i = stream % n)
    n_words: u32,        // W = ceil(length / 64)
    length: u32,         // stream length in bits
    seed: u32,           // base seed, already checked to be in [0, 2^32)
    n_items: u32,        // words to produce in this dispatch = streams * W
    stream_offset: u32,  // index of this dispatch's first stream (tiling)
    p6: u32, p7: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> enc_out: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read> probs: array<vec2<u32>>;
@group(0) @binding(3) var<storage, read> lfsr_seq: array<u32>;
@group(0) @binding(4) var<storage, read> lfsr_pos: array<u32>;
@group(0) @binding(5) var<storage, read_write> table_seq: array<u32>;
@group(0) @binding(6) var<storage, read_write> table_pos: array<u32>;

const LFSR_PERIOD: u32 = 65535u;

fn lfsr_next(r: u32) -> u32 {
    let fb = ((r >> 15u) ^ (r >> 13u) ^ (r >> 12u) ^ (r >> 10u)) & 1u;
    return ((r << 1u) | fb) & 0xFFFFu;
}

@compute @workgroup_size(1)
fn lfsr_table_main() {
    var r = 1u;
    table_pos[0] = 0u;  // state 0 is never visited
    for (var k = 0u; k < LFSR_PERIOD; k = k + 1u) {
        table_seq[k] = r;
        table_pos[r] = k;
        r = lfsr_next(r);
    }
}

// x = clip(round_half_even(p * 65536), 0, 65536) from the float64 bit
// pattern of p (finite, in [0, 1]; validated by the host).
// For a normal p with biased exponent e and 53-bit significand M (implicit
// bit included), p * 65536 = M * 2^(e - 1059), i.e. M shifted right by
// s = 1059 - e >= 36. Only the high half of M (21 bits) survives such a
// shift; the low 32 bits of the mantissa only feed the "more than half" test.
fn quantize_prob(p: vec2<u32>) -> u32 {
    let e = (p.y >> 20u) & 0x7FFu;
    if ((p.y >> 31u) == 1u) {
        return 0u;            // -0.0 (negative values are rejected upstream)
    }
    if (e == 0u) {
        return 0u;            // zero or subnormal: p * 65536 < 2^-1000
    }
    if (e > 1023u) {
        return 65536u;        // p > 1: rejected upstream; clip for safety
    }
    if (e <= 1005u) {
        return 0u;            // p * 65536 < 0.5
    }
    let k = 1059u - e - 32u;  // shift applied to the high half, in [4, 21]
    let m_hi = (p.y & 0xFFFFFu) | 0x100000u;
    var q = m_hi >> k;
    let rem = m_hi & ((1u << k) - 1u);
    let half = 1u << (k - 1u);
    if (rem > half || (rem == half && (p.x != 0u || (q & 1u) == 1u))) {
        q = q + 1u;
    }
    return min(q, 65536u);
}

// One invocation per output word: stream s (= row * n + i) and word w.
@compute @workgroup_size(64)
fn encode_main(@builtin(global_invocation_id) gid: vec3<u32>,
               @builtin(num_workgroups) nwg: vec3<u32>) {
    let k = gid.x + gid.y * (nwg.x * 64u);
    if (k >= prm.n_items) {
        return;
    }
    let s = k / prm.n_words;          // stream within this dispatch
    let w = k % prm.n_words;
    let i = (prm.stream_offset + s) % prm.n_inputs;
    let x = quantize_prob(probs[s]);
    // Register seed (seed + i) mod 65536, with 0 replaced by 1.
    var r0 = ((prm.seed & 0xFFFFu) + (i & 0xFFFFu)) & 0xFFFFu;
    if (r0 == 0u) {
        r0 = 1u;
    }
    // Register state at bit t0 = 64 w of this stream: one table look-up at
    // cycle position pos[r0] + t0 (mod 65535), then step the register itself.
    let c = (lfsr_pos[r0] + ((w % LFSR_PERIOD) * 64u) % LFSR_PERIOD) % LFSR_PERIOD;
    var r = lfsr_seq[c];
    let t0 = w * 64u;
    var lo = 0u;
    var hi = 0u;
    for (var j = 0u; j < 64u; j = j + 1u) {
        if (t0 + j >= prm.length) {
            break;
        }
        let bit = select(0u, 1u, r < x);
        if (j < 32u) {
            lo = lo | (bit << j);
        } else {
            hi = hi | (bit << (j - 32u));
        }
        r = lfsr_next(r);
    }
    enc_out[k] = vec2<u32>(lo, hi);
}
