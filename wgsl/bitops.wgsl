// bitops.wgsl — per-word kernels on packed bitstreams (docs/design.md#vector-operations):
// popcount (per word), and, xnor, not, mux.
//
// Every uint64 word is carried as two u32 halves, vec2<u32>(lo, hi) (WGSL has
// no 64-bit integers; see u64.wgsl, prepended by the harness). Bitwise
// operations act on both halves independently; the popcount of a word is
// countOneBits(lo) + countOneBits(hi), written back as a uint64 (hi = 0).
//
// One invocation per word: `<op>_item(k)` handles word k; harness.py generates
// the entry point `<op>_main` that runs it for every k < `n` (PER_ITEM there).

struct Params {
    n: u32,       // number of words in this dispatch
    p1: u32, p2: u32, p3: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> out_words: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read> a_words: array<vec2<u32>>;
@group(0) @binding(3) var<storage, read> b_words: array<vec2<u32>>;
@group(0) @binding(4) var<storage, read> sel_words: array<vec2<u32>>;

fn popcount_item(k: u32) {
    out_words[k] = vec2<u32>(u64_popcount(a_words[k]), 0u);
}

fn and_item(k: u32) {
    out_words[k] = a_words[k] & b_words[k];
}

fn xnor_item(k: u32) {
    out_words[k] = ~(a_words[k] ^ b_words[k]);
}

fn not_item(k: u32) {
    out_words[k] = ~a_words[k];
}

// (sel & a) | (~sel & b): SC scaled addition.
fn mux_item(k: u32) {
    let s = sel_words[k];
    out_words[k] = (s & a_words[k]) | (~s & b_words[k]);
}
