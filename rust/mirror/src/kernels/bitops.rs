//! Packing, unpacking, per-word popcount and the element-wise packed
//! operations (docs/design.md#vector-operations, FORMAT.md kernels `pack` … `mux`).
//!
//! Layout (docs/design.md#packing): bit `t` of a row goes to word `t / 64`, bit position
//! `t % 64`, least-significant first; bits past the row length are 0.

use crate::array::{NdArray, format_shape};
use crate::checks::check_int;
use crate::error::{MirrorError, Result, mul_size, zeroed};

/// `(rows, row_len)` of a 1-D `(n,)` or 2-D `(rows, n)` array called `arg`.
fn rows_of(arg: &str, shape: &[usize], form: &str) -> Result<(usize, usize)> {
    match *shape {
        [n] => Ok((1, n)),
        [rows, n] => Ok((rows, n)),
        _ => Err(MirrorError::value(
            arg,
            format!(
                "{arg} must have shape {form}, got a {}-D array of shape {}",
                shape.len(),
                format_shape(shape)
            ),
        )),
    }
}

/// `shape` with its last dimension replaced by `last`.
fn with_last(shape: &[usize], last: usize) -> Vec<usize> {
    let mut s = shape.to_vec();
    if let Some(d) = s.last_mut() {
        *d = last;
    }
    s
}

/// Packs 0/1 bytes, `(N,)` or `(B, N)`, into `u64` words `(ceil(N/64),)` or
/// `(B, ceil(N/64))`. Any byte other than 0 and 1 is refused.
pub fn pack(bits: &NdArray<u8>) -> Result<NdArray<u64>> {
    let (rows, n) = rows_of("bits", bits.shape(), "(N,) or (batch, N)")?;
    if let Some(bad) = bits.data().iter().position(|&b| b > 1) {
        return Err(MirrorError::value(
            "bits",
            format!(
                "bits must contain only 0 and 1; element {bad} (row {}, bit {}) is {}",
                bad / n.max(1),
                bad % n.max(1),
                bits.data()[bad]
            ),
        ));
    }
    let n_words = n.div_ceil(64);
    let mut out = zeroed::<u64>(mul_size(rows, n_words, "bits")?, "bits")?;
    for r in 0..rows {
        for t in 0..n {
            if bits.data()[r * n + t] == 1 {
                out[r * n_words + t / 64] |= 1u64 << (t % 64);
            }
        }
    }
    NdArray::new("bits", with_last(bits.shape(), n_words), out)
}

/// Unpacks the first `n_bits` bits of each row of `packed` (`(W,)` or
/// `(B, W)`) into bytes `(n_bits,)` or `(B, n_bits)`. Needs
/// `0 <= n_bits` and `ceil(n_bits / 64) <= W`.
pub fn unpack(packed: &NdArray<u64>, n_bits: i64) -> Result<NdArray<u8>> {
    let (rows, w) = rows_of("packed", packed.shape(), "(W,) or (batch, W)")?;
    let n = check_int("n_bits", n_bits, 0, None)?;
    let need = n.div_ceil(64);
    if need > w {
        return Err(MirrorError::value(
            "n_bits",
            format!(
                "n_bits must satisfy ceil(n_bits / 64) <= W = {w}, got n_bits = {n_bits} \
                 ({need} words needed)"
            ),
        ));
    }
    let mut out = zeroed::<u8>(mul_size(rows, n, "n_bits")?, "n_bits")?;
    for r in 0..rows {
        for t in 0..n {
            let word = packed.data()[r * w + t / 64];
            out[r * n + t] = ((word >> (t % 64)) & 1) as u8;
        }
    }
    NdArray::new("n_bits", with_last(packed.shape(), n), out)
}

/// `counts[j] = popcount(a[j])` for every word, same shape as `a` (any rank).
pub fn popcount_per_word(a: &NdArray<u64>) -> Result<NdArray<u64>> {
    let counts: Vec<u64> = a.data().iter().map(|w| u64::from(w.count_ones())).collect();
    NdArray::new("a", a.shape().to_vec(), counts)
}

/// Refuses `other` unless its shape equals `first`'s.
fn same_shape(first: (&str, &[usize]), other: (&str, &[usize])) -> Result<()> {
    if first.1 == other.1 {
        return Ok(());
    }
    Err(MirrorError::value(
        other.0,
        format!(
            "{} must have the same shape as {}, got {}.shape = {} and {}.shape = {}",
            other.0,
            first.0,
            first.0,
            format_shape(first.1),
            other.0,
            format_shape(other.1)
        ),
    ))
}

/// `a & b` (SC unipolar multiplication); equal shapes.
pub fn vec_and(a: &NdArray<u64>, b: &NdArray<u64>) -> Result<NdArray<u64>> {
    same_shape(("a", a.shape()), ("b", b.shape()))?;
    let out: Vec<u64> = a.data().iter().zip(b.data()).map(|(x, y)| x & y).collect();
    NdArray::new("a", a.shape().to_vec(), out)
}

