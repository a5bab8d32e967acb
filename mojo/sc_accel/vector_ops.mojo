"""Packed bitstream operations (docs/design.md#vector-operations): AND (unipolar multiply), XNOR
(bipolar multiply), NOT, MUX (scaled addition) and per-word popcount."""

from std.bit import pop_count

from .ndarray import NDArray, same_shape, shape_str


def _check_same(a: NDArray[DType.uint64], name_a: String,
                b: NDArray[DType.uint64], name_b: String) raises:
    if not same_shape(a.shape, b.shape):
        raise Error(name_a + " and " + name_b + " must have the same shape, got "
                    + shape_str(a.shape) + " and " + shape_str(b.shape))


def _like(a: NDArray[DType.uint64]) raises -> NDArray[DType.uint64]:
    return NDArray[DType.uint64](a.shape.copy())


def vec_popcount(a: NDArray[DType.uint64]) raises -> NDArray[DType.uint64]:
    """Set bits of every word, same shape as ``a`` (any rank, 0-D included)."""
    var out = _like(a)
    for k in range(a.size()):
        out.data[k] = pop_count(a.data[k])
    return out^


def vec_and(a: NDArray[DType.uint64], b: NDArray[DType.uint64]) raises -> NDArray[DType.uint64]:
    """``a & b``; the operands must have the same shape."""
    _check_same(a, "a", b, "b")
    var out = _like(a)
    for k in range(a.size()):
        out.data[k] = a.data[k] & b.data[k]
    return out^


def vec_xnor(a: NDArray[DType.uint64], b: NDArray[DType.uint64]) raises -> NDArray[DType.uint64]:
    """``~(a ^ b)`` over all 64 bits; the operands must have the same shape."""
    _check_same(a, "a", b, "b")
    var out = _like(a)
    for k in range(a.size()):
        out.data[k] = ~(a.data[k] ^ b.data[k])
    return out^


def vec_not(a: NDArray[DType.uint64]) raises -> NDArray[DType.uint64]:
    """``~a`` over all 64 bits of every word."""
    var out = _like(a)
    for k in range(a.size()):
        out.data[k] = ~a.data[k]
    return out^


def vec_mux(sel: NDArray[DType.uint64], a: NDArray[DType.uint64],
            b: NDArray[DType.uint64]) raises -> NDArray[DType.uint64]:
    """``(sel & a) | (~sel & b)``; all three operands must have the same shape."""
    _check_same(sel, "sel", a, "a")
    _check_same(sel, "sel", b, "b")
    var out = _like(a)
    for k in range(a.size()):
        var s = sel.data[k]
        out.data[k] = (s & a.data[k]) | (~s & b.data[k])
    return out^
