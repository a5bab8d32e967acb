// pack.wgsl — bit packing and unpacking (docs/design.md#packing).
//
// Layout: bit t of a stream goes to word t / 64 at bit position t % 64,
// least-significant first; bits past the stream length in the last word are
// 0. Each uint64 word is carried as two u32 halves, vec2<u32>(lo, hi) (WGSL
// has no 64-bit integers; see u64.wgsl): bit positions 0..31 live in lo and
// 32..63 in hi.
//
// Unpacked bits are bytes (uint8 0/1). WGSL storage buffers have no u8
// element type, so byte arrays are viewed as array<u32>, four bytes per u32,
// little-endian (byte j of the stream is bits 8*(j%4) .. 8*(j%4)+7 of u32 j/4).
//
// harness.py generates the entry points `pack_main` and `unpack_main` that run
// `pack_item(k)` and `unpack_item(k)` for every k < `n_items` (PER_ITEM there).

struct Params {
    rows: u32,      // B (1 for 1-D input)
    n_bits: u32,    // bits per row
    n_words: u32,   // words per row (pack: ceil(n_bits/64); unpack: W of the input)
    n_items: u32,   // invocations with work: pack = rows*n_words, unpack = ceil(rows*n_bits/4)
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> pack_out: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read> pack_in_bytes: array<u32>;
@group(0) @binding(3) var<storage, read_write> unpack_out_bytes: array<u32>;
@group(0) @binding(4) var<storage, read> unpack_in: array<vec2<u32>>;

fn read_byte(j: u32) -> u32 {
    return (pack_in_bytes[j >> 2u] >> ((j & 3u) * 8u)) & 0xFFu;
}

// One invocation per output word (row b, word w).
fn pack_item(k: u32) {
    let b = k / prm.n_words;
    let w = k % prm.n_words;
    let t0 = w * 64u;
    let row_base = b * prm.n_bits;
    var lo = 0u;
    var hi = 0u;
    for (var j = 0u; j < 64u; j = j + 1u) {
        let t = t0 + j;
        if (t >= prm.n_bits) {
            break;
        }
        let bit = select(0u, 1u, read_byte(row_base + t) != 0u);
        if (j < 32u) {
            lo = lo | (bit << j);
        } else {
            hi = hi | (bit << (j - 32u));
        }
    }
    pack_out[k] = vec2<u32>(lo, hi);
}

// One invocation per four output bytes (one u32 of the output byte stream).
fn unpack_item(k: u32) {
    let total = prm.rows * prm.n_bits;
    var packed_bytes = 0u;
    for (var j = 0u; j < 4u; j = j + 1u) {
        let f = k * 4u + j;
        if (f >= total) {
            break;
        }
        let b = f / prm.n_bits;
        let t = f % prm.n_bits;
        let word = unpack_in[b * prm.n_words + t / 64u];
        let pos = t % 64u;
        var bit: u32;
        if (pos < 32u) {
            bit = (word.x >> pos) & 1u;
        } else {
            bit = (word.y >> (pos - 32u)) & 1u;
        }
        packed_bytes = packed_bytes | (bit << (j * 8u));
    }
    unpack_out_bytes[k] = packed_bytes;
}