/// `!(a ^ b)` (SC bipolar multiplication); equal shapes.
pub fn vec_xnor(a: &NdArray<u64>, b: &NdArray<u64>) -> Result<NdArray<u64>> {
    same_shape(("a", a.shape()), ("b", b.shape()))?;
    let out: Vec<u64> = a
        .data()
        .iter()
        .zip(b.data())
        .map(|(x, y)| !(x ^ y))
        .collect();
    NdArray::new("a", a.shape().to_vec(), out)
}

/// `!a` (complement).
pub fn vec_not(a: &NdArray<u64>) -> Result<NdArray<u64>> {
    let out: Vec<u64> = a.data().iter().map(|x| !x).collect();
    NdArray::new("a", a.shape().to_vec(), out)
}

/// `(sel & a) | (!sel & b)` (SC scaled addition); equal shapes.
pub fn vec_mux(sel: &NdArray<u64>, a: &NdArray<u64>, b: &NdArray<u64>) -> Result<NdArray<u64>> {
    same_shape(("sel", sel.shape()), ("a", a.shape()))?;
    same_shape(("sel", sel.shape()), ("b", b.shape()))?;
    let out: Vec<u64> = (0..sel.len())
        .map(|j| (sel.data()[j] & a.data()[j]) | (!sel.data()[j] & b.data()[j]))
        .collect();
    NdArray::new("sel", sel.shape().to_vec(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arr<T>(shape: &[usize], data: Vec<T>) -> NdArray<T> {
        NdArray::new("t", shape.to_vec(), data).unwrap()
    }

    #[test]
    fn pack_bit_order_and_tail() {
        let mut bits = vec![0u8; 65];
        bits[0] = 1;
        bits[63] = 1;
        bits[64] = 1;
        let p = pack(&NdArray::from_vec(bits)).unwrap();
        assert_eq!(p.shape(), &[2]);
        assert_eq!(p.data(), &[1 | (1 << 63), 1]);
        let back = unpack(&p, 65).unwrap();
        assert_eq!(back.data()[63], 1);
        assert_eq!(back.data()[62], 0);
    }

    #[test]
    fn pack_refuses_bad_input() {
        assert_eq!(
            pack(&NdArray::from_vec(vec![0, 2])).unwrap_err().arg,
            "bits"
        );
        assert_eq!(pack(&NdArray::scalar(1u8)).unwrap_err().arg, "bits");
        assert_eq!(pack(&arr(&[1, 1, 1], vec![1u8])).unwrap_err().arg, "bits");
        let empty = pack(&arr(&[3, 0], Vec::<u8>::new())).unwrap();
        assert_eq!(empty.shape(), &[3, 0]);
    }

    #[test]
    fn unpack_limits() {
        let p = arr(&[2, 1], vec![u64::MAX, 0]);
        assert_eq!(unpack(&p, 64).unwrap().shape(), &[2, 64]);
        assert_eq!(unpack(&p, 65).unwrap_err().arg, "n_bits");
        assert_eq!(unpack(&p, -1).unwrap_err().arg, "n_bits");
        assert_eq!(unpack(&p, 0).unwrap().shape(), &[2, 0]);
        assert_eq!(unpack(&NdArray::scalar(1u64), 1).unwrap_err().arg, "packed");
    }

    #[test]
    fn ops_truth_tables() {
        // Bits 0..3 of sel/a/b enumerate the 8 input combinations.
        let sel = NdArray::from_vec(vec![0b1111_0000u64]);
        let a = NdArray::from_vec(vec![0b1100_1100u64]);
        let b = NdArray::from_vec(vec![0b1010_1010u64]);
        assert_eq!(vec_and(&a, &b).unwrap().data(), &[0b1000_1000]);
        assert_eq!(vec_xnor(&a, &b).unwrap().data()[0] & 0xFF, 0b1001_1001);
        assert_eq!(vec_not(&a).unwrap().data(), &[!0b1100_1100u64]);
        assert_eq!(vec_mux(&sel, &a, &b).unwrap().data(), &[0b1100_1010]);
        assert_eq!(popcount_per_word(&a).unwrap().data(), &[4]);
    }

    #[test]
    fn ops_refuse_shape_mismatch() {
        let a = arr(&[6], vec![0u64; 6]);
        let b = arr(&[2, 3], vec![0u64; 6]);
        assert_eq!(vec_and(&a, &b).unwrap_err().arg, "b");
        assert_eq!(vec_xnor(&b, &a).unwrap_err().arg, "b");
        assert_eq!(vec_mux(&a, &a, &b).unwrap_err().arg, "b");
        assert_eq!(vec_mux(&a, &b, &a).unwrap_err().arg, "a");
        let s = NdArray::scalar(5u64);
        assert_eq!(vec_not(&s).unwrap().data(), &[!5u64]);
    }
}
