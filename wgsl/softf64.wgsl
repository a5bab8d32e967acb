// softf64.wgsl — a SOFTWARE DOUBLE: IEEE-754 binary64 arithmetic done with
// integer instructions on (lo, hi) u32 pairs.
//
// WGSL has no f64 type (the `shader-f64` extension is not part of portable
// WebGPU, and f32 cannot reproduce float64 results), so every float64 in this
// mirror travels as its raw bit pattern in a vec2<u32>: `.x` = bits 0..31
// (low half of the mantissa), `.y` = bits 32..63 (sign, 11-bit exponent, top
// 20 mantissa bits). The routines below decode the fields, do the arithmetic
// on integer significands with extra rounding bits, and round once to the
// nearest representable double, ties to even — the IEEE default rounding
// that NumPy's float64 uses — so each operation returns bit for bit what the
// hardware float64 operation returns. Subnormals are handled (gradual
// underflow), overflow gives ±inf. Inputs of the kernels are finite (host
// validation rejects NaN/inf); inf/NaN can still arise in intermediates
// (overflow), so they are propagated in the usual IEEE way, with a
// canonical quiet NaN for invalid operations.
//
// Needs u64.wgsl (prepended by the harness).
//
// Internal convention of the add/mul paths: a significand `sig` (vec2<u32>)
// and an exponent `e` stand for sig * 2^(e - 1085), i.e. the 53-bit
// significand sits in bits 10..62 and bits 0..9 are rounding bits (bit 9 is
// the half-ulp bit, bit 0 may be a sticky bit). For normal results bit 62 is
// set and `e` is the biased exponent field; subnormal results have e == 1
// and bit 62 clear.

const F64_QNAN: vec2<u32> = vec2<u32>(0u, 0x7FF80000u);

fn f64_sign(a: vec2<u32>) -> u32 {
    return a.y >> 31u;
}

fn f64_exp(a: vec2<u32>) -> u32 {
    return (a.y >> 20u) & 0x7FFu;
}

fn f64_frac(a: vec2<u32>) -> vec2<u32> {
    return vec2<u32>(a.x, a.y & 0xFFFFFu);
}

fn f64_is_nan(a: vec2<u32>) -> bool {
    return f64_exp(a) == 0x7FFu && !u64_is_zero(f64_frac(a));
}

// True for +0 and -0.
fn f64_is_zero(a: vec2<u32>) -> bool {
    return (a.x | (a.y & 0x7FFFFFFFu)) == 0u;
}

fn f64_pack(sign: u32, exp_field: u32, frac: vec2<u32>) -> vec2<u32> {
    return vec2<u32>(frac.x, (sign << 31u) | (exp_field << 20u) | (frac.y & 0xFFFFFu));
}

fn f64_quiet(a: vec2<u32>) -> vec2<u32> {
    return vec2<u32>(a.x, a.y | 0x00080000u);
}

fn f64_neg(a: vec2<u32>) -> vec2<u32> {
    return vec2<u32>(a.x, a.y ^ 0x80000000u);
}

// Round sig * 2^(e - 1085) to nearest even and encode it. Requires e >= 1,
// sig < 2^63, and bit 62 set unless e == 1 (subnormal range).
fn f64_round_pack(sign: u32, e_in: i32, sig: vec2<u32>) -> vec2<u32> {
    var e = e_in;
    let round_bits = sig.x & 0x3FFu;
    var m = u64_shr(sig, 10u);
    if (round_bits > 0x200u || (round_bits == 0x200u && (m.x & 1u) == 1u)) {
        m = u64_add(m, vec2<u32>(1u, 0u));
    }
    if (m.y >= 0x200000u) {
        // Rounding carried into bit 53: m == 2^53, renormalise (exact).
        m = u64_shr(m, 1u);
        e = e + 1;
    }
    if (e >= 2047) {
        return f64_pack(sign, 0x7FFu, vec2<u32>(0u, 0u));
    }
    if (m.y < 0x100000u) {
        // No implicit bit: subnormal or zero (only reachable with e == 1).
        return f64_pack(sign, 0u, m);
    }
    return f64_pack(sign, u32(e), m);
}

