"""Bit packing (docs/design.md#packing): bit ``t`` of a row goes to word ``t // 64`` at
bit position ``t % 64`` (least-significant first); bits past the row length in
the last word are 0."""

from .ndarray import NDArray, shape_str
from .validation import check_rank, n_words_for


def pack(bits: NDArray[DType.uint8]) raises -> NDArray[DType.uint64]:
    """Pack 0/1 rows: ``(N,) -> (ceil(N/64),)``, ``(B, N) -> (B, ceil(N/64))``.

    Raises on a rank other than 1 or 2 and on any value other than 0 or 1.
    """
    check_rank(bits, "bits", 1, 2)
    for k in range(bits.size()):
        if bits.data[k] > 1:
            raise Error("bits must contain only 0 and 1, got " + String(bits.data[k])
                        + " at flat index " + String(k))
    var n_bits = bits.shape[bits.ndim() - 1]
    var rows = 1 if bits.ndim() == 1 else bits.shape[0]
    var n_words = n_words_for(n_bits)
    var shape = List[Int]()
    if bits.ndim() == 2:
        shape.append(rows)
    shape.append(n_words)
    var out = NDArray[DType.uint64](shape^)
    for r in range(rows):
        var src = r * n_bits
        var dst = r * n_words
        for t in range(n_bits):
            if bits.data[src + t] != 0:
                out.data[dst + t // 64] |= UInt64(1) << UInt64(t % 64)
    return out^


def unpack(packed: NDArray[DType.uint64], n_bits: Int) raises -> NDArray[DType.uint8]:
    """Inverse of :func:`pack`: the first ``n_bits`` bits of every row.

    ``(W,) -> (n_bits,)``, ``(B, W) -> (B, n_bits)``.  Raises on a rank other
    than 1 or 2, ``n_bits < 0`` or ``ceil(n_bits / 64) > W``.
    """
    check_rank(packed, "packed", 1, 2)
    if n_bits < 0:
        raise Error("n_bits must be an int >= 0, got " + String(n_bits))
    var n_words = packed.shape[packed.ndim() - 1]
    var rows = 1 if packed.ndim() == 1 else packed.shape[0]
    if n_words_for(n_bits) > n_words:
        raise Error("n_bits = " + String(n_bits) + " needs " + String(n_words_for(n_bits))
                    + " words per row, packed has shape " + shape_str(packed.shape))
    var shape = List[Int]()
    if packed.ndim() == 2:
        shape.append(rows)
    shape.append(n_bits)
    var out = NDArray[DType.uint8](shape^)
    for r in range(rows):
        var src = r * n_words
        var dst = r * n_bits
        for t in range(n_bits):
            var word = packed.data[src + t // 64]
            out.data[dst + t] = UInt8((word >> UInt64(t % 64)) & 1)
    return out^
