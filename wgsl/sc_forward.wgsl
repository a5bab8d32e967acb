// sc_forward.wgsl — AND-popcount accumulation and the final count / length
// division of the SC forward pass (docs/design.md#forward-pass). The input streams are made
// on the device by encode_main (encode.wgsl) in the same command buffer.
//
// * uint64 words (weights, encoded inputs, the 64-bit count) are carried as
//   two u32 halves, vec2<u32>(lo, hi): WGSL has no 64-bit integers (see
//   u64.wgsl). popcount(w & x) = countOneBits(w.lo & x.lo) + countOneBits(w.hi & x.hi).
// * The result out[b, o] = count / length must be the float64 NumPy returns,
//   and WGSL has no f64: the division is done HERE, in the shader, with the
//   software double routine u64_div_to_f64 (softf64.wgsl): binary long
//   division on u32 limbs, rounded once to nearest-even. The output buffer
//   holds float64 bit patterns as vec2<u32>(lo, hi). The host only reads
//   the bytes back as float64.
//
// One workgroup of 64 invocations per output (b, o): each invocation sums a
// strided slice of the n_in * W words, then a tree reduction in workgroup
// memory adds the 64 partial counts as 64-bit (u32-pair) integers, and
// invocation 0 divides and stores. Workgroups are tiled over two dispatch
// dimensions (at most 65535 per dimension); weight rows may be split over
// several dispatches (buffer binding size limit): `row_offset` says where
// this dispatch's rows go in the output.

struct Params {
    per_row: u32,     // n_in * W words per weight row (and per input row)
    rows: u32,        // weight rows bound in this dispatch
    batch: u32,       // input rows bound in this dispatch
    length_lo: u32,   // stream length as a uint64 (lo, hi)
    length_hi: u32,
    out_stride: u32,  // n_out: output row stride
    row_offset: u32,  // index of this dispatch's first weight row
    p7: u32,
}

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read_write> rates: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read> weights: array<vec2<u32>>;
@group(0) @binding(3) var<storage, read> inputs: array<vec2<u32>>;

var<workgroup> partial: array<vec2<u32>, 64>;

@compute @workgroup_size(64)
fn sc_forward_main(@builtin(workgroup_id) wid: vec3<u32>,
                   @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    let g = wid.x + wid.y * nwg.x;
    if (g >= prm.rows * prm.batch) {
        return;  // whole workgroup leaves together (g is uniform)
    }
    let o = g % prm.rows;
    let b = g / prm.rows;
    let w_base = o * prm.per_row;
    let x_base = b * prm.per_row;
    // Per-invocation count fits in u32: at most 64 * ceil(per_row / 64) words
    // of 64 bits each, and per_row is bounded by the binding size.
    var acc = 0u;
    for (var k = lid; k < prm.per_row; k = k + 64u) {
        let wv = weights[w_base + k];
        let xv = inputs[x_base + k];
        acc = acc + countOneBits(wv.x & xv.x) + countOneBits(wv.y & xv.y);
    }
    partial[lid] = vec2<u32>(acc, 0u);
    workgroupBarrier();
    for (var stride = 32u; stride > 0u; stride = stride >> 1u) {
        if (lid < stride) {
            partial[lid] = u64_add(partial[lid], partial[lid + stride]);
        }
        workgroupBarrier();
    }
    if (lid == 0u) {
        let count = partial[0];
        rates[b * prm.out_stride + prm.row_offset + o] =
            u64_div_to_f64(count, vec2<u32>(prm.length_lo, prm.length_hi));
    }
}