// a + b, correctly rounded (round to nearest, ties to even).
fn f64_add(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    let ea = f64_exp(a);
    let eb = f64_exp(b);
    if (ea == 0x7FFu || eb == 0x7FFu) {
        if (f64_is_nan(a)) {
            return f64_quiet(a);
        }
        if (f64_is_nan(b)) {
            return f64_quiet(b);
        }
        if (ea == 0x7FFu && eb == 0x7FFu) {
            if (f64_sign(a) != f64_sign(b)) {
                return F64_QNAN;  // inf - inf
            }
            return a;
        }
        if (ea == 0x7FFu) {
            return a;
        }
        return b;
    }
    if (f64_is_zero(a)) {
        if (f64_is_zero(b)) {
            // -0 + -0 = -0, every other pair of zeros gives +0.
            return f64_pack(f64_sign(a) & f64_sign(b), 0u, vec2<u32>(0u, 0u));
        }
        return b;
    }
    if (f64_is_zero(b)) {
        return a;
    }
    // Significands with the implicit bit; subnormals use exponent 1.
    var sa = f64_sign(a);
    var sb = f64_sign(b);
    var xa = i32(ea);
    var xb = i32(eb);
    var ma = f64_frac(a);
    var mb = f64_frac(b);
    if (ea == 0u) { xa = 1; } else { ma.y = ma.y | 0x100000u; }
    if (eb == 0u) { xb = 1; } else { mb.y = mb.y | 0x100000u; }
    var big = u64_shl(ma, 10u);
    var small = u64_shl(mb, 10u);
    // Make `big` the operand of larger magnitude.
    if (xb > xa || (xb == xa && u64_lt(big, small))) {
        let t = big; big = small; small = t;
        let te = xa; xa = xb; xb = te;
        let ts = sa; sa = sb; sb = ts;
    }
    small = u64_shr_jam(small, u32(xa - xb));
    var e = xa;
    var s: vec2<u32>;
    if (sa == sb) {
        s = u64_add(big, small);  // both < 2^63: no overflow of 64 bits
        if ((s.y & 0x80000000u) != 0u) {
            s = u64_shr_jam(s, 1u);
            e = e + 1;
        }
    } else {
        s = u64_sub(big, small);
        if (u64_is_zero(s)) {
            return vec2<u32>(0u, 0u);  // x - x = +0 when rounding to nearest
        }
        // Shift the leading bit up to bit 62, but not below exponent 1.
        // (A shift of more than one place only happens when the exponents
        // differ by at most 1, where alignment lost no bits.)
        var sh = i32(u64_clz(s)) - 1;
        if (e - sh < 1) {
            sh = e - 1;
        }
        s = u64_shl(s, u32(sh));
        e = e - sh;
    }
    return f64_round_pack(sa, e, s);
}

// a - b, correctly rounded.
fn f64_sub(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    if (f64_is_nan(b)) {
        return f64_add(a, b);
    }
    return f64_add(a, f64_neg(b));
}

// A finite non-zero double as m * 2^(x - 1075) with its significand m
// normalised so that bit 52 is set (subnormals shifted up, x lowered to match).
struct F64Normal {
    m: vec2<u32>,
    x: i32,
}

fn f64_normalised(a: vec2<u32>) -> F64Normal {
    let e = f64_exp(a);
    var m = f64_frac(a);
    if (e == 0u) {
        let sh = u64_clz(m) - 11u;
        return F64Normal(u64_shl(m, sh), 1 - i32(sh));
    }
    m.y = m.y | 0x100000u;
    return F64Normal(m, i32(e));
}

// a * b, correctly rounded.
fn f64_mul(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    let sign = f64_sign(a) ^ f64_sign(b);
    let ea = f64_exp(a);
    let eb = f64_exp(b);
    if (f64_is_nan(a)) {
        return f64_quiet(a);
    }
    if (f64_is_nan(b)) {
        return f64_quiet(b);
    }
    if (ea == 0x7FFu || eb == 0x7FFu) {
        if (f64_is_zero(a) || f64_is_zero(b)) {
            return F64_QNAN;  // inf * 0
        }
        return f64_pack(sign, 0x7FFu, vec2<u32>(0u, 0u));
    }
    if (f64_is_zero(a) || f64_is_zero(b)) {
        return f64_pack(sign, 0u, vec2<u32>(0u, 0u));
    }
    let na = f64_normalised(a);
    let nb = f64_normalised(b);
    // 2^104 <= p < 2^106. Keep p >> 42 (leading bit at 62 or 63) plus a
    // sticky bit for the 42 bits dropped.
    let p = u64_mul_wide(na.m, nb.m);
    var s = vec2<u32>((p.y >> 10u) | (p.z << 22u), (p.z >> 10u) | (p.w << 22u));
    if (p.x != 0u || (p.y & 0x3FFu) != 0u) {
        s.x = s.x | 1u;
    }
    var e = na.x + nb.x - 1023;
    if ((s.y & 0x80000000u) != 0u) {
        s = u64_shr_jam(s, 1u);
        e = e + 1;
    }
    if (e < 1) {
        // Result is in the subnormal range: denormalise (with sticky), then
        // round once.
        s = u64_shr_jam(s, u32(1 - e));
        e = 1;
    }
    return f64_round_pack(sign, e, s);
}

