//! Packing 0/1 bytes into `u64` words and back (docs/design.md#packing).
//!
//! Bit `t` of a row goes to word `t / 64`, bit position `t % 64`
//! (least-significant first); bits past the row's length in its last word are 0.

use crate::error::{Result, try_zeroed};
use crate::validate::{self, checked_size};

/// Packs `rows` rows of `n` bytes each (`bits.len() == rows * n`) into
/// `rows × ceil(n / 64)` words. Any byte other than 0 or 1 is an error naming
/// the first bad index (`bits[t]`, or `bits[b, t]` when `two_d`).
pub fn pack_bits(bits: &[u8], rows: usize, n: usize, two_d: bool) -> Result<Vec<u64>> {
    validate::pack_args(bits, rows, n, two_d)?;
    let nw = n.div_ceil(64);
    let mut out = try_zeroed::<u64>(checked_size(rows, nw, "bits")?, "the packed words")?;
    if n == 0 {
        return Ok(out);
    }
    for (row, dst) in bits.chunks_exact(n).zip(out.chunks_exact_mut(nw.max(1))) {
        for (chunk, word) in row.chunks(64).zip(dst.iter_mut()) {
            let mut w = 0u64;
            for (j, &v) in chunk.iter().enumerate() {
                w |= u64::from(v) << j;
            }
            *word = w;
        }
    }
    Ok(out)
}

/// Unpacks the first `n_bits` bits of each of `rows` rows of `words_per_row`
/// words (`packed.len() == rows * words_per_row`) into `rows × n_bits` bytes.
/// Requires `ceil(n_bits / 64) <= words_per_row`.
pub fn unpack_bits(
    packed: &[u64],
    rows: usize,
    words_per_row: usize,
    n_bits: usize,
) -> Result<Vec<u8>> {
    validate::unpack_args(packed.len(), rows, words_per_row, n_bits)?;
    let mut out = try_zeroed::<u8>(checked_size(rows, n_bits, "n_bits")?, "the unpacked bits")?;
    if n_bits == 0 {
        return Ok(out);
    }
    let src_rows = packed.chunks_exact(words_per_row.max(1));
    for (src, dst) in src_rows.zip(out.chunks_exact_mut(n_bits)) {
        for (chunk, &word) in dst.chunks_mut(64).zip(src.iter()) {
            for (j, v) in chunk.iter_mut().enumerate() {
                *v = ((word >> j) & 1) as u8;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::SplitMix64;

    #[test]
    fn round_trip_various_lengths() {
        let mut rng = SplitMix64::new(9);
        for n in [0usize, 1, 2, 63, 64, 65, 127, 128, 129, 200, 1000] {
            for rows in [1usize, 3] {
                let bits: Vec<u8> = (0..rows * n).map(|_| rng.below(2) as u8).collect();
                let packed = pack_bits(&bits, rows, n, rows > 1).unwrap();
                let nw = n.div_ceil(64);
                assert_eq!(packed.len(), rows * nw);
                // Layout: bit t -> word t / 64, bit t % 64; padding bits zero.
                for r in 0..rows {
                    for t in 0..nw * 64 {
                        let bit = (packed[r * nw + t / 64] >> (t % 64)) & 1;
                        let want = if t < n { u64::from(bits[r * n + t]) } else { 0 };
                        assert_eq!(bit, want);
                    }
                }
                let back = unpack_bits(&packed, rows, nw, n).unwrap();
                assert_eq!(back, bits);
            }
        }
    }

    #[test]
    fn unpack_prefix_and_errors() {
        let packed = [0b1011u64, u64::MAX];
        assert_eq!(unpack_bits(&packed, 1, 2, 3).unwrap(), vec![1, 1, 0]);
        assert_eq!(
            unpack_bits(&packed, 2, 1, 4).unwrap(),
            vec![1, 1, 0, 1, 1, 1, 1, 1]
        );
        let e = unpack_bits(&packed, 1, 2, 129).unwrap_err();
        assert_eq!(e.arg(), Some("n_bits"));
        assert!(unpack_bits(&packed, 1, 2, 128).is_ok());
        assert!(unpack_bits(&[], 0, 5, 320).unwrap().is_empty());
    }

    #[test]
    fn pack_rejects_non_binary() {
        let e = pack_bits(&[0, 1, 2, 1], 1, 4, false).unwrap_err();
        assert_eq!(e.arg(), Some("bits"));
        assert!(e.to_string().contains("got 2 at index (2,)"), "{e}");
        let e = pack_bits(&[0, 1, 1, 255], 2, 2, true).unwrap_err();
        assert!(e.to_string().contains("got 255 at index (1, 1)"), "{e}");
    }
}
