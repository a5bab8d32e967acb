"""A minimal N-dimensional array: a C-order (row-major) flat buffer plus a shape.

The kernels take and return these; the harness builds them from golden files.
"""

# Largest number of elements any array may hold (2**28: 2 GiB of uint64).
# Inputs whose result would need more are refused (an error), never
# attempted, so absurd lengths cannot exhaust memory or overflow an index.
comptime MAX_ELEMENTS = 1 << 28


def shape_size(shape: List[Int]) raises -> Int:
    """Product of the dimensions; raises on a negative or oversized shape."""
    var n = 1
    for d in shape:
        if d < 0:
            raise Error("negative dimension in shape " + shape_str(shape))
        if d != 0 and n > MAX_ELEMENTS // d:
            raise Error("shape " + shape_str(shape) + " is too large")
        n *= d
    if n > MAX_ELEMENTS:
        raise Error("shape " + shape_str(shape) + " is too large")
    return n


def shape_str(shape: List[Int]) -> String:
    """Python-style tuple text, e.g. ``(3,)`` or ``(2, 5)``."""
    var s = String("(")
    for k in range(len(shape)):
        if k > 0:
            s += ", "
        s += String(shape[k])
    if len(shape) == 1:
        s += ","
    s += ")"
    return s


def same_shape(a: List[Int], b: List[Int]) -> Bool:
    if len(a) != len(b):
        return False
    for k in range(len(a)):
        if a[k] != b[k]:
            return False
    return True


struct NDArray[dt: DType](Copyable, Movable):
    """``shape`` and the ``size = prod(shape)`` values in C order."""

    var shape: List[Int]
    var data: List[Scalar[Self.dt]]

    def __init__(out self, var shape: List[Int]) raises:
        """A zero-filled array of the given shape."""
        var n = shape_size(shape)
        self.shape = shape^
        self.data = List[Scalar[Self.dt]](length=n, fill=0)

    def __init__(out self, var shape: List[Int], var data: List[Scalar[Self.dt]]) raises:
        """Wrap existing values; their count must match the shape."""
        var n = shape_size(shape)
        if n != len(data):
            raise Error("shape " + shape_str(shape) + " needs " + String(n)
                        + " values, got " + String(len(data)))
        self.shape = shape^
        self.data = data^

    def ndim(self) -> Int:
        return len(self.shape)

    def size(self) -> Int:
        return len(self.data)