// a >= b with IEEE semantics (false if either is NaN, -0 == +0).
fn f64_ge(a: vec2<u32>, b: vec2<u32>) -> bool {
    if (f64_is_nan(a) || f64_is_nan(b)) {
        return false;
    }
    if (f64_is_zero(a) && f64_is_zero(b)) {
        return true;
    }
    let sa = f64_sign(a);
    let sb = f64_sign(b);
    if (sa != sb) {
        return sa == 0u;
    }
    let mag_a = vec2<u32>(a.x, a.y & 0x7FFFFFFFu);
    let mag_b = vec2<u32>(b.x, b.y & 0x7FFFFFFFu);
    if (sa == 0u) {
        return u64_ge(mag_a, mag_b);
    }
    return u64_ge(mag_b, mag_a);
}

// Integer quotient num / den (both uint64 as u32 pairs, den > 0) correctly
// rounded to the nearest float64, ties to even — the software form of
// NumPy's `float64(count) / float64(length)` for the sc_forward rates.
//
// Why this equals the NumPy result: in the reference both count and length
// are below 2^53, so converting them to float64 is exact and the one IEEE
// division rounds the exact quotient once. Here the exact quotient is
// produced bit by bit by binary long division on u32 limbs and rounded once
// with the same rule. (For counts at or above 2^53 this routine still
// rounds the exact quotient, which is the mathematically correct value.)
fn u64_div_to_f64(num: vec2<u32>, den: vec2<u32>) -> vec2<u32> {
    if (u64_is_zero(num)) {
        return vec2<u32>(0u, 0u);
    }
    var rem = vec2<u32>(0u, 0u);   // running remainder, always < den
    var q = vec2<u32>(0u, 0u);     // significant quotient bits collected so far
    var n_bits = 0u;
    var e_lead = 0;                // power of two of the leading quotient bit
    var step = 0u;                 // quotient bit of step k has weight 2^(63 - k)
    loop {
        // Bring down the next numerator bit (zeros past its last bit).
        var in_bit = 0u;
        if (step < 64u) {
            in_bit = u64_shr(num, 63u - step).x & 1u;
        }
        let carry = rem.y >> 31u;  // bit 64 of 2 * rem
        rem = u64_shl(rem, 1u);
        rem.x = rem.x | in_bit;
        var q_bit = 0u;
        if (carry == 1u || u64_ge(rem, den)) {
            rem = u64_sub(rem, den);  // exact modulo 2^64, true value < den
            q_bit = 1u;
        }
        if (n_bits > 0u || q_bit == 1u) {
            if (n_bits == 0u) {
                e_lead = 63 - i32(step);
            }
            q = u64_shl(q, 1u);
            q.x = q.x | q_bit;
            n_bits = n_bits + 1u;
            if (n_bits == 54u) {
                break;  // 53 significand bits + 1 guard bit
            }
        }
        step = step + 1u;
        if (step >= 200u) {
            break;  // unreachable for num > 0 (the leading bit appears by step 63)
        }
    }
    // Sticky: anything left of the exact quotient below the guard bit — a
    // non-zero remainder or numerator bits not yet brought down.
    var sticky = !u64_is_zero(rem);
    if (step < 63u) {
        let mask = u64_sub(u64_shl(vec2<u32>(1u, 0u), 63u - step), vec2<u32>(1u, 0u));
        if (!u64_is_zero(vec2<u32>(num.x & mask.x, num.y & mask.y))) {
            sticky = true;
        }
    }
    let guard = q.x & 1u;
    var m = u64_shr(q, 1u);  // 2^52 <= m < 2^53
    if (guard == 1u && (sticky || (m.x & 1u) == 1u)) {
        m = u64_add(m, vec2<u32>(1u, 0u));
        if (m.y >= 0x200000u) {
            m = u64_shr(m, 1u);
            e_lead = e_lead + 1;
        }
    }
    // e_lead is in [-64, 63]: always a normal double.
    return f64_pack(0u, u32(e_lead + 1023), m);
}
