// u64.wgsl — 64-bit unsigned integers carried as two u32 halves.
//
// WGSL has no 64-bit integer type. Every uint64 value in this mirror travels
// as a vec2<u32> (lo, hi): `.x` holds bits 0..31 and `.y` holds bits 32..63.
// A little-endian uint64 buffer read as `array<vec2<u32>>` has exactly this
// layout, so the host uploads NumPy uint64 arrays byte for byte and reads
// results back the same way.
//
// This file holds only helper functions; the harness prepends it to the
// kernel files that need it (WGSL has no #include).
//
// Shift helpers never shift a u32 by 32 or more: WGSL leaves the meaning of
// such shifts to the shift-amount masking rules, so the cases are split here.

fn u64_add(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    let lo = a.x + b.x;
    let carry = select(0u, 1u, lo < a.x);
    return vec2<u32>(lo, a.y + b.y + carry);
}

fn u64_sub(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    let borrow = select(0u, 1u, a.x < b.x);
    return vec2<u32>(a.x - b.x, a.y - b.y - borrow);
}

fn u64_lt(a: vec2<u32>, b: vec2<u32>) -> bool {
    return a.y < b.y || (a.y == b.y && a.x < b.x);
}

fn u64_ge(a: vec2<u32>, b: vec2<u32>) -> bool {
    return !u64_lt(a, b);
}

fn u64_is_zero(a: vec2<u32>) -> bool {
    return (a.x | a.y) == 0u;
}

// a << n for n in [0, 63].
fn u64_shl(a: vec2<u32>, n: u32) -> vec2<u32> {
    if (n == 0u) {
        return a;
    }
    if (n >= 32u) {
        return vec2<u32>(0u, a.x << (n - 32u));
    }
    return vec2<u32>(a.x << n, (a.y << n) | (a.x >> (32u - n)));
}

// a >> n (logical) for n in [0, 63].
fn u64_shr(a: vec2<u32>, n: u32) -> vec2<u32> {
    if (n == 0u) {
        return a;
    }
    if (n >= 32u) {
        return vec2<u32>(a.y >> (n - 32u), 0u);
    }
    return vec2<u32>((a.x >> n) | (a.y << (32u - n)), a.y >> n);
}

// a >> n for any n, OR-ing every bit shifted out into bit 0 ("jamming"), so
// that rounding still sees whether anything non-zero was lost (sticky bit).
fn u64_shr_jam(a: vec2<u32>, n: u32) -> vec2<u32> {
    if (n == 0u) {
        return a;
    }
    if (n >= 64u) {
        return vec2<u32>(select(0u, 1u, !u64_is_zero(a)), 0u);
    }
    let r = u64_shr(a, n);
    let back = u64_shl(r, n);
    let lost = select(0u, 1u, back.x != a.x || back.y != a.y);
    return vec2<u32>(r.x | lost, r.y);
}

// Number of leading zero bits of the 64-bit value (64 for zero).
fn u64_clz(a: vec2<u32>) -> u32 {
    if (a.y != 0u) {
        return countLeadingZeros(a.y);
    }
    return 32u + countLeadingZeros(a.x);
}

fn u64_popcount(a: vec2<u32>) -> u32 {
    return countOneBits(a.x) + countOneBits(a.y);
}

// Full 32 x 32 -> 64-bit product, built from 16-bit halves so that no partial
// product overflows a u32.
fn u32_mul_wide(a: u32, b: u32) -> vec2<u32> {
    let a0 = a & 0xFFFFu;
    let a1 = a >> 16u;
    let b0 = b & 0xFFFFu;
    let b1 = b >> 16u;
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    // Middle column: at most 3 * 0xFFFF, no overflow.
    let mid = (p00 >> 16u) + (p01 & 0xFFFFu) + (p10 & 0xFFFFu);
    let lo = (p00 & 0xFFFFu) | (mid << 16u);
    let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
    return vec2<u32>(lo, hi);
}

// Full 64 x 64 -> 128-bit product as vec4<u32> (x = bits 0..31, ..., w = bits 96..127).
fn u64_mul_wide(a: vec2<u32>, b: vec2<u32>) -> vec4<u32> {
    let ll = u32_mul_wide(a.x, b.x);
    let lh = u32_mul_wide(a.x, b.y);
    let hl = u32_mul_wide(a.y, b.x);
    let hh = u32_mul_wide(a.y, b.y);
    // Column 1 (bits 32..95) = ll.hi + lh + hl, tracked with carries into hh.
    var mid = u64_add(vec2<u32>(ll.y, 0u), lh);          // < 2^64, no carry out
    let mid2 = u64_add(mid, hl);
    let carry = select(0u, 1u, u64_lt(mid2, mid));         // carry out of bit 95
    let top = u64_add(hh, vec2<u32>(mid2.y, carry));
    return vec4<u32>(ll.x, mid2.x, top.x, top.y);
}
